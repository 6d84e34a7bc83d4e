import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/gitops/index.js';
import { close, comment, merge, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createRepository, oneEnvironmentPolicy, seedPeople, startGithubAndBot, untilFirstRevisionHealthy } from './support/bot-story.js';
import { canaryRolloutYaml } from './support/rollout-yaml.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Each pull-request deploy is a GitHub Deployment of the head to the Gradual environment, whose
// statuses follow the rollout; a ruleset requiring the deployment gates the merge on it
// (src/gitops/github-deployments.ts; the local GitHub's rules in src/local/github/README.md).
const cluster = testCluster('github-deployments');
withRolloutController(cluster);
const { namespace } = cluster;
const owner = 'acme';
const repo = 'deploys';
const environment = 'production';
const dashboardUrl = 'http://127.0.0.1:3100/';
const checkName = `gradual/rollout ${namespace}/web`;

let github: TestGithub;
let bot: RunningBot;
let alice: Person;
let bob: Person;

function rolloutYaml(image: string): string {
  return canaryRolloutYaml({ image, replicas: 2, steps: ['setWeight: 50', 'pause: {}'] });
}

interface Seen {
  id: number;
  sha: string;
  environment: string;
  states: string[];
  statuses: { state: string; environment_url?: string; log_url?: string }[];
}

/** Every deployment of the repository, oldest first, each with its statuses oldest first. */
async function deployments(): Promise<Seen[]> {
  const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
  const listed = (await octokit.rest.repos.listDeployments({ owner, repo, per_page: 100 })).data;
  const seen = await Promise.all(
    listed.map(async (deployment) => {
      const statuses = (
        await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: deployment.id, per_page: 100 })
      ).data.reverse();
      return {
        id: deployment.id,
        sha: deployment.sha,
        environment: deployment.environment,
        states: statuses.map((status) => status.state),
        statuses: statuses.map((status) => ({
          state: status.state,
          ...(status.environment_url !== undefined && { environment_url: status.environment_url }),
          ...(status.log_url !== undefined && { log_url: status.log_url }),
        })),
      };
    }),
  );
  return seen.sort((a, b) => a.id - b.id);
}

async function untilDeployment(sha: string, what: string, predicate: (states: string[]) => boolean): Promise<Seen[]> {
  let found: Seen[] = [];
  await waitUntil(
    async () => {
      found = (await deployments()).filter((deployment) => deployment.sha === sha);
      return found.length > 0 && predicate(found.at(-1)?.states ?? []);
    },
    { what: `the deployment of ${sha.slice(0, 7)}: ${what}`, timeoutMs: 90_000, intervalMs: 250 },
  );
  return found;
}

async function mergeRefusal(number: number): Promise<string | undefined> {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.pulls.merge({ owner, repo, pull_number: number }).then(
    () => undefined,
    (error: unknown) => `${String((error as { status: number }).status)} ${(error as { message: string }).message}`,
  );
}

beforeAll(async () => {
  ({ github, bot } = await startGithubAndBot({ cluster, owner, config: { dashboardUrl }, githubRetryAfterBaseMs: 20 }));
  ({ alice, bob } = await seedPeople(github, owner, { alice: 'admin', bob: 'write' }));
  await createRepository(github, alice, {
    owner,
    repo,
    files: { '.gradual.yml': oneEnvironmentPolicy(environment, namespace), 'apps/web/rollout.yaml': rolloutYaml('example.test/web:blue') },
    collaborators: { bob: 'write' },
  });
  // "Require deployments to succeed before merging": a ruleset on the default branch.
  await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.repos.createRepoRuleset({
    owner,
    repo,
    name: 'deployed before merging',
    enforcement: 'active',
    target: 'branch',
    conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    rules: [{ type: 'required_deployments', parameters: { required_deployment_environments: [environment] } }],
  });
  await untilFirstRevisionHealthy(cluster);
}, 180_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
});

describe('GitHub Deployments follow the rollout', { timeout: 240_000 }, () => {
  it('an aborted deploy is a failed Deployment the merge is refused on; closing unmerged marks it inactive; a promoted one succeeds and the merge goes through', async () => {
    const red = await pushBranch(bob, {
      owner,
      repo,
      branch: 'red',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:red') },
      message: 'web: red',
    });
    const redNumber = await openPullRequest(bob, { owner, repo, head: 'red', title: 'Roll out red' });
    const started = await untilDeployment(red, 'in progress', (states) => states.at(-1) === 'in_progress');
    expect(started).toHaveLength(1);
    expect(started[0]?.environment).toBe(environment);
    expect(started[0]?.statuses[0]?.environment_url).toBe(dashboardUrl);
    expect(await mergeRefusal(redNumber)).toMatch(
      /^405 Repository rule violations found[\s\S]*Required deployment to "production" has not succeeded \(in_progress\)/u,
    );

    await cluster.untilRollout('web', 'paused for a person', (rollout) => (rollout.status?.pauseConditions?.length ?? 0) > 0);
    await comment(bob, { owner, repo, number: redNumber, body: '/abort' });
    await untilDeployment(red, 'failure after /abort', (states) => states.at(-1) === 'failure');
    expect(await mergeRefusal(redNumber)).toMatch(/Required deployment to "production" has not succeeded \(failure\)/u);

    await close(bob, { owner, repo, number: redNumber });
    const closed = await untilDeployment(red, 'inactive after closing unmerged', (states) => states.at(-1) === 'inactive');
    expect(closed.map((deployment) => deployment.states)).toEqual([['in_progress', 'failure', 'inactive']]);

    const green = await pushBranch(bob, {
      owner,
      repo,
      branch: 'green',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:green') },
      message: 'web: green',
    });
    const greenNumber = await openPullRequest(bob, { owner, repo, head: 'green', title: 'Roll out green' });
    await untilDeployment(green, 'in progress', (states) => states.at(-1) === 'in_progress');
    await cluster.untilRollout(
      'web',
      'green paused for a person',
      (rollout) =>
        (rollout.status?.pauseConditions?.length ?? 0) > 0 && JSON.stringify(rollout.spec.template).includes('example.test/web:green'),
    );
    expect(await mergeRefusal(greenNumber)).toMatch(/^405 /u);
    await comment(bob, { owner, repo, number: greenNumber, body: '/promote' });
    const promoted = await untilDeployment(green, 'success after /promote', (states) => states.at(-1) === 'success');
    expect(promoted.map((deployment) => deployment.states)).toEqual([['in_progress', 'success']]);
    // log_url is the rollout check's page; environment_url the dashboard.
    const success = promoted[0]?.statuses.at(-1);
    expect(success?.environment_url).toBe(dashboardUrl);
    const checkRuns = (
      await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.checks.listForRef({
        owner,
        repo,
        ref: green,
        check_name: checkName,
      })
    ).data.check_runs;
    expect(success?.log_url).toBe(checkRuns[0]?.html_url);

    expect(await merge(alice, { owner, repo, number: greenNumber })).toMatch(/^[0-9a-f]{40}$/u);
    // One Deployment per environment per pull-request deploy, no more.
    expect((await deployments()).map((deployment) => [deployment.sha, deployment.environment])).toEqual([
      [red, environment],
      [green, environment],
    ]);
    expect(github.violations).toEqual([]);
  });
});
