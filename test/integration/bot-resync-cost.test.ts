import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/gitops/index.js';
import { createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import type { RequestLogEntry } from '../../src/local/github/request-log.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

// Issue 22: a resync re-planned every open pull request, 6–8 GitHub requests each (at 100 pull requests every
// 300 s, near an installation's 5,000 requests an hour). A pull request whose checks are current (same head,
// same default-branch commit, every environment settled) is not planned again: counted here on the local
// GitHub's request log, one resync after another.
const cluster = testCluster('resync-cost');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'resync';
const pullRequests = 5;

let github: TestGithub;
let bot: RunningBot;
let alice: Person;

function rolloutYaml(image: string): string {
  return `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: api\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: api }\n  template:\n    metadata:\n      labels: { app: api }\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n  strategy:\n    canary:\n      steps:\n        - setWeight: 50\n        - pause: {}\n`;
}

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

/** The bot's requests (as its installation or as the app) after `since`. */
function botRequests(since: number): RequestLogEntry[] {
  return github.server
    .requestLog()
    .filter((entry) => entry.seq > since && (entry.caller.startsWith('installation:') || entry.caller === 'app'));
}

function lastSeq(): number {
  return github.server.requestLog().at(-1)?.seq ?? 0;
}

/** Until the bot's queue is empty and it sent nothing for a second. */
async function untilIdle(): Promise<void> {
  let seen = lastSeq();
  let since = performance.now();
  await waitUntil(
    () => {
      const metrics = bot.bot.reconciler.queue.metrics();
      if (lastSeq() !== seen || metrics.depth > 0 || metrics.inFlight > 0 || metrics.delayed > 0) {
        seen = lastSeq();
        since = performance.now();
      }
      return Promise.resolve(performance.now() - since > 1000);
    },
    { what: 'the bot to be idle', timeoutMs: 90_000, intervalMs: 100 },
  );
}

async function resyncCost(): Promise<{ total: number; byRoute: Record<string, number> }> {
  await untilIdle();
  const mark = lastSeq();
  expect(await bot.bot.reconciler.resync()).toBeGreaterThanOrEqual(pullRequests);
  await untilIdle();
  const requests = botRequests(mark);
  const byRoute: Record<string, number> = {};
  for (const entry of requests) byRoute[`${entry.method} ${entry.route}`] = (byRoute[`${entry.method} ${entry.route}`] ?? 0) + 1;
  return { total: requests.length, byRoute };
}

beforeAll(async () => {
  await cluster.setUp();
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
      state: { cluster: 'local', namespace },
      // Resyncs only when the test asks.
      resyncSeconds: 3600,
    },
    logger: createLogger({ level: 'warn' }),
  });
  github.setWebhookUrl(bot.url);
  const tokens = await github.server.update((state) => {
    const now = new Date();
    seedInstallation(state, owner, now);
    return { alice: seedPerson(state, { login: 'alice', role: 'admin', now }) };
  });
  alice = { login: 'alice', token: tokens.alice, apiUrl: github.server.url };
  const folder = await mkdtemp(join(tmpdir(), 'gradual-resync-cost-'));
  await mkdir(join(folder, 'apps'), { recursive: true });
  await writeFile(
    join(folder, '.gradual.yml'),
    `environments:\n  - name: staging\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`,
  );
  await writeFile(join(folder, 'apps', 'rollout.yaml'), rolloutYaml('example.test/api:blue'));
  await createRepositoryFromFolder(alice, { owner, repo, folder });
}, 300_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
  await cluster.tearDown();
});

describe('resync cost', { timeout: 300_000 }, () => {
  it('a pull request whose checks are current is not planned again by a resync; a new push to it is', async () => {
    // One pull request deploys to staging; the others change no manifest (planned: nothing to deploy).
    const heads: string[] = [];
    for (let index = 0; index < pullRequests; index += 1) {
      const branch = `change-${String(index)}`;
      const files =
        index === 0 ? { 'apps/rollout.yaml': rolloutYaml('example.test/api:purple') } : { [`docs/${branch}.md`]: `# ${branch}\n` };
      heads.push(await pushBranch(alice, { owner, repo, branch, files, message: branch }));
      await openPullRequest(alice, { owner, repo, head: branch, title: branch });
    }
    for (const head of heads)
      await waitUntil(
        async () =>
          (await octokit().rest.checks.listForRef({ owner, repo, ref: head, check_name: 'gradual/plan' })).data.check_runs.some(
            (run) => run.status === 'completed',
          ),
        { what: `the plan of ${head.slice(0, 7)}`, timeoutMs: 90_000 },
      );

    // The first resync plans each pull request (the webhooks planned them, not a reconcile); the second finds them current.
    const first = await resyncCost();
    const second = await resyncCost();
    const replans = (cost: { byRoute: Record<string, number> }): number =>
      cost.byRoute['GET /repos/{owner}/{repo}/pulls/{pull_number}/files'] ?? 0;
    const checkWrites = (cost: { byRoute: Record<string, number> }): number =>
      Object.entries(cost.byRoute)
        .filter(([route]) => /^(POST|PATCH) .*check-runs/u.test(route))
        .reduce((sum, [, count]) => sum + count, 0);
    expect(replans(first)).toBe(pullRequests);
    expect(replans(second)).toBe(0);
    expect(checkWrites(second)).toBe(0);
    // Per pull request now: itself, the default branch's head, its comments.
    expect(second.total).toBeLessThanOrEqual(first.total - 3 * pullRequests);

    // A new push is planned by the next resync even when its webhook is lost.
    github.setWebhookUrl(undefined);
    const pushed = await pushBranch(alice, {
      owner,
      repo,
      branch: 'change-1',
      files: { 'docs/change-1.md': '# again\n' },
      message: 'again',
    });
    github.setWebhookUrl(bot.url);
    const third = await resyncCost();
    expect(replans(third)).toBe(1);
    expect(
      (await octokit().rest.checks.listForRef({ owner, repo, ref: pushed, check_name: 'gradual/plan' })).data.check_runs.map(
        (run) => run.status,
      ),
    ).toEqual(['completed']);
    process.stdout.write(
      `resync cost: ${JSON.stringify({ pullRequests, firstResyncRequests: first.total, currentResyncRequests: second.total, afterOnePushRequests: third.total, savedPerPullRequest: (first.total - second.total) / pullRequests, currentByRoute: second.byRoute })}\n`,
    );
  });
});
