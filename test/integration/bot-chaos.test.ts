import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommandRecords } from '../../src/gitops/command-intent.js';
import { STICKY_MARKER } from '../../src/gitops/report/index.js';
import type { RolloutObject } from '../../src/rollout-view/types.js';
import {
  close,
  comment,
  createRepositoryFromFolder,
  merge,
  openPullRequest,
  pressCheckRunButton,
  pushBranch,
  type Person,
} from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { installCrds, trafficCrdDir } from '../../src/local/crds.js';
import { rootLogger } from '../../src/log/index.js';
import { probe, startGradualProcess, type GradualProcess } from './support/gradual-process.js';
import { chaosDelivery, seededRandom, type ChaosDelivery } from './support/chaos-delivery.js';
import { stepSequence, watchRolloutHistory } from './support/rollout-history.js';
import { testCluster } from './support/test-cluster.js';

// Chaos drill R1 (issue 22): `gradual start` (bot and engine in one process) SIGKILLed at random
// instants, seeded, while pull requests with analysis and traffic routing are driven through
// comments and check-run buttons, and the deliveries reach the bot late, twice, out of order or
// only after a redelivery. Afterwards every pull request's history holds: steps one at a time,
// one open check run per (head, name), one sticky comment, each notice once, each command acted
// on once, and every environment where its pull request left it.
//
// GRADUAL_CHAOS_SEED replays a run; GRADUAL_CHAOS_KILLS and GRADUAL_CHAOS_PULLS scale it (at
// least 20 each for the acceptance figures). It runs only with GRADUAL_CHAOS_DRILL=1. At 4 kills and
// 3 pull requests it passes in 2-3 minutes. At 20/20 it has not yet passed on the shared 2-core
// machine: at load 14 one `gradual start` with 20 apps takes 20-35 s from spawn to serving, and a
// kill comes 0.2-4 s after it serves, so the pull requests barely move until the last kill (about
// 12 minutes of kills alone); it stays out of the suite until a 20/20 run passes in about 10 minutes.
const cluster = testCluster('bot-chaos');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'chaos';
const seed = Number(process.env['GRADUAL_CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const killTarget = Number(process.env['GRADUAL_CHAOS_KILLS'] ?? 20);
const pullCount = Number(process.env['GRADUAL_CHAOS_PULLS'] ?? 20);
/**
 * Shorter lease timings than Argo's 15 s, so a killed leader's successor waits 8 s. Not failover.test.ts's 4 s: at
 * 20 apps on the loaded 2-core machine (load 14), a new leader's start-up burst kept it from renewing within 3 s,
 * and nine successors in a row lost the Lease and exited before serving.
 */
const lease = { duration: 8000, renewDeadline: 6000, retryPeriod: 1000 };
/** The steps of every app: traffic, a person's pause, a tiny analysis, traffic, a pause, done. */
const steps = [
  'setWeight: 20',
  'pause: {}',
  'analysis:\n            templates:\n              - templateName: tiny',
  'setWeight: 60',
  'pause: {}',
  'setWeight: 100',
];

let github: TestGithub;
let work: string;
let configFile: string;
let metricServer: Server;
let alice: Person;
let bob: Person;
const random = seededRandom(seed);

function appName(index: number): string {
  return `a${String(index)}`;
}

function rolloutYaml(app: string, image: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${app}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${app} }
  template:
    metadata:
      labels: { app: ${app} }
    spec:
      containers:
        - name: ${app}
          image: ${image}
  strategy:
    canary:
      stableService: ${app}-stable
      canaryService: ${app}-canary
      trafficRouting:
        smi: { rootService: ${app}-root, trafficSplitName: ${app}-split }
      steps:
${steps.map((step) => `        - ${step}\n`).join('')}`;
}

function servicesYaml(app: string): string {
  return [`${app}-root`, `${app}-stable`, `${app}-canary`]
    .map(
      (name) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: { app: ${app} }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    )
    .join('---\n');
}

function analysisYaml(url: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: tiny
spec:
  metrics:
    - name: ok
      count: 1
      successCondition: result == true
      provider:
        web:
          url: ${url}
          jsonPath: '{$.ok}'
`;
}

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

type Running = GradualProcess;

/** `gradual start` as an operator runs it (bot, engine and analysis in one process), one replica. */
function startProcess(generation: number): Promise<Running> {
  return startGradualProcess({
    kubeconfigPath: cluster.kubeconfigPath,
    namespace,
    configFile,
    github,
    lease,
    logFile: join(work, `start-${String(generation)}.log`),
  });
}

/**
 * The seeded killer and supervisor: starts `gradual start`, waits until it serves (or not: now and then it
 * kills during start-up), kills it at a random instant and starts the next, as a supervisor restarts a
 * process. It kills only once armed (the environments' first deploy from main is set-up, not the drill)
 * and stops killing at the target; a process that exits by itself (a lost Lease exits so that it starts
 * afresh) is started again, also after the last kill.
 */
function chaosMonkey(): {
  current: () => Running | undefined;
  ready: () => boolean;
  kills: () => number;
  selfExits: () => number;
  arm: () => void;
  /** Settles at the last kill. */
  killsDone: Promise<void>;
  stop: () => Promise<void>;
} {
  let running: Running | undefined;
  let ready = false;
  let kills = 0;
  let generation = 0;
  let selfExits = 0;
  // A function, not a read of the field: TypeScript cannot see stop() flip it during an await.
  const state = { stopped: false, armed: false };
  const isStopped = (): boolean => state.stopped;
  let wake: () => void = () => undefined;
  /** Settles at arm() or stop(). */
  const armedOrStopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  let killsReached: () => void = () => undefined;
  const killsDone = new Promise<void>((resolve) => {
    killsReached = resolve;
  });
  // GRADUAL_CHAOS_KILLS=0: no kill to wait for.
  if (killTarget <= 0) killsReached();
  let stopSignal: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stopSignal = resolve;
  });
  const done = (async () => {
    while (!isStopped()) {
      running = await startProcess(generation++);
      const started = running;
      ready = false;
      // Mostly while it serves; now and then during start-up (before it leads).
      const killing = state.armed && kills < killTarget;
      const killWhileStarting = killing && random() < 0.2;
      if (!killWhileStarting) {
        await waitUntil(async () => (await probe(started.healthzPort, '/readyz')) === 200 || started.child.exitCode !== null, {
          what: 'gradual start to lead and serve webhooks',
          timeoutMs: 120_000,
          intervalMs: 100,
        });
        if (started.child.exitCode !== null) {
          selfExits += 1;
          continue;
        }
        ready = true;
      }
      if (!killing) {
        // Serves until armed (set-up), or for good after the last kill; started again if it exits by itself.
        await Promise.race([started.exited, kills < killTarget ? armedOrStopped : new Promise<void>(() => undefined), stopped]);
        if (isStopped()) return;
        if (started.child.exitCode !== null || started.child.signalCode !== null) {
          selfExits += 1;
          continue;
        }
      }
      const delayMs = killWhileStarting ? 300 + random() * 1500 : 200 + random() * 3800;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, delayMs)), stopped]);
      if (isStopped()) return;
      ready = false;
      started.child.kill('SIGKILL');
      await started.exited;
      kills += 1;
      if (kills >= killTarget) killsReached();
    }
  })();
  return {
    current: () => running,
    ready: () => ready,
    kills: () => kills,
    selfExits: () => selfExits,
    arm() {
      state.armed = true;
      wake();
    },
    killsDone,
    async stop() {
      state.stopped = true;
      stopSignal();
      wake();
      killsReached();
      await done.catch(() => undefined);
      if (running !== undefined && running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGTERM');
        await running.exited;
      }
    },
  };
}

async function readRolloutObject(app: string): Promise<RolloutObject> {
  return (await cluster.custom.getNamespacedCustomObject({ ...cluster.rolloutApi, name: app })) as RolloutObject;
}

const untilLong = { timeoutMs: 300_000, intervalMs: 500 };

interface PullOutcome {
  index: number;
  number: number;
  head: string;
  merged: boolean;
  /** Command id in the Rollout's records → the step it must have been acted on from. */
  commands: { id: string; step: number; commentId?: number }[];
  records: ReturnType<typeof readCommandRecords>;
}

/**
 * One pull request's life, each move made once its precondition is observable: deploy, a first
 * promote (a /promote comment or the Promote button), the analysis, then either a second promote
 * and a merge or an /abort and a close unmerged.
 */
async function drivePull(index: number): Promise<PullOutcome> {
  const app = appName(index);
  const image = `example.test/${app}:green`;
  const head = await pushBranch(bob, {
    owner,
    repo,
    branch: `green-${app}`,
    files: { [`apps/${app}/rollout.yaml`]: rolloutYaml(app, image) },
    message: `${app}: green`,
  });
  const number = await openPullRequest(bob, { owner, repo, head: `green-${app}`, title: `${app}: green` });
  const byButton = index % 2 === 1;
  const mergeIt = index % 4 < 2;
  const commands: PullOutcome['commands'] = [];
  const atPause = async (step: number): Promise<void> => {
    await waitUntil(
      async () => {
        const rollout = await readRolloutObject(app);
        return (
          rollout.spec?.template?.spec?.containers?.[0]?.image === image &&
          rollout.status?.currentStepIndex === step &&
          (rollout.status.pauseConditions ?? []).length > 0
        );
      },
      { what: `${app} (#${String(number)}) paused at step ${String(step)}`, ...untilLong },
    );
  };
  const pressOn = async (identifier: string): Promise<string> => {
    const name = `gradual/rollout ${namespace}/${app}`;
    let runId: number | undefined;
    await waitUntil(
      async () => {
        const runs = (await octokit().rest.checks.listForRef({ owner, repo, ref: head, check_name: name })).data.check_runs;
        runId = runs
          .filter((run) => run.conclusion === 'action_required')
          .reduce<number | undefined>((newest, run) => Math.max(newest ?? 0, run.id), undefined);
        return runId !== undefined;
      },
      { what: `${name} on #${String(number)} asking for a person`, ...untilLong },
    );
    const mark = github.received.length;
    await pressCheckRunButton({ apiUrl: github.server.url, login: bob.login, checkRunId: runId ?? 0, identifier });
    let delivery: string | undefined;
    await waitUntil(
      () => {
        delivery = github.received.slice(mark).find((webhook) => {
          if (webhook.headers['x-github-event'] !== 'check_run') return false;
          // The press's own delivery: the bot's updates of the same run send check_run.completed with its id too.
          const payload = JSON.parse(webhook.body) as { action?: string; check_run?: { id?: number } };
          return payload.action === 'requested_action' && payload.check_run?.id === runId;
        })?.headers['x-github-delivery'] as string | undefined;
        return Promise.resolve(delivery !== undefined);
      },
      { what: `the button press on #${String(number)} delivered`, timeoutMs: 30_000 },
    );
    return `button:${String(delivery)}`;
  };
  const command = async (body: '/promote' | '/abort', step: number, button: boolean): Promise<void> => {
    if (button) {
      commands.push({ id: await pressOn(body === '/promote' ? 'promote' : 'abort'), step });
      return;
    }
    const commentId = await comment(bob, { owner, repo, number, body });
    commands.push({ id: `comment:${String(commentId)}#0`, step, commentId });
  };

  await atPause(1);
  await command('/promote', 1, byButton);
  await atPause(4);
  if (mergeIt) {
    await command('/promote', 4, !byButton);
    await waitUntil(
      async () => {
        const rollout = await readRolloutObject(app);
        return rollout.status?.currentStepIndex === steps.length && rollout.status.phase === 'Healthy';
      },
      { what: `${app} (#${String(number)}) promoted to the end`, ...untilLong },
    );
  } else {
    await command('/abort', 4, false);
    await waitUntil(async () => (await readRolloutObject(app)).status?.abort === true, {
      what: `${app} (#${String(number)}) aborted`,
      ...untilLong,
    });
  }
  // The records, read before the merge or the close hands the environment back to main.
  let records = readCommandRecords(await readRolloutObject(app));
  await waitUntil(
    async () => {
      records = readCommandRecords(await readRolloutObject(app));
      const missing = commands.filter((expected) => !records.some((record) => record.id === expected.id)).map((expected) => expected.id);
      if (missing.length > 0)
        throw new Error(`not recorded: ${missing.join(', ')}; recorded: ${records.map((record) => record.id).join(', ')}`);
      return true;
    },
    { what: `${app} (#${String(number)}): every command recorded`, ...untilLong },
  );
  if (mergeIt) await merge(bob, { owner, repo, number });
  else await close(bob, { owner, repo, number });
  return { index, number, head, merged: mergeIt, commands, records };
}

// Left out of the suite unless GRADUAL_CHAOS_DRILL=1: not yet robust on a loaded 2-core machine (see the note in the file's header).
describe.runIf(process.env['GRADUAL_CHAOS_DRILL'] === '1')(
  'chaos (R1): gradual start SIGKILLed at random instants',
  { timeout: 1_500_000 },
  () => {
    beforeAll(async () => {
      await cluster.setUp();
      // The SMI TrafficSplit kind the apps route with (the traffic tests install the same fixture CRDs).
      await installCrds({
        kubeconfig: cluster.kubeconfigPath,
        dir: trafficCrdDir,
        logger: rootLogger().child({ component: 'bot-chaos-test' }),
      });
      github = await startTestGithub({ git: true });
      work = await mkdtemp(join(tmpdir(), 'gradual-chaos-'));
      configFile = join(work, 'gradual.yaml');
      metricServer = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      await new Promise<void>((resolve) => metricServer.listen(0, '127.0.0.1', resolve));
      // The delivery ledger in the test's namespace; a resync every 5 s (the floor) heals what a kill lost.
      await writeFile(
        configFile,
        `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: ${owner}/*\n    environments: { '*': local }\nstate: { cluster: local, namespace: ${namespace} }\ncacheDir: ${join(work, 'clones')}\nresyncSeconds: 5\n`,
      );
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
    }, 300_000);

    afterAll(async () => {
      await github.stop();
      await new Promise((resolve) => metricServer.close(resolve));
      await cluster.tearDown();
    });

    it('every pull request’s history holds: steps one at a time, one open check per (head, name), one sticky comment, notices and commands once, environments where they belong', async () => {
      process.stdout.write(`bot chaos drill: seed ${String(seed)} (GRADUAL_CHAOS_SEED=${String(seed)} replays its choices)\n`);
      const drillStartedAt = performance.now();
      const history = await watchRolloutHistory(cluster.kubeConfig, namespace);
      const monkey = chaosMonkey();
      let delivery: ChaosDelivery | undefined;
      let unsubscribe: (() => void) | undefined;
      try {
        delivery = chaosDelivery({
          random,
          target: () => (monkey.ready() ? monkey.current()?.webhookUrl : undefined),
          duplicateProbability: 0.25,
          maxDuplicateDelayMs: 3000,
          redeliverEveryMs: 700,
        });
        const chaos = delivery;
        unsubscribe = github.onWebhook((webhook) => {
          chaos.receive(webhook);
        });

        // The environments, one per app, deployed from main (blue): set-up, before the killing starts.
        const metricUrl = `http://127.0.0.1:${String((metricServer.address() as AddressInfo).port)}/ok`;
        const folder = join(work, 'repository');
        const apps = Array.from({ length: pullCount }, (_, index) => appName(index));
        const policy = apps.map((app) => `  - name: ${app}\n    paths: ['apps/${app}/*.yaml']\n    namespace: ${namespace}\n`).join('');
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, '.gradual.yml'), `environments:\n${policy}`);
        for (const app of apps) {
          await mkdir(join(folder, 'apps', app), { recursive: true });
          await writeFile(join(folder, 'apps', app, 'rollout.yaml'), rolloutYaml(app, `example.test/${app}:blue`));
          await writeFile(join(folder, 'apps', app, 'services.yaml'), servicesYaml(app));
          await writeFile(join(folder, 'apps', app, 'analysis.yaml'), analysisYaml(metricUrl));
        }
        await createRepositoryFromFolder(alice, { owner, repo, folder });
        await github.server.update((state) => {
          const repository = state.repositories.find((candidate) => candidate.name === repo);
          if (repository !== undefined) Object.assign(repository.collaborators, { bob: 'write' });
        });
        await waitUntil(
          async () => {
            for (const app of apps) {
              const status = (await readRolloutObject(app).catch(() => undefined))?.status;
              if (status?.phase !== 'Healthy') return false;
            }
            return true;
          },
          { what: 'every environment deployed from main', ...untilLong },
        );
        const blueHashes = new Map<string, string>();
        for (const app of apps) blueHashes.set(app, (await readRolloutObject(app)).status?.currentPodHash ?? '');

        // Every pull request at once, each move made when the state allows it, while the monkey kills.
        const startedAt = performance.now();
        monkey.arm();
        const outcomes = await Promise.all(apps.map((_, index) => drivePull(index)));
        await monkey.killsDone;
        const killsDoneAt = performance.now();

        // Converged: every environment where its pull request's history leaves it, every check finished.
        await waitUntil(
          async () => {
            for (const outcome of outcomes) {
              const app = appName(outcome.index);
              const rollout = await readRolloutObject(app);
              const image = rollout.spec?.template?.spec?.containers?.[0]?.image;
              const expected = outcome.merged ? `example.test/${app}:green` : `example.test/${app}:blue`;
              if (image !== expected || rollout.status?.phase !== 'Healthy') return false;
              if (rollout.status.stableRS !== rollout.status.currentPodHash) return false;
              const runs = (await octokit().rest.checks.listForRef({ owner, repo, ref: outcome.head, per_page: 100 })).data.check_runs;
              if (runs.some((run) => run.status !== 'completed')) return false;
              // The answers a reconcile may still owe after a kill: the sticky comment and each comment's 🚀 or 😕 (counted below).
              const comments = (await octokit().rest.issues.listComments({ owner, repo, issue_number: outcome.number, per_page: 100 }))
                .data;
              if (!comments.some((item) => item.user?.login.endsWith('[bot]') === true && (item.body ?? '').startsWith(STICKY_MARKER)))
                throw new Error(`#${String(outcome.number)}: no sticky comment yet`);
              for (const { commentId } of outcome.commands) {
                if (commentId === undefined) continue;
                const reactions = (await octokit().rest.reactions.listForIssueComment({ owner, repo, comment_id: commentId })).data;
                if (
                  !reactions.some(
                    (reaction) => reaction.user?.login.endsWith('[bot]') === true && ['rocket', 'confused'].includes(reaction.content),
                  )
                )
                  throw new Error(`#${String(outcome.number)}: comment ${String(commentId)} not answered yet`);
              }
            }
            return delivery?.pending() === 0;
          },
          { what: 'every environment, check, sticky comment and comment answer converged', timeoutMs: 180_000, intervalMs: 1000 },
        );
        const convergedAt = performance.now();

        const problems: string[] = [];
        for (const outcome of outcomes) {
          const app = appName(outcome.index);
          const where = `${app} #${String(outcome.number)}`;
          // Steps one at a time, never back, never twice, for the pull request's revision.
          const samples = history.samples(app);
          const greenHash = samples.find(
            (sample) =>
              sample.image === `example.test/${app}:green` && sample.podHash !== undefined && sample.podHash !== blueHashes.get(app),
          )?.podHash;
          if (greenHash === undefined) problems.push(`${where}: its revision never seen`);
          else {
            const sequence = stepSequence(samples, greenHash);
            if (sequence.problem !== undefined) problems.push(`${where}: ${sequence.problem} (${sequence.steps.join(',')})`);
            const last = sequence.steps.at(-1);
            const lastExpected = outcome.merged ? steps.length : 4;
            if (last !== lastExpected) problems.push(`${where}: ended at step ${String(last)}, expected ${String(lastExpected)}`);
          }
          // Each command acted on exactly once, from the step it was given at.
          for (const expected of outcome.commands) {
            const found = outcome.records.filter((record) => record.id === expected.id);
            if (found.length !== 1 || found[0]?.from.step !== expected.step)
              problems.push(`${where}: command ${expected.id} recorded ${JSON.stringify(found.map((record) => record.from.step))}`);
            if (expected.commentId !== undefined) {
              const reactions = (await octokit().rest.reactions.listForIssueComment({ owner, repo, comment_id: expected.commentId })).data
                .filter((reaction) => reaction.user?.login.endsWith('[bot]') === true)
                .map((reaction) => reaction.content);
              const done = reactions.filter((content) => content === 'rocket' || content === 'confused');
              if (done.join() !== 'rocket')
                problems.push(`${where}: comment ${String(expected.commentId)} reactions ${reactions.join(',')}`);
            }
          }
          // At most one open check run per (head, name) (none once converged).
          const runs = (await octokit().rest.checks.listForRef({ owner, repo, ref: outcome.head, per_page: 100 })).data.check_runs;
          const open = runs.filter((run) => run.status !== 'completed').map((run) => run.name);
          if (open.some((name, index) => open.indexOf(name) !== index))
            problems.push(`${where}: two open check runs of one name: ${open.join(',')}`);
          // One sticky comment; each notice once; no bot comment twice.
          const bodies = (await octokit().rest.issues.listComments({ owner, repo, issue_number: outcome.number, per_page: 100 })).data
            .filter((item) => item.user?.login.endsWith('[bot]') === true)
            .map((item) => item.body ?? '');
          const sticky = bodies.filter((body) => body.startsWith(STICKY_MARKER)).length;
          if (sticky !== 1) problems.push(`${where}: ${String(sticky)} sticky comments`);
          const notices = bodies.map((body) => /^<!-- gradual:notice ([^\s>]+) -->/u.exec(body)?.[1]).filter((key) => key !== undefined);
          const repeatedNotices = notices.filter((key, index) => notices.indexOf(key) !== index);
          if (repeatedNotices.length > 0) problems.push(`${where}: notices posted twice: ${repeatedNotices.join(',')}`);
          const repeated = bodies.filter((body, index) => !body.startsWith(STICKY_MARKER) && bodies.indexOf(body) !== index);
          if (repeated.length > 0) problems.push(`${where}: a bot comment posted twice: ${repeated[0]?.slice(0, 120) ?? ''}`);
        }
        const figures = {
          seed,
          kills: monkey.kills(),
          selfExits: monkey.selfExits(),
          pullRequests: outcomes.length,
          merged: outcomes.filter((outcome) => outcome.merged).length,
          closedUnmerged: outcomes.filter((outcome) => !outcome.merged).length,
          commands: outcomes.reduce((sum, outcome) => sum + outcome.commands.length, 0),
          ...delivery.figures(),
          pullsDoneMs: Math.round(killsDoneAt - startedAt),
          convergedAfterLastKillMs: Math.round(convergedAt - killsDoneAt),
          setUpMs: Math.round(startedAt - drillStartedAt),
          totalMs: Math.round(performance.now() - drillStartedAt),
        };
        process.stdout.write(`bot chaos drill (R1): ${JSON.stringify(figures)}\n`);
        expect(problems).toEqual([]);
        expect(figures.kills).toBeGreaterThanOrEqual(Math.min(killTarget, 20));
        expect(github.violations).toEqual([]);
      } finally {
        // The redeliveries first: a process being stopped should not be kept busy by them.
        unsubscribe?.();
        await delivery?.stop();
        await monkey.stop();
        history.stop();
      }
    });
  },
);
