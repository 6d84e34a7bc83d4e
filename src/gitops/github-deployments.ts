import type { Logger } from '../log/index.js';
import type { GithubDeploymentState, GithubPort } from './github-port.js';
import type { CheckRunOutput } from './types.js';

/**
 * GitHub Deployments for pull-request deploys: each deploy of a pull
 * request's head to an environment is one GitHub Deployment (environment =
 * the Gradual environment's name, ref = the head SHA), whose statuses follow
 * the rollout: `in_progress` while it rolls out or waits at a pause,
 * `success` once every Rollout of the environment is fully promoted and
 * Healthy, `failure` when one aborted or failed, `inactive` when a newer
 * deploy of the environment supersedes it or the pull request closes unmerged
 * (rolled back). Repositories can then require "deployments to succeed before
 * merging" and show "deployed to <environment>" on the pull request.
 *
 * Everything is found again on GitHub (by environment, commit and the
 * payload's pull request), so a restart or a repeated event changes nothing twice.
 */

/** What the payload of a Gradual deployment says (GitHub hands it back on every read). */
export interface GradualDeploymentPayload {
  gradual: { pullRequest: number };
}

export function deploymentPayload(pullRequest: number): GradualDeploymentPayload {
  return { gradual: { pullRequest } };
}

export function payloadPullRequest(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null || !('gradual' in payload)) return undefined;
  const gradual = payload.gradual;
  if (typeof gradual !== 'object' || gradual === null || !('pullRequest' in gradual)) return undefined;
  const number = gradual.pullRequest;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}

/** The deployment state a rollout check stands for: a pause (action_required) is still in progress. */
export function deploymentStateOfCheck(check: Pick<CheckRunOutput, 'status' | 'conclusion'>): Exclude<GithubDeploymentState, 'inactive'> {
  if (check.status !== 'completed') return 'in_progress';
  if (check.conclusion === 'success') return 'success';
  if (check.conclusion === 'failure' || check.conclusion === 'cancelled' || check.conclusion === 'timed_out') return 'failure';
  return 'in_progress';
}

/** One environment's deployment from its Rollouts' states: any failure fails it, all success succeeds, else in progress. */
export function combinedDeploymentState(
  states: readonly Exclude<GithubDeploymentState, 'inactive'>[],
): Exclude<GithubDeploymentState, 'inactive'> {
  if (states.includes('failure')) return 'failure';
  if (states.length > 0 && states.every((state) => state === 'success')) return 'success';
  return 'in_progress';
}

const active = new Set(['pending', 'queued', 'in_progress', 'success']);

/**
 * A pull request's head was applied to an environment: its Deployment (created once per environment and
 * head), `in_progress`; every earlier active deployment of the environment is superseded (`inactive`).
 */
export async function startDeployment(
  github: GithubPort,
  log: Logger,
  deploy: { environment: string; sha: string; pullRequest: number; environmentUrl?: string },
): Promise<number> {
  const existing = await github.listDeployments({ environment: deploy.environment });
  const own = existing.find(
    (deployment) =>
      deployment.sha === deploy.sha && payloadPullRequest(deployment.payload) === deploy.pullRequest && deployment.state !== 'inactive',
  );
  for (const earlier of existing) {
    if (earlier.id === own?.id || !active.has(earlier.state)) continue;
    await github.createDeploymentStatus(earlier.id, {
      state: 'inactive',
      description: `Superseded by #${String(deploy.pullRequest)} at ${deploy.sha.slice(0, 7)}`,
    });
    log.info({ deployment: earlier.id, environment: deploy.environment }, 'GitHub deployment superseded; marked inactive');
  }
  // A deployment without any status is one whose first status was never written (a stop between the two
  // requests): it is finished here rather than created again.
  if (own !== undefined && own.state !== 'pending') return own.id;
  const id =
    own?.id ??
    (await github.createDeployment({
      sha: deploy.sha,
      environment: deploy.environment,
      description: `#${String(deploy.pullRequest)} rolled out by Gradual`,
      payload: { ...deploymentPayload(deploy.pullRequest) },
    }));
  await github.createDeploymentStatus(id, {
    state: 'in_progress',
    description: 'Rolling out',
    ...(deploy.environmentUrl !== undefined && { environmentUrl: deploy.environmentUrl }),
  });
  log.info({ deployment: id, environment: deploy.environment, sha: deploy.sha }, 'GitHub deployment created');
  return id;
}

/**
 * Moves the pull request's deployment of the head to an environment to `state` when it stands elsewhere
 * (a superseded or inactive one is left alone). Says whether a status was written, or the deployment is not there
 * (yet) or has no status yet — the deploy that creates it writes the first one.
 */
export async function followDeployment(
  github: GithubPort,
  deploy: {
    environment: string;
    sha: string;
    pullRequest: number;
    state: Exclude<GithubDeploymentState, 'inactive'>;
    description: string;
    environmentUrl?: string;
    logUrl?: () => Promise<string>;
  },
): Promise<'written' | 'unchanged' | 'missing'> {
  const found = (await github.listDeployments({ environment: deploy.environment, sha: deploy.sha })).find(
    (deployment) => payloadPullRequest(deployment.payload) === deploy.pullRequest,
  );
  // No status yet: the deploy is between creating the deployment and writing its first status, and reports
  // again once it has. Writing here would race it: its `in_progress` could land after this `success`.
  if (found === undefined || found.state === 'pending') return 'missing';
  if (found.state === 'inactive' || found.state === deploy.state) return 'unchanged';
  const logUrl = deploy.logUrl === undefined ? undefined : await deploy.logUrl();
  await github.createDeploymentStatus(found.id, {
    state: deploy.state,
    description: deploy.description,
    ...(deploy.environmentUrl !== undefined && { environmentUrl: deploy.environmentUrl }),
    ...(logUrl !== undefined && logUrl !== '' && { logUrl }),
  });
  return 'written';
}

/**
 * A pull request closed unmerged (its environments rolled back): each of its deployments not inactive yet
 * becomes `inactive`, a failed one too (nothing of it runs any more).
 */
export async function deactivateDeployments(github: GithubPort, log: Logger, pullRequest: number): Promise<number> {
  let marked = 0;
  for (const deployment of await github.listDeployments({})) {
    if (payloadPullRequest(deployment.payload) !== pullRequest || deployment.state === 'inactive') continue;
    await github.createDeploymentStatus(deployment.id, {
      state: 'inactive',
      description: `#${String(pullRequest)} closed without merging; rolled back`,
    });
    marked += 1;
  }
  if (marked > 0) log.info({ pullRequest, deployments: marked }, 'GitHub deployments of a closed pull request marked inactive');
  return marked;
}
