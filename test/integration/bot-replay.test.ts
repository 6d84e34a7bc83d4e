import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockName } from '../../src/gitops/environment-lock.js';
import { startBot, type GradualConfig, type RunningBot } from '../../src/gitops/index.js';
import { systemClock, type Clock } from '../../src/kube/index.js';
import {
  comment,
  createRepositoryFromFolder,
  merge,
  openPullRequest,
  pressCheckRunButton,
  pushBranch,
  type Person,
} from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type ReceivedWebhook, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Issue 22, Replay: every delivery GitHub sent in a pull request's life (opened, /promote, a check-run button
// press, the merge, pushes to main) sent again an hour later — the bot's clock injected and moved on an
// hour, its delivery ledger gone — changes nothing: no reaction, check run or comment created, the Rollout
// and the environment's lock as they were.
const cluster = testCluster('replay');
withRolloutController(cluster);
const { namespace } = cluster;
const owner = 'acme';
const repo = 'replay';
const rolloutCheck = `gradual/rollout ${namespace}/api`;
const hourMs = 60 * 60 * 1000;

let github: TestGithub;
let bot: RunningBot | undefined;
let alice: Person;
let bob: Person;
let config: GradualConfig;
/** The bot's clock: the process's, moved on by `offset` (the test's injection point). */
const offset = { ms: 0 };
const clock: Clock = {
  now: () => systemClock.now() + offset.ms,
  setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
  clearTimeout: (handle) => {
    systemClock.clearTimeout(handle);
  },
};

function rolloutYaml(image: string): string {
  return `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector:\n    matchLabels: { app: api }\n  template:\n    metadata:\n      labels: { app: api }\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n  strategy:\n    canary:\n      steps:\n        - setWeight: 25\n        - pause: {}\n        - setWeight: 50\n        - pause: {}\n        - setWeight: 100\n`;
}

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

async function startReplayBot(): Promise<RunningBot> {
  const running = await startBot({
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
    config,
    logger: createLogger({ level: 'warn' }),
    clock,
  });
  github.setWebhookUrl(running.url);
  return running;
}

function lastSeq(): number {
  return github.server.requestLog().at(-1)?.seq ?? 0;
}

/** What only acting creates, by the bot: reactions, check runs, comments. */
function creations(since: number): string[] {
  return github.server
    .requestLog()
    .filter((entry) => entry.seq > since && entry.caller.startsWith('installation:') && entry.method === 'POST')
    .map((entry) => `${entry.method} ${entry.route}`);
}

async function untilQuiet(): Promise<void> {
  let seen = lastSeq();
  let since = performance.now();
  await waitUntil(
    () => {
      if (lastSeq() !== seen) {
        seen = lastSeq();
        since = performance.now();
      }
      return Promise.resolve(performance.now() - since > 3000);
    },
    { what: 'the bot to be quiet', timeoutMs: 90_000, intervalMs: 200 },
  );
}

async function checkRun(sha: string, name: string): Promise<{ id: number; conclusion: string | null } | undefined> {
  const runs = (await octokit().rest.checks.listForRef({ owner, repo, ref: sha, check_name: name })).data.check_runs;
  return runs[0] === undefined ? undefined : { id: runs[0].id, conclusion: runs[0].conclusion };
}

async function redeliver(delivery: ReceivedWebhook, to: string): Promise<number> {
  const headers = Object.fromEntries(
    Object.entries(delivery.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
    ),
  );
  expect(headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', github.webhookSecret).update(delivery.body).digest('hex')}`);
  return (await fetch(to, { method: 'POST', headers, body: delivery.body })).status;
}

beforeAll(async () => {
  github = await startTestGithub({ git: true });
  config = {
    clusters: { local: { kubeconfig: cluster.kubeconfigPath } },
    repositories: [{ match: `${owner}/*`, environments: { '*': 'local' } }],
    cacheDir: await mkdtemp(join(tmpdir(), 'gradual-clones-')),
    state: { cluster: 'local', namespace },
  };
  bot = await startReplayBot();
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
  const folder = await mkdtemp(join(tmpdir(), 'gradual-replay-'));
  await mkdir(join(folder, 'apps'), { recursive: true });
  await writeFile(
    join(folder, '.gradual.yml'),
    `environments:\n  - name: staging\n    paths: ['apps/*.yaml']\n    namespace: ${namespace}\n`,
  );
  await writeFile(join(folder, 'apps', 'rollout.yaml'), rolloutYaml('example.test/api:blue'));
  await createRepositoryFromFolder(alice, { owner, repo, folder });
  await github.server.update((state) => {
    const repository = state.repositories.find((candidate) => candidate.name === repo);
    if (repository !== undefined) Object.assign(repository.collaborators, { bob: 'write' });
  });
  await cluster.untilRollout('api', 'main Healthy', (rollout) => rollout.status?.phase === 'Healthy');
}, 300_000);

afterAll(async () => {
  await bot?.stop();
  await github.stop();
});

describe('replay an hour later', { timeout: 300_000 }, () => {
  it('every recorded delivery, pushes and a button press included, sent again an hour later changes nothing', async () => {
    if (bot === undefined) throw new Error('no bot');
    const head = await pushBranch(bob, {
      owner,
      repo,
      branch: 'purple',
      files: { 'apps/rollout.yaml': rolloutYaml('example.test/api:purple') },
      message: 'api: purple',
    });
    const purple = await openPullRequest(bob, { owner, repo, head: 'purple', title: 'api: purple' });
    await cluster.untilRollout(
      'api',
      'paused at step 1',
      (rollout) => rollout.status?.currentStepIndex === 1 && (rollout.status.pauseConditions ?? []).length > 0,
    );
    await waitUntil(async () => (await checkRun(head, rolloutCheck))?.conclusion === 'action_required', {
      what: 'the rollout check asking for a person',
      timeoutMs: 60_000,
    });
    // /promote by comment: past the first pause.
    await comment(bob, { owner, repo, number: purple, body: '/promote' });
    await cluster.untilRollout(
      'api',
      'paused at step 3',
      (rollout) => rollout.status?.currentStepIndex === 3 && (rollout.status.pauseConditions ?? []).length > 0,
    );
    // The check run's button: past the second pause, to the end.
    let paused: { id: number; conclusion: string | null } | undefined;
    await waitUntil(
      async () => {
        paused = await checkRun(head, rolloutCheck);
        return paused?.conclusion === 'action_required';
      },
      { what: 'the rollout check asking for a person again', timeoutMs: 60_000 },
    );
    await pressCheckRunButton({ apiUrl: github.server.url, login: 'bob', checkRunId: paused?.id ?? 0, identifier: 'promote' });
    await cluster.untilRollout('api', 'purple Healthy', (rollout) => rollout.status?.phase === 'Healthy');
    // Merged, then main moves on: the environment follows main (blue2), rolling out to its first pause.
    await merge(alice, { owner, repo, number: purple });
    await pushBranch(alice, {
      owner,
      repo,
      branch: 'main',
      files: { 'apps/rollout.yaml': rolloutYaml('example.test/api:blue2') },
      message: 'api: blue2',
    });
    await cluster.untilRollout(
      'api',
      'main at blue2, paused',
      (rollout) =>
        rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:blue2' &&
        (rollout.status?.pauseConditions ?? []).length > 0,
    );
    await untilQuiet();
    const events = github.received.map((delivery) => String(delivery.headers['x-github-event']));
    expect(events).toEqual(expect.arrayContaining(['push', 'pull_request', 'issue_comment', 'check_run']));

    // An hour later, a fresh process (its ledger in memory gone) and the ledger ConfigMap deleted: only the records remain.
    await bot.stop();
    bot = undefined;
    await cluster.core.deleteNamespacedConfigMap({ namespace, name: 'gradual-deliveries' });
    offset.ms = hourMs;
    bot = await startReplayBot();
    await untilQuiet();
    const lease = async (): Promise<Record<string, string> | undefined> =>
      (await cluster.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name: lockName('staging') })).metadata
        ?.annotations;
    const botComments = async (): Promise<string[]> =>
      (await octokit().rest.issues.listComments({ owner, repo, issue_number: purple, per_page: 100 })).data
        .filter((item) => item.user?.login.endsWith('[bot]') === true)
        .map((item) => item.body ?? '');
    const before = { rollout: await cluster.readRollout('api'), lease: await lease(), comments: await botComments() };
    const mark = lastSeq();
    const startedAt = performance.now();
    for (const delivery of [...github.received]) expect(await redeliver(delivery, bot.url)).toBeLessThan(300);
    await untilQuiet();
    const after = { rollout: await cluster.readRollout('api'), lease: await lease(), comments: await botComments() };
    expect(after.comments).toEqual(before.comments);
    expect(creations(mark)).toEqual([]);
    expect([
      after.rollout.metadata?.generation,
      after.rollout.spec.template?.spec?.containers?.[0]?.image,
      after.rollout.status?.currentStepIndex,
    ]).toEqual([before.rollout.metadata?.generation, 'example.test/api:blue2', before.rollout.status?.currentStepIndex]);
    expect(after.rollout.metadata?.annotations?.['gradual.dev/commands']).toBe(
      before.rollout.metadata?.annotations?.['gradual.dev/commands'],
    );
    expect(after.lease).toEqual(before.lease);
    expect(github.violations).toEqual([]);
    process.stdout.write(
      `replay drill: ${JSON.stringify({ deliveriesReplayed: github.received.length, clockOffsetMs: offset.ms, events: [...new Set(events)], replayMs: Math.round(performance.now() - startedAt) })}\n`,
    );
  });
});
