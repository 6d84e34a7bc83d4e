import { deploymentCommon, deploymentStatusCommon } from './shape-deployment.js';
import { findUser, type Urls } from './shape-user.js';
import type { DeploymentRecord, DeploymentStatusRecord, GithubState, RepositoryRecord } from './types.js';
import { envelope, webhookApp, webhookUser } from './webhook-payloads.js';

type Payload = Record<string, unknown>;

/** The webhook's `deployment`: the REST shape minus what the webhook schema does not allow, plus `performed_via_github_app`. */
function webhookDeployment(state: GithubState, repo: RepositoryRecord, deployment: DeploymentRecord, urls: Urls): Payload {
  return {
    ...deploymentCommon(repo, deployment, urls),
    // The schema wants an object; a string payload is sent parsed when it is a JSON object, else empty.
    payload: typeof deployment.payload === 'string' ? parsedObject(deployment.payload) : deployment.payload,
    creator: webhookUser(findUser(state, deployment.creator), urls),
    performed_via_github_app: byApp(state, deployment.creator) ? webhookApp(state, urls) : null,
  };
}

function byApp(state: GithubState, login: string): boolean {
  return login === `${state.app.slug}[bot]`;
}

function parsedObject(text: string): Payload {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Payload) : {};
  } catch {
    return {};
  }
}

/** `deployment.created`: no workflow made it here, so `workflow` and `workflow_run` are null. */
export function deploymentPayload(state: GithubState, urls: Urls, options: { repo: RepositoryRecord; deploymentId: number }): Payload {
  const deployment = state.deployments.find((candidate) => candidate.id === options.deploymentId);
  if (deployment === undefined) throw new Error(`deployment ${String(options.deploymentId)} is not in the saved state`);
  return {
    action: 'created',
    deployment: webhookDeployment(state, options.repo, deployment, urls),
    workflow: null,
    workflow_run: null,
    ...envelope(state, options.repo, deployment.creator, urls),
  };
}

/** `deployment_status.created`, with the deployment as it is after the status. */
export function deploymentStatusPayload(
  state: GithubState,
  urls: Urls,
  options: { repo: RepositoryRecord; deploymentId: number; statusId: number },
): Payload {
  const deployment = state.deployments.find((candidate) => candidate.id === options.deploymentId);
  const status = deployment?.statuses.find((candidate) => candidate.id === options.statusId);
  if (deployment === undefined || status === undefined)
    throw new Error(`deployment status ${String(options.statusId)} is not in the saved state`);
  return {
    action: 'created',
    deployment_status: webhookDeploymentStatus(state, options.repo, deployment, status, urls),
    deployment: webhookDeployment(state, options.repo, deployment, urls),
    ...envelope(state, options.repo, status.creator, urls),
  };
}

function webhookDeploymentStatus(
  state: GithubState,
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
  status: DeploymentStatusRecord,
  urls: Urls,
): Payload {
  return {
    ...deploymentStatusCommon(repo, deployment, status, urls),
    creator: webhookUser(findUser(state, status.creator), urls),
    environment_url: status.environmentUrl,
    ...(status.logUrl !== '' && { log_url: status.logUrl }),
    target_url: status.logUrl,
    performed_via_github_app: byApp(state, status.creator) ? webhookApp(state, urls) : null,
  };
}
