import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import {
  combinedDeploymentState,
  deactivateDeployments,
  deploymentStateOfCheck,
  followDeployment,
  payloadPullRequest,
  startDeployment,
} from './github-deployments.js';
import type { GithubDeployment, GithubPort } from './github-port.js';

const log = createLogger({ level: 'silent' });

/** A GitHub of deployments only: what the functions ask and write. */
function fakeGithub(initial: GithubDeployment[] = []): { port: GithubPort; deployments: GithubDeployment[]; writes: string[] } {
  const deployments = [...initial];
  const writes: string[] = [];
  let next = 100;
  const port = {
    listDeployments: (filter: { environment?: string; sha?: string }) =>
      Promise.resolve(
        deployments
          .filter(
            (deployment) =>
              (filter.environment === undefined || deployment.environment === filter.environment) &&
              (filter.sha === undefined || deployment.sha === filter.sha),
          )
          .reverse(),
      ),
    createDeployment: (deployment: { sha: string; environment: string; payload: Record<string, unknown> }) => {
      next += 1;
      deployments.push({
        id: next,
        sha: deployment.sha,
        environment: deployment.environment,
        payload: deployment.payload,
        state: 'pending',
      });
      writes.push(`create ${String(next)} ${deployment.environment}@${deployment.sha}`);
      return Promise.resolve(next);
    },
    createDeploymentStatus: (id: number, status: { state: string; logUrl?: string }) => {
      const found = deployments.find((deployment) => deployment.id === id);
      if (found !== undefined) found.state = status.state;
      writes.push(`status ${String(id)} ${status.state}${status.logUrl === undefined ? '' : ` ${status.logUrl}`}`);
      return Promise.resolve();
    },
  } as unknown as GithubPort;
  return { port, deployments, writes };
}

describe('GitHub Deployments of pull-request deploys', () => {
  it.each([
    [{ status: 'in_progress' }, 'in_progress'],
    [{ status: 'queued' }, 'in_progress'],
    [{ status: 'completed', conclusion: 'action_required' }, 'in_progress'],
    [{ status: 'completed', conclusion: 'success' }, 'success'],
    [{ status: 'completed', conclusion: 'failure' }, 'failure'],
    [{ status: 'completed', conclusion: 'cancelled' }, 'failure'],
    [{ status: 'completed', conclusion: 'neutral' }, 'in_progress'],
  ] as const)('a rollout check %j is a deployment %s', (check, state) => {
    expect(deploymentStateOfCheck(check)).toBe(state);
  });

  it('an environment of several Rollouts: any failure fails it, all success succeeds it, else in progress', () => {
    expect(combinedDeploymentState(['success', 'success'])).toBe('success');
    expect(combinedDeploymentState(['success', 'in_progress'])).toBe('in_progress');
    expect(combinedDeploymentState(['in_progress', 'failure'])).toBe('failure');
    expect(combinedDeploymentState([])).toBe('in_progress');
  });

  it('the payload’s pull request is read back only when it is Gradual’s shape (hostile payloads give nothing)', () => {
    expect(payloadPullRequest({ gradual: { pullRequest: 7 } })).toBe(7);
    for (const payload of [
      undefined,
      null,
      'text',
      { gradual: 7 },
      { gradual: { pullRequest: '7' } },
      { gradual: { pullRequest: 1.5 } },
      { other: { pullRequest: 7 } },
    ])
      expect(payloadPullRequest(payload)).toBeUndefined();
  });

  it('a deploy creates one Deployment, in progress, and supersedes the earlier active ones of the environment; a repeat creates nothing', async () => {
    const github = fakeGithub([
      { id: 1, sha: 'a', environment: 'production', payload: { gradual: { pullRequest: 1 } }, state: 'success' },
      { id: 2, sha: 'b', environment: 'production', payload: { gradual: { pullRequest: 2 } }, state: 'failure' },
      { id: 3, sha: 'c', environment: 'staging', payload: { gradual: { pullRequest: 3 } }, state: 'in_progress' },
    ]);
    const id = await startDeployment(github.port, log, {
      environment: 'production',
      sha: 'd',
      pullRequest: 4,
      environmentUrl: 'http://127.0.0.1:3100/',
    });
    expect(github.writes).toEqual(['status 1 inactive', `create ${String(id)} production@d`, `status ${String(id)} in_progress`]);
    expect(await startDeployment(github.port, log, { environment: 'production', sha: 'd', pullRequest: 4 })).toBe(id);
    expect(github.writes).toHaveLength(3);
  });

  it('the status follows the check once per change, with the check as log_url; a missing deployment is said so', async () => {
    const github = fakeGithub([
      { id: 9, sha: 'e', environment: 'production', payload: { gradual: { pullRequest: 5 } }, state: 'in_progress' },
    ]);
    const follow = (state: 'in_progress' | 'success' | 'failure', pullRequest = 5): Promise<string> =>
      followDeployment(github.port, {
        environment: 'production',
        sha: 'e',
        pullRequest,
        state,
        description: 'x',
        logUrl: () => Promise.resolve('http://127.0.0.1/runs/3'),
      });
    expect(await follow('in_progress')).toBe('unchanged');
    expect(await follow('success')).toBe('written');
    expect(await follow('success')).toBe('unchanged');
    expect(await follow('success', 6)).toBe('missing');
    expect(github.writes).toEqual(['status 9 success http://127.0.0.1/runs/3']);
  });

  it('a deployment without a status is not followed (the deploy writes its first one); a repeated deploy finishes it', async () => {
    // The report raced the deploy on main (fresh-clone CI at 80bcace): it saw the new deployment before its first status
    // and wrote `in_progress` itself, so the deployment had in_progress twice; a `success` written then would have
    // been overtaken by the deploy's `in_progress`.
    const github = fakeGithub([{ id: 7, sha: 'f', environment: 'production', payload: { gradual: { pullRequest: 8 } }, state: 'pending' }]);
    const follow = (state: 'in_progress' | 'success'): Promise<string> =>
      followDeployment(github.port, { environment: 'production', sha: 'f', pullRequest: 8, state, description: 'x' });
    expect(await follow('in_progress')).toBe('missing');
    expect(await follow('success')).toBe('missing');
    expect(github.writes).toEqual([]);
    // The deploy stopped between creating the deployment and writing its status: the next deploy of that head writes it.
    expect(await startDeployment(github.port, log, { environment: 'production', sha: 'f', pullRequest: 8 })).toBe(7);
    expect(github.writes).toEqual(['status 7 in_progress']);
    expect(await follow('success')).toBe('written');
  });

  it('closing unmerged marks the pull request’s deployments inactive (a failed one too), and only its own', async () => {
    const github = fakeGithub([
      { id: 1, sha: 'a', environment: 'production', payload: { gradual: { pullRequest: 1 } }, state: 'failure' },
      { id: 2, sha: 'b', environment: 'production', payload: { gradual: { pullRequest: 1 } }, state: 'success' },
      { id: 3, sha: 'c', environment: 'staging', payload: { gradual: { pullRequest: 2 } }, state: 'success' },
      { id: 4, sha: 'd', environment: 'production', payload: { gradual: { pullRequest: 1 } }, state: 'inactive' },
    ]);
    expect(await deactivateDeployments(github.port, log, 1)).toBe(2);
    expect(github.writes).toEqual(['status 2 inactive', 'status 1 inactive']);
  });
});
