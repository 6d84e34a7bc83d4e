import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { deployerIdentity } from '../../src/gitops/deployer-rbac.js';
import { lockName } from '../../src/gitops/environment-lock.js';
import { installDeployer } from '../../src/gitops/install-deployer.js';
import { close, comment, forkRepository, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import { stateFileName } from '../../src/local/github/state-file.js';
import { startTestGithub, type ReceivedWebhook, type TestGithub } from '../../src/local/github/testing.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { createRepository, oneEnvironmentPolicy, seedPeople, untilFirstRevisionHealthy } from './support/bot-story.js';
import { canaryRolloutYaml } from './support/rollout-yaml.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// What the bot promises beyond the happy path, with the bot as its own `gradual bot` process:
// one pull request per environment at a time, webhooks delivered twice or out of order,
// a SIGKILL mid-rollout, a pull request that edits the policy, and a planted provider
// token that must never reach a log line, a comment or a check run.
const cluster = testCluster('gitops-guarantees');
withRolloutController(cluster);
const { namespace, core } = cluster;
const owner = 'acme';
const repo = 'guarantees';
const rolloutCheck = `gradual/rollout ${namespace}/api`;
const deployCheck = 'gradual/deploy staging';
/** The provider token the analysis sends as a header: it must never be seen outside the cluster and the provider. */
const plantedToken = 'planted-provider-token-6f1c2a9e4b';

let github: TestGithub;
let runs: AnalysisRunController;
let provider: Server;
let bot: { child: ChildProcess; url: string; output: string[] } | undefined;
const botOutput: string[] = [];
let configFile: string;
/** The bot's log, kept beside the test's other files for a post-mortem. */
let botLogFile: string;
let alice: Person;
let bob: Person;
let carol: Person;
let mallory: Person;

function rolloutYaml(image: string): string {
  return canaryRolloutYaml({
    name: 'api',
    image,
    replicas: 2,
    steps: ['setWeight: 50', 'pause: {}', 'analysis:\n            templates:\n              - templateName: health', 'setWeight: 100'],
  });
}

function templateYaml(url: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: health
spec:
  args:
    - name: token
      valueFrom:
        secretKeyRef: { name: provider-token, key: token }
  metrics:
    - name: health
      interval: 2s
      count: 3
      successCondition: result == true
      provider:
        web:
          url: ${url}
          headers:
            - key: Authorization
              value: 'Bearer {{args.token}}'
          jsonPath: '{$.ok}'
`;
}

function octokitFor(person: Person): Octokit {
  return new Octokit({ baseUrl: person.apiUrl, auth: person.token });
}

interface CheckFacts {
  id: number;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
}

async function checkRuns(sha: string, name: string): Promise<CheckFacts[]> {
  const found = await octokitFor(alice).rest.checks.listForRef({ owner, repo, ref: sha, check_name: name });
  return found.data.check_runs.map((run) => ({
    id: run.id,
    status: run.status,
    conclusion: run.conclusion,
    title: run.output.title ?? '',
    summary: run.output.summary ?? '',
  }));
}

async function untilCheck(sha: string, name: string, what: string, predicate: (run: CheckFacts) => boolean): Promise<CheckFacts> {
  let last: CheckFacts | undefined;
  await waitUntil(
    async () => {
      last = (await checkRuns(sha, name))[0];
      return last !== undefined && predicate(last);
    },
    {
      what: `${name} on ${sha.slice(0, 7)}: ${what} (last: ${JSON.stringify(last === undefined ? null : { status: last.status, conclusion: last.conclusion, title: last.title })})`,
      timeoutMs: 90_000,
      intervalMs: 200,
    },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

async function comments(number: number): Promise<{ id: number; body: string; login: string }[]> {
  const list = await octokitFor(alice).rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 });
  return list.data.map((item) => ({ id: item.id, body: item.body ?? '', login: item.user?.login ?? '' }));
}

async function reactionsOn(commentId: number): Promise<string[]> {
  const reactions = await octokitFor(alice).rest.reactions.listForIssueComment({ owner, repo, comment_id: commentId });
  return reactions.data.map((reaction) => reaction.content);
}

/**
 * What only a webhook handler creates — reactions and check runs (the report loop updates
 * its check runs in place and may post a notice of its own while a test waits) — by the bot.
 */
function handlerCreations(sinceSeq: number): string[] {
  const created = new Set(['/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', '/repos/{owner}/{repo}/check-runs']);
  return github.server
    .requestLog()
    .filter(
      (entry) => entry.seq > sinceSeq && entry.caller.startsWith('installation:') && entry.method === 'POST' && created.has(entry.route),
    )
    .map((entry) => `${entry.method} ${entry.route}`);
}

/** The bot's comments whose body appears twice (a notice or a reply posted again); people may repeat themselves. */
async function repeatedComments(number: number): Promise<string[]> {
  const bodies = (await comments(number)).filter((item) => item.login.endsWith('[bot]')).map((item) => item.body);
  return bodies.filter((body, index) => bodies.indexOf(body) !== index);
}

function lastSeq(): number {
  return github.server.requestLog().at(-1)?.seq ?? 0;
}

/** `gradual bot` as an operator runs it: Probot's environment variables and a Gradual config file; one replica (a SIGKILLed one's Lease would hold its restart back; test/integration/bot-failover.test.ts has the election). */
async function startBotProcess(): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const cli = ownCliInvocation();
  const apiHost = new URL(github.server.url).host;
  const child = spawn(cli.command, [...cli.args, 'bot', '--no-leader-elect'], {
    cwd: cli.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      APP_ID: String(github.appId),
      PRIVATE_KEY: github.privateKey,
      WEBHOOK_SECRET: github.webhookSecret,
      GHE_HOST: apiHost,
      GHE_PROTOCOL: 'http',
      PORT: '0',
      HOST: '127.0.0.1',
      GRADUAL_CONFIG: configFile,
      // Every line the bot can write is swept for secrets below.
      GRADUAL_LOG_LEVEL: 'debug',
    },
  });
  const output: string[] = [];
  let url: string | undefined;
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output.push(text);
    botOutput.push(text);
    void appendFile(botLogFile, text);
    const listening = /"url":"(http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks)"[^\n]*"msg":"bot listening"/u.exec(output.join(''));
    if (listening !== null) url = listening[1];
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await waitUntil(() => Promise.resolve(url !== undefined || child.exitCode !== null), {
    what: 'the bot process to listen',
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  if (url === undefined) throw new Error(`the bot did not listen (exit code ${String(child.exitCode)}); its log: ${botLogFile}`);
  github.setWebhookUrl(url);
  return { child, url, output };
}

function killBot(running: { child: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    running.child.once('exit', () => {
      resolve();
    });
    running.child.kill('SIGKILL');
  });
}

/** Sends a recorded delivery to the bot again, as GitHub's "Redeliver" does: same body, same id, same signature. */
async function redeliver(delivery: ReceivedWebhook, to: string): Promise<number> {
  const headers = Object.fromEntries(
    Object.entries(delivery.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
    ),
  );
  // The recorded signature must still be GitHub's: the redelivery is exactly what GitHub sent.
  expect(headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', github.webhookSecret).update(delivery.body).digest('hex')}`);
  return (await fetch(to, { method: 'POST', headers, body: delivery.body })).status;
}

beforeAll(async () => {
  runs = createAnalysisRunController({ kubeConfig: cluster.kubeConfig, namespace, logger: createLogger({ level: 'warn' }) });
  await runs.start();
  // The analysis's provider answers only when the planted token is sent.
  provider = createServer((request, response) => {
    const authorized = request.headers.authorization === `Bearer ${plantedToken}`;
    response.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: authorized }));
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'provider-token' }, stringData: { token: plantedToken } } });

  github = await startTestGithub({ git: true });
  const work = await mkdtemp(join(tmpdir(), 'gradual-guarantees-'));
  configFile = join(work, 'gradual.yaml');
  botLogFile = join(work, 'bot.log');
  // As installed: the environment deploys as its namespace's deployer (impersonated), not as the test's administrator.
  await installDeployer(cluster.kubeConfig, namespace);
  await writeFile(
    configFile,
    `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: ${owner}/*\n    environments: { '*': { cluster: local, impersonate: { serviceAccount: ${deployerIdentity(namespace).serviceAccount} } } }\ncacheDir: ${join(work, 'clones')}\n`,
  );
  bot = await startBotProcess();

  // mallory is an outside contributor: her token can push her own fork and open pull requests; no role on the repository.
  ({ alice, bob, carol, mallory } = await seedPeople(github, owner, { alice: 'admin', bob: 'write', carol: 'read', mallory: 'write' }));
  const address = provider.address() as AddressInfo;
  await createRepository(github, alice, {
    owner,
    repo,
    folder: join(work, 'repository'),
    files: {
      '.gradual.yml': oneEnvironmentPolicy('staging', namespace),
      'apps/api/rollout.yaml': rolloutYaml('example.test/api:blue'),
      'apps/api/analysis.yaml': templateYaml(`http://127.0.0.1:${String(address.port)}/health`),
    },
    collaborators: { bob: 'write', carol: 'read' },
  });
  await untilFirstRevisionHealthy(cluster, 'api');
}, 300_000);

afterAll(async () => {
  if (bot !== undefined) await killBot(bot);
  await runs.stop();
  await github.stop();
  await new Promise((resolve) => provider.close(resolve));
});

describe('the bot’s guarantees', { timeout: 240_000 }, () => {
  let first: { number: number; sha: string };
  let second: { number: number; sha: string };

  it('two pull requests on one environment: the second waits naming the first; closing the first unmerged rolls back to main and the second proceeds', async () => {
    const shaA = await pushBranch(bob, {
      owner,
      repo,
      branch: 'green',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:green') },
      message: 'api: green',
    });
    first = { number: await openPullRequest(bob, { owner, repo, head: 'green', title: 'api: green' }), sha: shaA };
    await untilCheck(shaA, rolloutCheck, 'paused for a person', (run) => run.conclusion === 'action_required');

    const shaB = await pushBranch(bob, {
      owner,
      repo,
      branch: 'red',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:red') },
      message: 'api: red',
    });
    second = { number: await openPullRequest(bob, { owner, repo, head: 'red', title: 'api: red' }), sha: shaB };
    const waiting = await untilCheck(shaB, deployCheck, 'waiting for the first', (run) => run.status === 'queued');
    expect(waiting.title).toBe(`Waiting for #${String(first.number)} to release staging`);
    expect(waiting.summary).toContain(`#${String(first.number)}`);
    // The second applied nothing: the environment still runs the first pull request's image.
    expect((await cluster.readRollout('api')).spec.template?.spec?.containers?.[0]?.image).toBe('example.test/api:green');
    expect(await checkRuns(shaB, rolloutCheck)).toEqual([]);

    await close(bob, { owner, repo, number: first.number });
    // Rolled back to main (blue), then the second deployed (red) and paused at its step 2.
    await cluster.untilRollout(
      'api',
      'the second pull request deployed',
      (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:red',
    );
    const deployed = await untilCheck(shaB, deployCheck, 'deployed after the first closed', (run) => run.conclusion === 'success');
    expect(deployed.title).toBe(`Deployed ${shaB.slice(0, 7)} to staging`);
    await untilCheck(shaB, rolloutCheck, 'paused for a person', (run) => run.conclusion === 'action_required');
    await waitUntil(async () => (await comments(first.number)).some((item) => item.body.includes('Closed without merging')), {
      what: 'the close comment',
      timeoutMs: 30_000,
    });
    const closing = (await comments(first.number)).find((item) => item.body.includes('Closed without merging'));
    expect(closing?.body).toContain('rolled back to main@');
    expect(closing?.body).toContain(`#${String(second.number)} goes next`);
    expect(github.violations).toEqual([]);
  });

  it('a .gradual.yml changed by the pull request grants it nothing: the default branch’s policy still refuses a reader', async () => {
    // The pull request tries to let readers promote; the policy is read from main, so it does not count.
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'red',
      files: {
        '.gradual.yml': `commands:\n  promote:\n    permission: read\nenvironments:\n  - name: staging\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`,
      },
      message: 'let readers promote',
    });
    await untilCheck(sha, rolloutCheck, 'the rollout check on the new head', (run) => run.conclusion === 'action_required');
    const before = await cluster.readRollout('api');
    const refused = await comment(carol, { owner, repo, number: second.number, body: '/promote' });
    await waitUntil(async () => (await reactionsOn(refused)).includes('confused'), { what: 'the refusal', timeoutMs: 30_000 });
    expect((await comments(second.number)).some((item) => item.body.includes('carol') && item.body.includes('write'))).toBe(true);
    const after = await cluster.readRollout('api');
    expect([after.status?.currentStepIndex, after.status?.pauseConditions?.length]).toEqual([before.status?.currentStepIndex, 1]);
    second.sha = sha;
  });

  it('every webhook delivered twice and pairs swapped, before and after a SIGKILL mid-rollout: nothing applied or posted twice, and the check run carries on', async () => {
    if (bot === undefined) throw new Error('no bot');
    const promote = await comment(bob, { owner, repo, number: second.number, body: '/promote' });
    await waitUntil(async () => (await reactionsOn(promote)).includes('rocket'), { what: '🚀 on /promote', timeoutMs: 30_000 });
    // Mid-rollout: the analysis step (about 4 s: three measurements 2 s apart) is running. Waited for as reached
    // or passed: a poll that starts late must not miss a step the controller has already finished.
    await cluster.untilRollout('api', 'the analysis step', (rollout) => (rollout.status?.currentStepIndex ?? 0) >= 2);
    // GitHub keeps the paused run completed/action_required; the reporter goes on in a new run of the
    // same name (src/local/github/README.md, "GitHub's rules"). That run is the one that must carry on.
    await untilCheck(
      second.sha,
      rolloutCheck,
      'the rollout going on in a new run after /promote',
      (run) => run.conclusion !== 'action_required',
    );
    const checkBefore = await checkRuns(second.sha, rolloutCheck);
    expect(checkBefore).toHaveLength(1);
    const generation = (await cluster.readRollout('api')).metadata?.generation;

    // Redelivered to the live bot: each is recognised by its delivery id and dropped.
    const deliveries = [...github.received];
    let mark = lastSeq();
    for (const delivery of deliveries) expect(await redeliver(delivery, bot.url)).toBeLessThan(300);
    expect(handlerCreations(mark)).toEqual([]);

    await killBot(bot);
    bot = undefined;
    // The ledger of handled deliveries outlives the process (a ConfigMap): every delivery handled so far is in it.
    const ledger = await core.readNamespacedConfigMap({ namespace: 'default', name: 'gradual-deliveries' });
    // (Only the events the bot has a handler for: the others are not its to record.)
    const handledEvents = ['pull_request.opened', 'pull_request.synchronize', 'pull_request.closed', 'issue_comment.created', 'push.'];
    const handledIds = deliveries
      .filter((delivery) =>
        handledEvents.includes(
          `${String(delivery.headers['x-github-event'])}.${(JSON.parse(delivery.body) as { action?: string }).action ?? ''}`,
        ),
      )
      .map((delivery) => String(delivery.headers['x-github-delivery']));
    expect(handledIds.length).toBeGreaterThan(3);
    expect(handledIds.filter((id) => ledger.data?.[id] === undefined)).toEqual([]);
    // Then it is lost too, so the handlers themselves are put to the test: they must be idempotent without it.
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'gradual-deliveries' });
    const commentsBefore = await comments(second.number);
    bot = await startBotProcess();

    // The new process remembers no delivery: every one is handled again, pairs swapped, and changes nothing twice.
    const swapped = deliveries
      .flatMap((delivery, index, all) => (index % 2 === 0 ? [all[index + 1], delivery] : []))
      .filter((delivery): delivery is ReceivedWebhook => delivery !== undefined);
    expect(swapped).toHaveLength(deliveries.length);
    mark = lastSeq();
    for (const delivery of swapped) expect(await redeliver(delivery, bot.url)).toBeLessThan(300);
    expect(handlerCreations(mark)).toEqual([]);
    expect((await cluster.readRollout('api')).metadata?.generation).toBe(generation);

    // The check run carries on where it was: the same one, now completed after the analysis.
    const done = await untilCheck(second.sha, rolloutCheck, 'success after the analysis', (run) => run.conclusion === 'success');
    expect(done.id).toBe(checkBefore[0]?.id);
    expect(await checkRuns(second.sha, rolloutCheck)).toHaveLength(1);
    const sticky = (list: { body: string }[]): number => list.filter((item) => item.body.startsWith('<!-- gradual:sticky -->')).length;
    expect(sticky(await comments(second.number))).toBe(sticky(commentsBefore));
    expect(sticky(commentsBefore)).toBe(1);
    expect(await repeatedComments(second.number)).toEqual([]);
    expect(await repeatedComments(first.number)).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  it('a pull request from a fork is planned but not deployed (the default policy), and applies nothing', async () => {
    const before = await cluster.readRollout('api');
    await forkRepository(mallory, { owner, repo });
    const sha = await pushBranch(mallory, {
      owner: 'mallory',
      repo,
      branch: 'takeover',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:mallory') },
      message: 'api: mine now',
    });
    await openPullRequest(mallory, { owner, repo, head: 'mallory:takeover', base: 'main', title: 'api: mallory' });
    // The plan reads the fork's head from refs/pull/N/head and shows the change; the deploy is refused by policy.
    const plan = await untilCheck(sha, 'gradual/plan', 'the plan', (run) => run.status === 'completed');
    expect(plan.summary).toContain('example.test/api:mallory');
    const refused = await untilCheck(sha, deployCheck, 'the refusal', (run) => run.status === 'completed');
    expect([refused.conclusion, refused.title]).toEqual(['neutral', 'Not deployed to staging']);
    expect(refused.summary).toContain('forks');
    const after = await cluster.readRollout('api');
    expect([after.metadata?.generation, after.spec.template?.spec?.containers?.[0]?.image]).toEqual([
      before.metadata?.generation,
      before.spec.template?.spec?.containers?.[0]?.image,
    ]);
    expect(github.violations).toEqual([]);
  });

  it('lost webhooks: the bot is down while a pull request opens and is pushed to, is commented /promote, and is closed; each time the reconcile at start-up puts it where it would have been; then every delivery replayed changes nothing', async () => {
    if (bot === undefined) throw new Error('no bot');
    // A free environment at main (blue) first: the pull request holding it closes, with the bot up.
    await close(bob, { owner, repo, number: second.number });
    await cluster.untilRollout(
      'api',
      'rolled back to main',
      (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:blue',
    );
    const lease = async (): Promise<string | undefined> =>
      (await cluster.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name: lockName('staging') })).metadata
        ?.annotations?.['gradual.dev/lock-holder'];
    await waitUntil(async () => (await lease()) === 'null', { what: 'the lock released', timeoutMs: 30_000 });
    const figures: Record<string, number> = {};

    // 1. Opened and pushed to while the bot is down.
    await killBot(bot);
    bot = undefined;
    await pushBranch(bob, {
      owner,
      repo,
      branch: 'purple',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:purple') },
      message: 'api: purple',
    });
    const purple = await openPullRequest(bob, { owner, repo, head: 'purple', title: 'api: purple' });
    const head = await pushBranch(bob, {
      owner,
      repo,
      branch: 'purple',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:purple2') },
      message: 'api: purple, again',
    });
    let started = performance.now();
    bot = await startBotProcess();
    const deployed = await untilCheck(head, deployCheck, 'deployed by the start-up reconcile', (run) => run.conclusion === 'success');
    figures['openAndPushHealedMs'] = Math.round(performance.now() - started);
    expect(deployed.title).toBe(`Deployed ${head.slice(0, 7)} to staging`);
    expect((await checkRuns(head, 'gradual/plan'))[0]?.status).toBe('completed');
    await untilCheck(head, rolloutCheck, 'paused for a person', (run) => run.conclusion === 'action_required');
    expect((await cluster.readRollout('api')).spec.template?.spec?.containers?.[0]?.image).toBe('example.test/api:purple2');

    // 2. Commented /promote while the bot is down: acted on once at start-up, recorded on the Rollout with what it saw.
    await killBot(bot);
    bot = undefined;
    const promote = await comment(bob, { owner, repo, number: purple, body: '/promote' });
    started = performance.now();
    bot = await startBotProcess();
    await waitUntil(async () => (await reactionsOn(promote)).includes('rocket'), {
      what: '🚀 on the /promote sent while the bot was down',
      timeoutMs: 60_000,
    });
    figures['promoteHealedMs'] = Math.round(performance.now() - started);
    await cluster.untilRollout('api', 'past the pause', (rollout) => (rollout.status?.currentStepIndex ?? 0) >= 2);
    const records = JSON.parse((await cluster.readRollout('api')).metadata?.annotations?.['gradual.dev/commands'] ?? '[]') as {
      id: string;
      action: string;
      from: { step: number };
    }[];
    expect(
      records.filter((record) => record.id === `comment:${String(promote)}#0`).map((record) => [record.action, record.from.step]),
    ).toEqual([['promote', 1]]);

    // 3. Closed while the bot is down: rolled back to main before the lock is released, at start-up.
    await killBot(bot);
    bot = undefined;
    await close(bob, { owner, repo, number: purple });
    started = performance.now();
    bot = await startBotProcess();
    await cluster.untilRollout(
      'api',
      'rolled back to main after the close the bot missed',
      (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:blue',
    );
    await waitUntil(async () => (await lease()) === 'null', { what: 'the lock released after the rollback', timeoutMs: 30_000 });
    figures['closeHealedMs'] = Math.round(performance.now() - started);
    await waitUntil(async () => (await comments(purple)).some((item) => item.body.includes('Closed without merging')), {
      what: 'the close comment',
      timeoutMs: 30_000,
    });
    // purple2 may have been fully promoted by now, so going back to blue is a new rollout, which stops at its pause step.
    await cluster.untilRollout(
      'api',
      'settled on main (Healthy, or at its pause step)',
      (rollout) => rollout.status?.phase === 'Healthy' || (rollout.status?.pauseConditions ?? []).length > 0,
    );
    await untilCheck(
      (await octokitFor(alice).rest.repos.getBranch({ owner, repo, branch: 'main' })).data.commit.sha,
      rolloutCheck,
      'the rollout reported on main',
      (run) => run.status === 'completed',
    );

    // main moves on (blue2) with the bot up: the environment follows it.
    await pushBranch(alice, {
      owner,
      repo,
      branch: 'main',
      files: { 'apps/api/rollout.yaml': rolloutYaml('example.test/api:blue2') },
      message: 'api: blue2',
    });
    await cluster.untilRollout(
      'api',
      'main at blue2, settled',
      (rollout) =>
        rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:blue2' &&
        (rollout.status?.phase === 'Healthy' || (rollout.status?.pauseConditions ?? []).length > 0),
    );
    await untilCheck(
      (await octokitFor(alice).rest.repos.getBranch({ owner, repo, branch: 'main' })).data.commit.sha,
      rolloutCheck,
      'the rollout reported on blue2',
      (run) => run.status === 'completed',
    );

    // Replay: every delivery GitHub ever sent, again, to a bot whose ledger is gone: nothing changes. The old
    // push to main (blue) among them is applied from the branch head as read now, so it rolls nothing back.
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'gradual-deliveries' });
    // Quiet first: nothing created by the bot for 3 s (the report loop settles on blue2's pause).
    let quietFrom = lastSeq();
    let quietSince = performance.now();
    await waitUntil(
      () => {
        if (handlerCreations(quietFrom).length > 0) {
          quietFrom = lastSeq();
          quietSince = performance.now();
        }
        return Promise.resolve(performance.now() - quietSince > 3000);
      },
      { what: 'the bot to be quiet before the replay', timeoutMs: 60_000, intervalMs: 200 },
    );
    const before = await cluster.readRollout('api');
    const mark = lastSeq();
    for (const delivery of [...github.received]) expect(await redeliver(delivery, bot.url)).toBeLessThan(300);
    expect(handlerCreations(mark)).toEqual([]);
    const after = await cluster.readRollout('api');
    expect(github.received.filter((delivery) => delivery.headers['x-github-event'] === 'push').length).toBeGreaterThan(1);
    expect([after.metadata?.generation, after.spec.template?.spec?.containers?.[0]?.image]).toEqual([
      before.metadata?.generation,
      'example.test/api:blue2',
    ]);
    expect(await lease()).toBe('null');
    expect(await repeatedComments(purple)).toEqual([]);
    expect(github.violations).toEqual([]);
    process.stdout.write(
      `lost-webhooks drill: ${JSON.stringify(figures)} (start-up reconcile; bound while running: resyncSeconds, default 300 s)\n`,
    );
  });

  it('apply converges: an apply the API server refuses is retried by the pull request’s reconcile, with no new webhook, and the check names what is pending and why', async () => {
    // A live immutable ConfigMap the pull request changes: refused (immutable) until someone deletes it.
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, immutable: true, data: { level: '1' } } });
    const settings = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\nimmutable: true\ndata:\n  level: '2'\n`;
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'settings',
      files: { 'apps/api/settings.yaml': settings },
      message: 'settings: level 2',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'settings', title: 'settings: level 2' });
    const failed = await untilCheck(sha, deployCheck, 'the refused apply', (run) => run.conclusion === 'failure');
    expect(failed.title).toMatch(/^Deploy to staging failed: 3 of 3 object\(s\) pending$/u);
    expect(failed.summary).toContain('ConfigMap');
    expect(failed.summary).toMatch(/Pending \(3 of 3\):\n(- .+\n){2}- .+/u);
    expect(failed.summary).toContain(`ConfigMap ${namespace}/settings`);
    const deliveriesBefore = github.received.length;
    await core.deleteNamespacedConfigMap({ namespace, name: 'settings' });
    const started = performance.now();
    const converged = await untilCheck(sha, deployCheck, 'applied by the reconcile', (run) => run.conclusion === 'success');
    expect(converged.title).toBe(`Deployed ${sha.slice(0, 7)} to staging`);
    expect((await core.readNamespacedConfigMap({ namespace, name: 'settings' })).data).toEqual({ level: '2' });
    // No webhook did it: none was sent for this pull request meanwhile.
    // (The bot's own check runs and comments cause deliveries too; a person's would be the webhook that retried it.)
    const byPeople = github.received
      .slice(deliveriesBefore)
      .filter((delivery) => (JSON.parse(delivery.body) as { sender?: { type?: string } }).sender?.type !== 'Bot');
    expect(byPeople.map((delivery) => delivery.headers['x-github-event'])).toEqual([]);
    process.stdout.write(
      `apply converged ${String(Math.round(performance.now() - started))} ms after the obstacle went (reconcile backoff 1 s doubling)\n`,
    );
    await close(bob, { owner, repo, number });
    await waitUntil(async () => (await comments(number)).some((item) => item.body.includes('Closed without merging')), {
      what: 'the close comment',
      timeoutMs: 30_000,
    });
  });

  it('the planted provider token never reached a log line, a comment or a check run', async () => {
    // The analysis really used it: the provider only says ok to the token.
    const analysisRuns = (await cluster.custom.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace,
      plural: 'analysisruns',
    })) as { items: { status?: { phase?: string } }[] };
    expect(analysisRuns.items.map((run) => run.status?.phase)).toContain('Successful');
    const logs = botOutput.join('');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [plantedToken, github.webhookSecret, github.privateKey.split('\n')[1] ?? 'unreachable'])
      expect(logs.includes(secret), `a secret in the bot's log`).toBe(false);
    expect(/ghs_[A-Za-z0-9]{20,}/u.test(logs), 'an installation token in the bot’s log').toBe(false);
    // Everything the local GitHub holds (comments, check runs and their output, statuses) is in its state file.
    const state = await readFile(join(github.dir, stateFileName), 'utf8');
    expect(state).toContain('gradual/rollout');
    expect(state.includes(plantedToken)).toBe(false);
  });
});
