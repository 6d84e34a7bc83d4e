import type { operations } from '@octokit/openapi-types';
import { GithubApiError, notFound } from './errors.js';
import { bodyOf, listed, numberParam, requireRepository, type Handler, type HandlerInput, type WebhookEvent } from './handler.js';
import { actor } from './handlers-pulls.js';
import { nextId } from './initial-state.js';
import { ensureEnvironment } from './handlers-environments.js';
import { contextState } from './merge-rules.js';
import { deploymentCommon, deploymentStatusCommon } from './shape-deployment.js';
import { findUser, shapeUser, type Schemas } from './shape-user.js';
import type { DeploymentRecord, DeploymentStatusRecord, GithubState, RepositoryRecord } from './types.js';
import { deploymentPayload, deploymentStatusPayload } from './webhook-payloads-deployment.js';

type CreateBody = NonNullable<operations['repos/create-deployment']['requestBody']>['content']['application/json'];
type StatusBody = NonNullable<operations['repos/create-deployment-status']['requestBody']>['content']['application/json'];

/**
 * Deployments and their statuses. As on GitHub, creating one checks the
 * commit's contexts first (`required_contexts`, by default every context
 * reported on it) and answers 409 when one is not successful. `auto_merge`
 * is accepted and ignored: the local GitHub never merges the default branch
 * into the ref for you. Each sends its webhook (`deployment.created`,
 * `deployment_status.created`).
 */
export const createDeployment: Handler = (input) => {
  const repo = requireRepository(input);
  const body = bodyOf(input) as CreateBody;
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  const sha = repository === undefined ? body.ref : repository.resolve(body.ref);
  if (sha === undefined) throw new GithubApiError(422, `No ref found for: ${body.ref}`);
  const reported = new Set([
    ...input.state.checkRuns.filter((run) => run.repositoryId === repo.id && run.headSha === sha).map((run) => run.name),
    ...input.state.statuses.filter((status) => status.repositoryId === repo.id && status.sha === sha).map((status) => status.context),
  ]);
  const failed = (body.required_contexts ?? [...reported]).filter((context) => contextState(input.state, repo, sha, context) !== 'success');
  if (failed.length > 0) throw new GithubApiError(409, `Conflict: Commit status checks failed for ${body.ref}.`);
  const environment = body.environment ?? 'production';
  const deployment: DeploymentRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    sha,
    ref: body.ref,
    task: body.task ?? 'deploy',
    environment,
    description: body.description ?? null,
    payload: body.payload ?? {},
    transient: body.transient_environment ?? false,
    production: body.production_environment ?? environment === 'production',
    creator: actor(input.principal, input.state.app.slug),
    createdAt: input.now.toISOString(),
    statuses: [],
  };
  input.state.deployments.push(deployment);
  ensureEnvironment(input.state, repo, environment, input.now);
  const event: WebhookEvent = {
    name: 'deployment',
    action: 'created',
    repositoryId: repo.id,
    payload: (saved, urls) => deploymentPayload(saved, urls, { repo: savedRepo(saved, repo), deploymentId: deployment.id }),
  };
  return { status: 201, body: shapeDeployment(input, repo, deployment), changed: true, events: [event] };
};

export const listDeployments: Handler = (input) => {
  const repo = requireRepository(input);
  const matches = (field: 'sha' | 'ref' | 'task' | 'environment', value: string): boolean =>
    input.query[field] === undefined || input.query[field] === value;
  const found = input.state.deployments
    .filter(
      (deployment) =>
        deployment.repositoryId === repo.id &&
        matches('sha', deployment.sha) &&
        matches('ref', deployment.ref) &&
        matches('task', deployment.task) &&
        matches('environment', deployment.environment),
    )
    .reverse();
  return { status: 200, ...listed(input, found, (deployment) => shapeDeployment(input, repo, deployment)) };
};

export const createDeploymentStatus: Handler = (input) => {
  const repo = requireRepository(input);
  const deployment = findDeployment(input, repo);
  const body = bodyOf(input) as StatusBody;
  const status: DeploymentStatusRecord = {
    id: nextId(input.state),
    state: body.state,
    description: body.description ?? '',
    // "If not defined, the environment of the previous status on the deployment will be used, if it exists. Otherwise, the environment of the deployment."
    environment: body.environment ?? deployment.statuses.at(-1)?.environment ?? deployment.environment,
    environmentUrl: body.environment_url ?? '',
    logUrl: body.log_url ?? body.target_url ?? '',
    creator: actor(input.principal, input.state.app.slug),
    createdAt: input.now.toISOString(),
  };
  // auto_inactive (default true), in the description's words: "Adds a new inactive status to all prior non-transient, non-production
  // environment deployments with the same repository and environment name… only added to deployments that had a success state".
  if (body.state === 'success' && body.auto_inactive !== false) {
    for (const earlier of input.state.deployments) {
      if (
        earlier.repositoryId !== repo.id ||
        earlier.id >= deployment.id ||
        earlier.environment !== status.environment ||
        earlier.transient ||
        earlier.production
      )
        continue;
      if (earlier.statuses.at(-1)?.state === 'success')
        earlier.statuses.push({ ...status, id: nextId(input.state), state: 'inactive', description: '' });
    }
  }
  if (body.environment !== undefined) ensureEnvironment(input.state, repo, body.environment, input.now);
  deployment.statuses.push(status);
  // The webhook schema has no `inactive` state (GitHub sends none for it), so that status is stored without an event.
  const events: WebhookEvent[] =
    status.state === 'inactive'
      ? []
      : [
          {
            name: 'deployment_status',
            action: 'created',
            repositoryId: repo.id,
            payload: (saved, urls) =>
              deploymentStatusPayload(saved, urls, { repo: savedRepo(saved, repo), deploymentId: deployment.id, statusId: status.id }),
          },
        ];
  return { status: 201, body: shapeDeploymentStatus(input, repo, deployment, status), changed: true, events };
};

export const listDeploymentStatuses: Handler = (input) => {
  const repo = requireRepository(input);
  const deployment = findDeployment(input, repo);
  return {
    status: 200,
    ...listed(input, [...deployment.statuses].reverse(), (status) => shapeDeploymentStatus(input, repo, deployment, status)),
  };
};

function findDeployment(input: HandlerInput, repo: RepositoryRecord): DeploymentRecord {
  const id = numberParam(input, 'deployment_id');
  const deployment = input.state.deployments.find((candidate) => candidate.id === id && candidate.repositoryId === repo.id);
  if (deployment === undefined) throw notFound();
  return deployment;
}

function shapeDeployment(input: HandlerInput, repo: RepositoryRecord, deployment: DeploymentRecord): Schemas['deployment'] {
  return {
    ...deploymentCommon(repo, deployment, input.urls),
    payload: deployment.payload,
    creator: shapeUser(findUser(input.state, deployment.creator), input.urls),
  };
}

function shapeDeploymentStatus(
  input: HandlerInput,
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
  status: DeploymentStatusRecord,
): Schemas['deployment-status'] {
  return {
    ...deploymentStatusCommon(repo, deployment, status, input.urls),
    creator: shapeUser(findUser(input.state, status.creator), input.urls),
    // GitHub sends "" for an unset URL, which the description's `uri` format refuses; the deployments page stands in.
    target_url: status.logUrl === '' ? `${input.urls.web}/${repo.owner}/${repo.name}/deployments` : status.logUrl,
    ...(status.logUrl !== '' && { log_url: status.logUrl }),
    ...(status.environmentUrl !== '' && { environment_url: status.environmentUrl }),
  };
}

function savedRepo(state: GithubState, repo: RepositoryRecord): RepositoryRecord {
  return state.repositories.find((candidate) => candidate.id === repo.id) ?? repo;
}
