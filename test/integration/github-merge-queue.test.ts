import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { startBot, type RunningBot } from '../../src/gitops/index.js';
import { mergeGroupCheckName } from '../../src/gitops/merge-queue.js';
import {
  comment,
  createRepositoryFromFolder,
  mergeQueue,
  openPullRequest,
  pushBranch,
  type Person,
} from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Issue 23's merge-queue scenario on the local GitHub's merge queue (src/local/github/merge-queue.ts) with the
// bot answering merge_group.checks_requested (src/gitops/merge-queue.ts): two pull requests queued, one rolled
// out and Healthy, the other changed after its rollout; the group check fails naming it, and once it is out of
// the queue the other's group passes and the queue merges it.
const cluster = testCluster('github-merge-queue');
withRolloutController(cluster);
const { namespace } = cluster;
const owner = 'acme';
const repo = 'queue';

let github: TestGithub;
let bot: RunningBot;
let alice: Person;
let bob: Person;

/** `web` rolls out without a pause; `api` pauses for a person after its first step. */
function rolloutYaml(name: string, image: string, pause: boolean): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
  strategy:
    canary:
      steps:
        - setWeight: 50
${pause ? '        - pause: {}\n' : ''}        - setWeight: 100
`;
}

interface Run {
  id: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
}

async function runs(ref: string, name: string): Promise<Run[]> {
  const found = await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.checks.listForRef({
    owner,
    repo,
    ref,
    check_name: name,
    filter: 'all',
    per_page: 100,
  });
  return found.data.check_runs
    .map((run) => ({ id: run.id, status: run.status, conclusion: run.conclusion, title: run.output.title, summary: run.output.summary }))
    .sort((a, b) => a.id - b.id);
}

async function untilCheck(ref: string, name: string, what: string, predicate: (run: Run) => boolean): Promise<Run> {
  let latest: Run | undefined;
  await waitUntil(
    async () => {
      latest = (await runs(ref, name)).at(-1);
      return latest !== undefined && predicate(latest);
    },
    { what: `${name} on ${ref.slice(0, 7)}: ${what} (latest: ${JSON.stringify(latest)})`, timeoutMs: 120_000, intervalMs: 250 },
  );
  if (latest === undefined) throw new Error('unreachable');
  return latest;
}

/**
 * The repository's CI passing `gradual/merge-group` on a pull request's head: GitHub queues only a pull
 * request whose required checks passed (README, "Merge queues"), and the bot reports that check on merge
 * groups only, so a repository requiring it has its pull-request CI report it (as GitHub's docs ask of
 * workflows required in a queue: they run on `pull_request` and on `merge_group`).
 */
async function pullRequestCi(sha: string): Promise<void> {
  await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.repos.createCommitStatus({
    owner,
    repo,
    sha,
    state: 'success',
    context: mergeGroupCheckName,
    description: 'judged on the merge group',
  });
}

interface GroupDelivery {
  action: string;
  reason?: string;
  merge_group: { head_sha: string; base_sha: string; head_ref: string };
}

function groupDeliveries(): GroupDelivery[] {
  return github.server
    .state()
    .deliveries.filter((delivery) => delivery.event === 'merge_group')
    .map((delivery) => JSON.parse(delivery.body) as GroupDelivery);
}

const healthy = (rollout: Rollout): boolean =>
  rollout.status?.phase === 'Healthy' && rollout.status.stableRS === rollout.status.currentPodHash;

beforeAll(async () => {
  github = await startTestGithub({ git: true });
  bot = await startBot({
    environment: {
      appId: github.appId,
      privateKey: github.privateKey,
      webhookSecret: github.webhookSecret,
      webhookPath: '/api/github/webhooks',
      baseUrl: `${github.server.url}/api/v3`,
      port: 0,
      host: '127.0.0.1',
      configFile: undefined,
    },
    config: {
      clusters: { local: { kubeconfig: cluster.kubeconfigPath } },
      repositories: [{ match: `${owner}/*`, environments: { '*': 'local' } }],
      cacheDir: await mkdtemp(join(tmpdir(), 'gradual-clones-')),
    },
    logger: createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' }),
  });
  github.setWebhookUrl(bot.url);
  const tokens = await github.server.update((state) => {
    const now = new Date();
    seedInstallation(state, owner, now);
    return {
      alice: seedPerson(state, { login: 'alice', role: 'admin', now }),
      bob: seedPerson(state, { login: 'bob', role: 'write', now }),
    };
  });
  alice = { login: 'alice', token: tokens.alice, apiUrl: github.server.url };
  bob = { login: 'bob', token: tokens.bob, apiUrl: github.server.url };
  const folder = await mkdtemp(join(tmpdir(), 'gradual-queue-repo-'));
  await mkdir(join(folder, 'apps', 'web'), { recursive: true });
  await mkdir(join(folder, 'apps', 'api'), { recursive: true });
  await writeFile(
    join(folder, '.gradual.yml'),
    `environments:\n  - name: web\n    paths: ['apps/web/*.yaml']\n    namespace: ${namespace}\n  - name: api\n    paths: ['apps/api/*.yaml']\n    namespace: ${namespace}\n`,
  );
  await writeFile(join(folder, 'apps', 'web', 'rollout.yaml'), rolloutYaml('web', 'example.test/web:blue', false));
  await writeFile(join(folder, 'apps', 'api', 'rollout.yaml'), rolloutYaml('api', 'example.test/api:blue', true));
  await createRepositoryFromFolder(alice, { owner, repo, folder });
  await github.server.update((state) => {
    const repository = state.repositories.find((candidate) => candidate.name === repo);
    if (repository !== undefined) repository.collaborators['bob'] = 'write';
  });
  // The merge queue on the default branch, with the bot's group verdict required from the bot (its app id).
  await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.repos.createRepoRuleset({
    owner,
    repo,
    name: 'merge queue',
    enforcement: 'active',
    target: 'branch',
    conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    rules: [
      { type: 'merge_queue' },
      {
        type: 'required_status_checks',
        parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: mergeGroupCheckName }] },
      },
    ],
  });
  await cluster.untilRollout('web', 'the first revision of web to be Healthy', healthy);
  await cluster.untilRollout('api', 'the first revision of api to be Healthy', healthy);
}, 180_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
});

describe('a merge queue of two pull requests', { timeout: 480_000 }, () => {
  it('one rolled out and Healthy, the other changed after its rollout: the group check fails naming it; once it is out of the queue the other merges', async () => {
    // #1: web green, rolled out without a pause, Healthy.
    const webSha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'web-green',
      files: { 'apps/web/rollout.yaml': rolloutYaml('web', 'example.test/web:green', false) },
      message: 'web: green',
    });
    const web = await openPullRequest(bob, { owner, repo, head: 'web-green', title: 'Roll out web green' });
    await untilCheck(webSha, `gradual/rollout ${namespace}/web`, 'rolled out and Healthy', (run) => run.conclusion === 'success');

    // #2: api green, promoted and Healthy; then changed (api teal): its new head is deployed and paused, not promoted.
    const apiGreen = await pushBranch(bob, {
      owner,
      repo,
      branch: 'api-change',
      files: { 'apps/api/rollout.yaml': rolloutYaml('api', 'example.test/api:green', true) },
      message: 'api: green',
    });
    const api = await openPullRequest(bob, { owner, repo, head: 'api-change', title: 'Roll out api green' });
    const apiCheck = `gradual/rollout ${namespace}/api`;
    await untilCheck(apiGreen, apiCheck, 'paused', (run) => run.conclusion === 'action_required');
    await comment(bob, { owner, repo, number: api, body: '/promote' });
    await untilCheck(apiGreen, apiCheck, 'promoted and Healthy', (run) => run.conclusion === 'success');
    const apiTeal = await pushBranch(bob, {
      owner,
      repo,
      branch: 'api-change',
      files: { 'apps/api/rollout.yaml': rolloutYaml('api', 'example.test/api:teal', true) },
      message: 'api: teal',
    });
    await untilCheck(apiTeal, apiCheck, 'the changed head paused', (run) => run.conclusion === 'action_required');

    // Both queued (the changed one first), each having passed the repository's pull-request CI.
    await pullRequestCi(webSha);
    await pullRequestCi(apiTeal);
    const main = (await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.repos.getBranch({ owner, repo, branch: 'main' }))
      .data.commit.sha;
    expect(await mergeQueue(bob, { owner, repo, number: api, action: 'enqueue' })).toEqual([api]);
    expect(await mergeQueue(bob, { owner, repo, number: web, action: 'enqueue' })).toEqual([api, web]);
    await github.server.idle();
    const [apiGroup, bothGroup] = groupDeliveries().filter((delivery) => delivery.action === 'checks_requested');
    expect(apiGroup?.merge_group.base_sha).toBe(main);
    expect(bothGroup?.merge_group.base_sha).toBe(apiGroup?.merge_group.head_sha);

    // The bot judges the pull requests a group adds to its parent (merge_group.base_sha: the base branch for the
    // first group, the group ahead for the next). #2's group fails and names #2 only, with why; the group after it
    // adds #1, which is rolled out and Healthy, but the queue merges nothing past a failing group.
    const failed = await untilCheck(
      apiGroup?.merge_group.head_sha ?? '',
      mergeGroupCheckName,
      'judged',
      (run) => run.status === 'completed',
    );
    expect(failed.conclusion, `${failed.title ?? ''}\n${failed.summary ?? ''}`).toBe('failure');
    expect(failed.title).toContain(`#${String(api)}`);
    expect(failed.title).not.toContain(`#${String(web)}`);
    expect(failed.summary).toContain(`#${String(api)}: ${namespace}/api is Paused`);
    // The bot writes the group's checks one after the other (gradual/merge-group first): wait for the rollout check too.
    const failedRollout = await untilCheck(apiGroup?.merge_group.head_sha ?? '', apiCheck, 'judged', (run) => run.status === 'completed');
    expect(failedRollout.conclusion).toBe('failure');

    // GitHub takes #2 out of the queue; #1's group is built again on main alone, passes, and the queue merges it.
    await waitUntil(
      async () =>
        (await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.pulls.get({ owner, repo, pull_number: web })).data.merged,
      {
        what: `#${String(web)} merged by the queue (merge_group deliveries: ${JSON.stringify(groupDeliveries().map((d) => `${d.action}:${d.reason ?? ''}`))})`,
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
    await github.server.idle();
    const deliveries = groupDeliveries();
    expect(deliveries.map((delivery) => `${delivery.action}${delivery.reason === undefined ? '' : `:${delivery.reason}`}`)).toEqual([
      'checks_requested',
      'checks_requested',
      'destroyed:dequeued',
      'destroyed:invalidated',
      'checks_requested',
      'destroyed:merged',
    ]);
    const webGroup = deliveries[4]?.merge_group;
    expect(webGroup?.base_sha).toBe(main);
    const passed = await runs(webGroup?.head_sha ?? '', mergeGroupCheckName);
    expect(passed.at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
    const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
    expect((await octokit.rest.repos.getBranch({ owner, repo, branch: 'main' })).data.commit.sha).toBe(webGroup?.head_sha);
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: api })).data).toMatchObject({ state: 'open', merged: false });
    expect(github.server.state().mergeQueue).toEqual([]);
    expect(github.violations).toEqual([]);
  });
});
