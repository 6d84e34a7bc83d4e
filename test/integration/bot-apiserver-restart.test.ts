import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readCommandRecords } from '../../src/gitops/command-intent.js';
import { STICKY_MARKER } from '../../src/gitops/report/index.js';
import { comment, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { startTestGithub } from '../../src/local/github/testing.js';
import { httpsGet } from '../../src/local/https-get.js';
import { stopApiServer } from '../../src/local/restart-api-server.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { rootLogger } from '../../src/log/index.js';
import type { RolloutObject } from '../../src/rollout-view/types.js';
import { createRepository, seedPeople } from './support/bot-story.js';
import { seededRandom } from './support/chaos-delivery.js';
import { probe, startGradualProcess, stopGradualProcess, type GradualProcess } from './support/gradual-process.js';
import { stepSequence, watchRolloutHistory } from './support/rollout-history.js';
import { testCluster } from './support/test-cluster.js';

// Drill R8 (issue 22): `gradual start` drives a pull request's canary (a pause for a person, an analysis, a
// second pause) while (1) the environment's kube-apiserver is SIGKILLed mid-rollout, kept away for a seeded
// while and started again with the same command line, etcd untouched, and a `/promote` and a push arrive during
// the outage; then (2) a competing writer updates the same Rollout as fast as it can (four loops of
// resourceVersion-checked PUTs, each changing an annotation and a spec field the manifests leave alone, so each
// write makes the controller write the Rollout's status again) while a second `/promote` and a push arrive. The
// storm lasts until the rollout has converged and Gradual's own writes have been refused with 409 at least once,
// as its /metrics counts them (controller_clientset_k8s_request_total); the API server's own count of refused
// status writes is the floor of that figure. Afterwards the Rollout is where the commands put it, one step at a
// time, each command acted on once, both pushes applied, the competitor's changes kept, and the check run and
// sticky comment say so. GRADUAL_R8_SEED replays a run's choices (the outage length); the figures are printed.
const cluster = testCluster('apiserver-restart');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'restart';
const app = 'web';
const seed = Number(process.env['GRADUAL_R8_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const random = seededRandom(seed);
/**
 * Leases longer than the outage: the API server is away for the outage plus its own start (22 to 81 s seen on the
 * loaded 2-core machine), and the leader must not lose the Lease for it (that would be R6's drill; with a 75 s renew
 * deadline it did once, and its successor then waited out the 90 s Lease). Should it exit all the same, the test
 * starts it again as a supervisor would, and says so in the figures.
 */
const lease = { duration: 180_000, renewDeadline: 150_000, retryPeriod: 1000 };
const steps = [
  'setWeight: 20',
  'pause: {}',
  'analysis:\n            templates:\n              - templateName: tiny',
  'setWeight: 60',
  'pause: {}',
  'setWeight: 100',
];
const competitorAnnotation = 'drill.gradual.dev/competitor';
/** The spec field the competitor flips: not in the manifests (the bot's server-side apply leaves it), harmless here. */
const competitorLimits = [10, 11] as const;

let github: TestGithub;
let work: string;
let configFile: string;
let metricServer: Server;
let alice: Person;
let bob: Person;

function rolloutYaml(image: string, label: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${app}
  labels: { drill: ${label} }
spec:
  replicas: 2
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
      steps:
${steps.map((step) => `        - ${step}\n`).join('')}`;
}

function configYaml(version: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
data:
  version: "${version}"
`;
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

async function readRollout(): Promise<RolloutObject> {
  return (await cluster.custom.getNamespacedCustomObject({ ...cluster.rolloutApi, name: app })) as RolloutObject;
}

async function configVersion(): Promise<string | undefined> {
  return (await cluster.core.readNamespacedConfigMap({ namespace, name: `${app}-config` })).data?.['version'];
}

/** The sum of a Prometheus text exposition's samples of `metric` whose labels include every one given. */
function sumOf(text: string, metric: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labelText = line.slice(metric.length, line.lastIndexOf('}') + 1);
    if (!Object.entries(labels).every(([name, value]) => labelText.includes(`${name}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * What Gradual's own requests about the Rollout got with this status code, as its /metrics counts them: the engine's
 * controller_clientset_k8s_request_total (counted-requests.ts; the competitor's requests are not Gradual's and never
 * appear in it).
 */
async function requestsWithStatus(running: GradualProcess, statusCode: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(running.metricsPort)}/metrics`)).text();
  return sumOf(text, 'controller_clientset_k8s_request_total', { kind: 'rollouts', namespace, name: app, status_code: statusCode });
}

/**
 * The API server's own count of Rollout status writes (PUT on the status subresource) it refused with 409. In this
 * drill only Gradual's engine writes that subresource with a PUT (the competitor PUTs the Rollout itself, the bot's
 * commands PATCH), so this is a floor for the engine's 409s in its metric. Counted since the API server's start.
 */
async function apiServerStatusConflicts(): Promise<number> {
  const environment = inject('gradualEnv');
  const pki = join(environment.dir, 'pki');
  const tls = {
    ca: await readFile(join(pki, 'ca.crt'), 'utf8'),
    cert: await readFile(join(pki, 'admin.crt'), 'utf8'),
    key: await readFile(join(pki, 'admin.key'), 'utf8'),
  };
  const { status, body } = await httpsGet(`${environment.kubernetes.apiServerUrl}/metrics`, tls, 30_000);
  if (status !== 200) throw new Error(`GET ${environment.kubernetes.apiServerUrl}/metrics answered ${String(status)}`);
  return sumOf(body, 'apiserver_request_total', {
    code: '409',
    group: 'argoproj.io',
    resource: 'rollouts',
    subresource: 'status',
    verb: 'PUT',
  });
}

/** `gradual start`, kept running as a supervisor (a Deployment) would: started again should it exit by itself. */
function supervised(): { current: () => GradualProcess; restarts: () => number; ready: () => Promise<void>; stop: () => Promise<void> } {
  let running: GradualProcess | undefined;
  let restarts = 0;
  const state = { stopped: false };
  let generation = 0;
  const start = async (): Promise<GradualProcess> => {
    const started = await startGradualProcess({
      kubeconfigPath: cluster.kubeconfigPath,
      namespace,
      configFile,
      github,
      lease,
      logFile: join(work, `start-${String(generation++)}.log`),
    });
    running = started;
    void started.exited.then(async () => {
      if (state.stopped) return;
      restarts += 1;
      github.setWebhookUrl(undefined);
      const next = await start();
      await untilReady(next).catch(() => undefined);
    });
    return started;
  };
  const untilReady = async (candidate: GradualProcess): Promise<void> => {
    await waitUntil(async () => (await probe(candidate.healthzPort, '/readyz')) === 200, {
      what: `gradual start to lead and serve webhooks (log: ${candidate.logFile})`,
      timeoutMs: 180_000,
      intervalMs: 200,
      abortOn: [candidate.exited.then(() => Promise.reject(new Error(`gradual start exited (log: ${candidate.logFile})`)))],
    });
    if (!state.stopped && running === candidate) github.setWebhookUrl(candidate.webhookUrl);
  };
  const first = start();
  const current = (): GradualProcess => {
    if (running === undefined) throw new Error('gradual start not started');
    return running;
  };
  return {
    current,
    restarts: () => restarts,
    async ready() {
      await untilReady(await first);
    },
    async stop() {
      state.stopped = true;
      github.setWebhookUrl(undefined);
      if (running !== undefined) await stopGradualProcess(running);
    },
  };
}

function revisionHistoryLimit(rollout: RolloutObject): number | undefined {
  return (rollout.spec as { revisionHistoryLimit?: number } | undefined)?.revisionHistoryLimit;
}

interface StormFigures {
  writes: number;
  conflicts: number;
  lastWritten: string | undefined;
  lastLimit: number | undefined;
}

/**
 * A competing writer: four loops, each a GET then a PUT of the Rollout with a new annotation value and the other
 * revisionHistoryLimit (the PUT checks the resourceVersion read; one loop follows each landed PUT with a second),
 * as fast as they can, until stopped. An annotation
 * alone never made the engine write the Rollout (one run saw 0 engine 409s among 81 of the competitor's own); a spec
 * change moves metadata.generation, so each write landed makes the engine write the status (observedGeneration) on
 * a resourceVersion the next write may already have replaced.
 */
function competitor(): { stop: () => Promise<StormFigures> } {
  const state = { stopped: false };
  let writes = 0;
  let conflicts = 0;
  let attempts = 0;
  let lastWritten: string | undefined;
  let lastLimit: number | undefined;
  /** One version-checked PUT on `rollout` as read (or as the previous PUT returned it); answers what the API server stored. */
  const write = async (rollout: RolloutObject): Promise<RolloutObject> => {
    attempts += 1;
    const value = String(attempts);
    const limit = revisionHistoryLimit(rollout) === competitorLimits[0] ? competitorLimits[1] : competitorLimits[0];
    const stored = (await cluster.custom.replaceNamespacedCustomObject({
      ...cluster.rolloutApi,
      name: app,
      body: {
        ...rollout,
        metadata: { ...rollout.metadata, annotations: { ...rollout.metadata.annotations, [competitorAnnotation]: value } },
        spec: { ...rollout.spec, revisionHistoryLimit: limit },
      },
    })) as RolloutObject;
    writes += 1;
    lastWritten = value;
    lastLimit = limit;
    return stored;
  };
  // `twice`: the second PUT goes on the version the first returned, one round trip later, while the engine is still
  // reacting to the first. Loops of GET-then-PUT alone fell into step with the engine (they read the version its
  // status write made), and it lost one write in 112 of theirs.
  const loop = async (twice: boolean): Promise<void> => {
    while (!state.stopped) {
      try {
        const stored = await write(await readRollout());
        if (twice) await write(stored);
      } catch (cause) {
        if (cause instanceof ApiException && cause.code === 409) conflicts += 1;
        else throw cause;
      }
    }
  };
  const loops = Promise.all([loop(true), loop(false), loop(false), loop(false)]);
  return {
    async stop() {
      state.stopped = true;
      await loops;
      return { writes, conflicts, lastWritten, lastLimit };
    },
  };
}

/** The ids of the bot's 🚀 and 😕 reactions on a comment. */
async function botReactions(commentId: number): Promise<string[]> {
  return (await octokit().rest.reactions.listForIssueComment({ owner, repo, comment_id: commentId })).data
    .filter((reaction) => reaction.user?.login.endsWith('[bot]') === true)
    .map((reaction) => reaction.content)
    .filter((content) => content === 'rocket' || content === 'confused');
}

const untilLong = { timeoutMs: 300_000, intervalMs: 250 };

/** What the cluster shows about the Rollout, for a wait that timed out. */
async function describeRollout(): Promise<string> {
  const rollout = await readRollout().catch((error: unknown) => ({ error: String(error) }));
  const replicaSets = (await cluster.apps.listNamespacedReplicaSet({ namespace })).items.map(
    (set) =>
      `${set.metadata?.name ?? ''} spec=${String(set.spec?.replicas)} ready=${String(set.status?.readyReplicas)} available=${String(set.status?.availableReplicas)}`,
  );
  const pods = (await cluster.core.listNamespacedPod({ namespace })).items.map(
    (pod) =>
      `${pod.metadata?.name ?? ''} ${pod.status?.phase ?? ''} node=${pod.spec?.nodeName ?? ''} ready=${String(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status)}`,
  );
  return `Rollout: ${JSON.stringify(rollout)}\nReplicaSets:\n${replicaSets.join('\n')}\nPods:\n${pods.join('\n')}`;
}

/** How many of the namespace's pods kube-controller-manager marked not ready because their node went silent. */
async function podsMarkedNotReady(): Promise<number> {
  const events = (await cluster.core.listNamespacedEvent({ namespace, fieldSelector: 'reason=NodeNotReady' })).items;
  return new Set(events.filter((event) => event.involvedObject.kind === 'Pod').map((event) => event.involvedObject.name)).size;
}

/** waitUntil, with the cluster's view of the Rollout in the error when it times out. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  try {
    await waitUntil(check, { what, ...untilLong });
  } catch (error) {
    throw new Error(`${String(error)}\n${await describeRollout().catch((cause: unknown) => String(cause))}`, { cause: error });
  }
}

beforeAll(async () => {
  await cluster.setUp();
  github = await startTestGithub({ git: true });
  work = await mkdtemp(join(tmpdir(), 'gradual-r8-'));
  configFile = join(work, 'gradual.yaml');
  metricServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => metricServer.listen(0, '127.0.0.1', resolve));
  // The delivery ledger in the test's namespace; a resync every 5 s (the floor) heals what the outage made fail.
  await writeFile(
    configFile,
    `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: ${owner}/*\n    environments: { '*': local }\nstate: { cluster: local, namespace: ${namespace} }\ncacheDir: ${join(work, 'clones')}\nresyncSeconds: 5\n`,
  );
  ({ alice, bob } = await seedPeople(github, owner, { alice: 'admin', bob: 'write' }));
}, 300_000);

afterAll(async () => {
  await github.stop();
  await new Promise((resolve) => metricServer.close(resolve));
  await cluster.tearDown();
});

// Opt-in (GRADUAL_CHAOS_DRILL=1). Its earlier failures are fixed (a pod marked not ready by a long outage stayed so: the
// KWOK stage in src/local/kwok-nodes.ts; a storm that never contended with the engine: the competitor above) and it
// passed every run since, short and long outages alike, in 2 to 4 minutes on the loaded 2-core machine. It stays out of
// the default suite because it stops the API server every later file shares: a restart that fails (its port, in the
// kernel's ephemeral range, taken by a client socket during the outage) would fail the rest of the suite, not just it.
describe.runIf(process.env['GRADUAL_CHAOS_DRILL'] === '1')(
  'API server restart (R8): kube-apiserver restarted mid-rollout, then a 409 storm',
  { timeout: 900_000 },
  () => {
    it('the engine and the bot converge: steps one at a time, each command once, both pushes applied, the competitor’s change kept', async () => {
      // Half the seeds keep the API server away past the node monitor grace period (50 s): kube-controller-manager then
      // marks every pod not ready, and the fake kubelet must make them ready again (src/local/kwok-nodes.ts).
      const longOutage = random() < 0.5;
      const outageMs = Math.round(longOutage ? 55_000 + random() * 10_000 : 2000 + random() * 6000);
      process.stdout.write(`API server restart drill (R8): seed ${String(seed)} (GRADUAL_R8_SEED=${String(seed)} replays its choices)\n`);
      const history = await watchRolloutHistory(cluster.kubeConfig, namespace);
      const gradual = supervised();
      try {
        await gradual.ready();
        const metricUrl = `http://127.0.0.1:${String((metricServer.address() as AddressInfo).port)}/ok`;
        await createRepository(github, alice, {
          owner,
          repo,
          files: {
            '.gradual.yml': `environments:\n  - name: production\n    paths: ['apps/web/*.yaml']\n    namespace: ${namespace}\n`,
            'apps/web/rollout.yaml': rolloutYaml('example.test/web:blue', 'v0'),
            'apps/web/config.yaml': configYaml('0'),
            'apps/web/analysis.yaml': analysisYaml(metricUrl),
          },
          collaborators: { bob: 'write' },
        });
        await waitUntil(
          async () => {
            const status = (await readRollout().catch(() => undefined))?.status;
            return status?.phase === 'Healthy' && status.stableRS === status.currentPodHash;
          },
          { what: 'main deployed (blue Healthy)', ...untilLong },
        );
        const blueHash = (await readRollout()).status?.currentPodHash;

        // The pull request's canary, paused for a person at step 1.
        await pushBranch(bob, {
          owner,
          repo,
          branch: 'green',
          files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:green', 'v1') },
          message: 'web: green',
        });
        const number = await openPullRequest(bob, { owner, repo, head: 'green', title: 'web: green' });
        const pausedAt = async (step: number, what: string): Promise<void> => {
          await until(async () => {
            const rollout = await readRollout();
            return (
              rollout.spec?.template?.spec?.containers?.[0]?.image === 'example.test/web:green' &&
              rollout.status?.currentStepIndex === step &&
              (rollout.status.pauseConditions ?? []).length > 0
            );
          }, what);
        };
        await pausedAt(1, 'the canary paused at step 1');

        // (1) The API server away for a seeded while; a /promote and a push arrive meanwhile.
        const logger = rootLogger().child({ component: 'r8-drill' });
        // SIGKILL (a crash; no watch closed cleanly): a graceful stop took 8 s more here, and the node lifecycle
        // controller starts tainting nodes after 50 s without their leases.
        const stopped = await stopApiServer({ dir: inject('gradualEnv').dir, kill: true, logger });
        const outageStartedAt = performance.now();
        const firstPromote = await comment(bob, { owner, repo, number, body: '/promote' });
        const secondHead = await pushBranch(bob, {
          owner,
          repo,
          branch: 'green',
          files: { 'apps/web/config.yaml': configYaml('2') },
          message: 'web: config 2',
        });
        const waitMs = outageMs - (performance.now() - outageStartedAt);
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        const restartedAt = performance.now();
        await stopped.start();
        const apiServerBackAt = performance.now();
        const apiServerDownMs = Math.round(apiServerBackAt - outageStartedAt);
        const apiServerStartMs = Math.round(apiServerBackAt - restartedAt);

        await pausedAt(4, 'the /promote given during the outage acted on: through the analysis to the pause at step 4');
        await waitUntil(async () => (await configVersion()) === '2', { what: 'the push made during the outage applied', ...untilLong });
        const restartConvergedMs = Math.round(performance.now() - apiServerBackAt);
        await waitUntil(async () => (await botReactions(firstPromote)).includes('rocket'), {
          what: '🚀 on the /promote given during the outage',
          ...untilLong,
        });

        // (2) The 409 storm: a competitor writes the Rollout as fast as it can while a /promote and a push arrive.
        const stormProcess = gradual.current();
        const conflictsBefore = await requestsWithStatus(stormProcess, '409');
        const apiServerConflictsBefore = await apiServerStatusConflicts();
        const storm = competitor();
        const stormStartedAt = performance.now();
        let stormFigures: StormFigures | undefined;
        let stormConvergedMs: number | undefined;
        let secondPromote: number;
        let finalHead: string;
        const engineConflictsNow = async (): Promise<number> =>
          gradual.current() === stormProcess
            ? (await requestsWithStatus(stormProcess, '409')) - conflictsBefore
            : requestsWithStatus(gradual.current(), '409');
        try {
          // Let it run before the commands, so they land in the storm rather than before it.
          await waitUntil(async () => Promise.resolve((await readRollout()).metadata.annotations?.[competitorAnnotation] !== undefined), {
            what: 'the competitor writing',
            timeoutMs: 30_000,
          });
          secondPromote = await comment(bob, { owner, repo, number, body: '/promote' });
          finalHead = await pushBranch(bob, {
            owner,
            repo,
            branch: 'green',
            files: { 'apps/web/config.yaml': configYaml('3'), 'apps/web/rollout.yaml': rolloutYaml('example.test/web:green', 'v3') },
            message: 'web: config 3, label v3',
          });
          await until(async () => {
            const rollout = await readRollout();
            const status = rollout.status;
            return (
              rollout.spec?.template?.spec?.containers?.[0]?.image === 'example.test/web:green' &&
              status?.currentStepIndex === steps.length &&
              status.phase === 'Healthy' &&
              status.stableRS === status.currentPodHash &&
              rollout.metadata.labels?.['drill'] === 'v3' &&
              (await configVersion()) === '3'
            );
          }, 'fully promoted and the push applied, during the storm');
          stormConvergedMs = Math.round(performance.now() - stormStartedAt);
          // The storm goes on until it has refused one of Gradual's own writes: every write it lands moves the
          // generation, so the engine keeps writing the status, and a refused write shows on /metrics.
          await until(
            async () => (await engineConflictsNow()) > 0,
            'a write of Gradual’s refused with 409 during the storm, on its /metrics (controller_clientset_k8s_request_total)',
          );
        } finally {
          stormFigures = await storm.stop();
        }
        const stormMs = Math.round(performance.now() - stormStartedAt);
        const engineConflicts = await engineConflictsNow();
        const apiServerConflicts = (await apiServerStatusConflicts()) - apiServerConflictsBefore;

        // The check run of the last head says fully promoted, the sticky comment (one) shows that head, each command once.
        const checkName = `gradual/rollout ${namespace}/${app}`;
        await waitUntil(
          async () => {
            const runs = (await octokit().rest.checks.listForRef({ owner, repo, ref: finalHead, check_name: checkName })).data.check_runs;
            return runs.length === 1 && runs[0]?.conclusion === 'success';
          },
          { what: `${checkName} on the last head: success`, ...untilLong },
        );
        await waitUntil(
          async () => {
            const bodies = (await octokit().rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 })).data
              .map((item) => item.body ?? '')
              .filter((body) => body.startsWith(STICKY_MARKER));
            return bodies.length === 1 && bodies[0]?.includes(finalHead.slice(0, 7)) === true && bodies[0].includes('healthy');
          },
          { what: 'the sticky comment at the last head, healthy', ...untilLong },
        );
        await waitUntil(async () => (await botReactions(secondPromote)).includes('rocket'), {
          what: '🚀 on the /promote given during the storm',
          ...untilLong,
        });

        const rollout = await readRollout();
        const records = readCommandRecords(rollout);
        expect(records.filter((record) => record.id === `comment:${String(firstPromote)}#0`).map((record) => record.from.step)).toEqual([
          1,
        ]);
        expect(records.filter((record) => record.id === `comment:${String(secondPromote)}#0`).map((record) => record.from.step)).toEqual([
          4,
        ]);
        expect(await botReactions(firstPromote)).toEqual(['rocket']);
        expect(await botReactions(secondPromote)).toEqual(['rocket']);
        // The engine's status writes and the bot's apply never overwrote the competitor's changes.
        expect(rollout.metadata.annotations?.[competitorAnnotation]).toBe(stormFigures.lastWritten);
        expect(revisionHistoryLimit(rollout)).toBe(stormFigures.lastLimit);
        // Every step of the green revision once, in order, from its first to the end.
        const greenHash = history
          .samples(app)
          .find(
            (sample) => sample.image === 'example.test/web:green' && sample.podHash !== undefined && sample.podHash !== blueHash,
          )?.podHash;
        expect(greenHash).toBeDefined();
        const sequence = stepSequence(history.samples(app), greenHash ?? '');
        expect(sequence.problem).toBeUndefined();
        expect(sequence.steps.at(-1)).toBe(steps.length);
        const checkRuns = (await octokit().rest.checks.listForRef({ owner, repo, ref: secondHead, per_page: 100 })).data.check_runs.map(
          (run) => run.name,
        );
        expect(checkRuns.filter((name, index) => checkRuns.indexOf(name) !== index)).toEqual([]);
        expect(github.violations).toEqual([]);

        const figures = {
          seed,
          outageMs,
          longOutage,
          podsMarkedNotReady: await podsMarkedNotReady(),
          apiServerDownMs,
          apiServerStartMs,
          stop: 'SIGKILL',
          convergedAfterRestartMs: restartConvergedMs,
          stepsSeen: sequence.steps.join(','),
          competitorWrites: stormFigures.writes,
          competitorConflicts: stormFigures.conflicts,
          engineConflicts,
          apiServerStatusConflicts: apiServerConflicts,
          stormConvergedMs,
          stormMs,
          selfRestarts: gradual.restarts(),
        };
        process.stdout.write(`API server restart drill (R8): ${JSON.stringify(figures)}\n`);
        // Gradual's metric counts every refusal of its writes: at least the status PUTs the API server says it refused
        // (the engine's revision-annotation patches may add to it; the competitor's own 409s never do).
        expect(engineConflicts).toBeGreaterThan(0);
        if (gradual.current() === stormProcess) expect(engineConflicts).toBeGreaterThanOrEqual(apiServerConflicts);
      } finally {
        await gradual.stop();
        history.stop();
      }
    });
  },
);
