import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comment, createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { probe, startGradualProcess } from './support/gradual-process.js';
import { testCluster } from './support/test-cluster.js';

// R6 (issue 22): two replicas of `gradual start` behind one address, as a Service with a readiness probe
// puts them; the leader SIGKILLed mid-rollout; the follower takes over within the lease, and every delivery
// sent during the handover takes effect, once. The engine runs in the replicas (no test controller here).
const cluster = testCluster('failover');
const { namespace } = cluster;
const owner = 'acme';
const repo = 'failover';
/**
 * Short lease timings (Argo's flags), so the drill takes seconds: a dead leader's Lease expires after 8 s. The
 * renew deadline leaves a live leader 6 s without a successful renewal before it gives up: with 3 s, a replica
 * starved of CPU while it started its loops (load average 27 on two cores) lost the Lease it had just taken and
 * exited, before the drill had begun.
 */
const lease = { duration: 8000, renewDeadline: 6000, retryPeriod: 500 };

let github: TestGithub;
let work: string;
let configFile: string;
let alice: Person;
let bob: Person;

function rolloutYaml(name: string, image: string): string {
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
        - setWeight: 25
        - pause: {}
        - setWeight: 50
        - pause: {}
        - setWeight: 100
`;
}

function octokit(): Octokit {
  return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
}

interface Replica {
  name: string;
  child: ChildProcess;
  webhookPort: number;
  healthzPort: number;
  exited: Promise<void>;
}

/** `gradual start` as an operator runs it, with the engine's election flags. */
async function startReplica(name: string): Promise<Replica> {
  const running = await startGradualProcess({
    kubeconfigPath: cluster.kubeconfigPath,
    namespace,
    configFile,
    github,
    lease,
    logFile: join(work, `${name}.log`),
  });
  const { child, logFile } = running;
  await waitUntil(async () => (await probe(running.healthzPort, '/healthz')) === 200 || child.exitCode !== null, {
    what: `replica ${name} to answer /healthz (log: ${logFile})`,
    // A process started from source (tsx) took more than 60 s to listen under a load average of 20.
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  if (child.exitCode !== null) throw new Error(`replica ${name} exited with ${String(child.exitCode)}; its log: ${logFile}`);
  return { name, child, webhookPort: running.webhookPort, healthzPort: running.healthzPort, exited: running.exited };
}

/**
 * A Service in front of the replicas: its endpoints are the replicas whose readiness probe (/readyz) says
 * ready, probed every 250 ms as a kubelet would (faster than deploy/'s 5 s, for a short drill); a delivery
 * goes to one of them, or is refused (503) when none is ready. Each delivery's last answer is kept.
 * As the kubelet does (Kubernetes docs, "Configure Liveness, Readiness and Startup Probes": failureThreshold
 * defaults to 3, successThreshold to 1), a replica is ready from its first 200 and unready only after three
 * failed probes in a row, each given deploy/'s timeoutSeconds (2 s): one slow answer on a loaded machine
 * does not empty the Service, a dead replica (connection refused) leaves it within three rounds.
 */
async function startService(replicas: () => Replica[]): Promise<{
  url: string;
  answers: Map<string, number>;
  /** The replicas the Service routes to now. */
  endpoints(): string[];
  stop(): Promise<void>;
}> {
  const failureThreshold = 3;
  const ready = new Set<Replica>();
  const failures = new Map<Replica, number>();
  const answers = new Map<string, number>();
  const running = { value: true };
  const prober = (async () => {
    while (running.value) {
      for (const replica of replicas()) {
        if ((await probe(replica.healthzPort, '/readyz', 2000)) === 200) {
          failures.set(replica, 0);
          ready.add(replica);
        } else {
          const failed = (failures.get(replica) ?? 0) + 1;
          failures.set(replica, failed);
          if (failed >= failureThreshold) ready.delete(replica);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  let turn = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delivery = String(request.headers['x-github-delivery'] ?? '');
      const endpoints = [...ready];
      const target = endpoints[turn++ % Math.max(1, endpoints.length)];
      const answer = (status: number, body: string): void => {
        answers.set(delivery, status);
        response.writeHead(status).end(body);
      };
      if (target === undefined) {
        answer(503, 'no ready endpoint');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
        ),
      );
      fetch(`http://127.0.0.1:${String(target.webhookPort)}${request.url ?? '/'}`, {
        method: 'POST',
        headers,
        body: Buffer.concat(chunks),
      })
        .then(async (forwarded) => {
          answer(forwarded.status, await forwarded.text());
        })
        .catch(() => {
          // The endpoint died with the delivery in flight (or before the probe noticed): a failed delivery for GitHub.
          answer(502, 'upstream gone');
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/github/webhooks`,
    answers,
    endpoints: () => [...ready].map((replica) => replica.name),
    async stop() {
      running.value = false;
      await prober;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function readLock(): Promise<{ holder: string | undefined; acquiredAtMs: number | undefined }> {
  const read = await cluster.kubeConfig
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ namespace, name: 'gradual-controller-lock' })
    .catch(() => undefined);
  const identity = read?.spec?.holderIdentity;
  const acquired = read?.spec?.acquireTime;
  return {
    holder: identity === undefined || identity === '' ? undefined : identity,
    acquiredAtMs: acquired === undefined ? undefined : new Date(acquired).getTime(),
  };
}

async function holder(): Promise<string | undefined> {
  return (await readLock()).holder;
}

beforeAll(async () => {
  await cluster.setUp();
  github = await startTestGithub({ git: true });
  work = await mkdtemp(join(tmpdir(), 'gradual-failover-'));
  configFile = join(work, 'gradual.yaml');
  // The ledger in the test's namespace: another test's ledger must not know this GitHub's delivery ids.
  await writeFile(
    configFile,
    `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: ${owner}/*\n    environments: { '*': local }\nstate: { cluster: local, namespace: ${namespace} }\ncacheDir: ${join(work, 'clones')}\n`,
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
  await cluster.tearDown();
});

describe('failover (R6): two replicas of gradual start behind one address', { timeout: 480_000 }, () => {
  it('the leader SIGKILLed mid-rollout: the follower takes over within the lease, every delivery sent meanwhile takes effect, none twice', async () => {
    const replicas: Replica[] = [];
    const service = await startService(() => replicas);
    github.setWebhookUrl(service.url);
    try {
      replicas.push(await startReplica('a'));
      await waitUntil(async () => (await probe(replicas[0]?.healthzPort ?? 0, '/readyz')) === 200, {
        what: 'replica a to lead and serve webhooks',
        timeoutMs: 60_000,
      });
      const leaderIdentity = await holder();
      replicas.push(await startReplica('b'));
      const [a, b] = replicas as [Replica, Replica];
      // A follower: healthy (not restarted for following) but not ready, so the Service sends it nothing.
      await new Promise((resolve) => setTimeout(resolve, 2 * lease.retryPeriod));
      expect([
        await probe(b.healthzPort, '/healthz'),
        await probe(b.healthzPort, '/readyz'),
        await probe(b.webhookPort, '/healthz'),
      ]).toEqual([200, 503, undefined]);

      // The environments, deployed from main by the leader.
      const folder = join(work, 'repository');
      await mkdir(join(folder, 'apps', 'api'), { recursive: true });
      await mkdir(join(folder, 'apps', 'tools'), { recursive: true });
      await writeFile(
        join(folder, '.gradual.yml'),
        `environments:\n  - name: staging\n    paths: ['apps/api/*.yaml']\n    namespace: ${namespace}\n  - name: tools\n    paths: ['apps/tools/*.yaml']\n    namespace: ${namespace}\n`,
      );
      await writeFile(join(folder, 'apps', 'api', 'rollout.yaml'), rolloutYaml('api', 'example.test/api:blue'));
      await writeFile(join(folder, 'apps', 'tools', 'rollout.yaml'), rolloutYaml('tools', 'example.test/tools:blue'));
      await createRepositoryFromFolder(alice, { owner, repo, folder });
      await github.server.update((state) => {
        const repository = state.repositories.find((candidate) => candidate.name === repo);
        if (repository !== undefined) Object.assign(repository.collaborators, { bob: 'write' });
      });
      for (const name of ['api', 'tools'])
        await cluster.untilRollout(name, 'main Healthy', (rollout) => rollout.status?.phase === 'Healthy');

      // Mid-rollout: a pull request's canary paused for a person at step 1.
      await pushBranch(bob, {
        owner,
        repo,
        branch: 'purple',
        files: { 'apps/api/rollout.yaml': rolloutYaml('api', 'example.test/api:purple') },
        message: 'api: purple',
      });
      const purple = await openPullRequest(bob, { owner, repo, head: 'purple', title: 'api: purple' });
      await cluster.untilRollout(
        'api',
        'the canary paused at step 1',
        (rollout) =>
          rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/api:purple' &&
          rollout.status?.currentStepIndex === 1 &&
          (rollout.status.pauseConditions ?? []).length > 0,
      );
      await pushBranch(bob, {
        owner,
        repo,
        branch: 'green',
        files: { 'apps/tools/rollout.yaml': rolloutYaml('tools', 'example.test/tools:green') },
        message: 'tools: green',
      });

      // The leader dies. During the handover: a /promote and a new pull request.
      const mark = github.received.length;
      const killedAt = performance.now();
      const killedAtEpochMs = Date.now();
      a.child.kill('SIGKILL');
      await a.exited;
      const promote = await comment(bob, { owner, repo, number: purple, body: '/promote' });
      const green = await openPullRequest(bob, { owner, repo, head: 'green', title: 'tools: green' });
      let takenAt: number | undefined;
      await waitUntil(
        async () => {
          const now = await holder();
          if (takenAt === undefined && now !== undefined && now !== leaderIdentity) takenAt = performance.now();
          return (await probe(b.healthzPort, '/readyz')) === 200;
        },
        { what: 'replica b to take over and serve webhooks', timeoutMs: 60_000, intervalMs: 50 },
      );
      const readyAt = performance.now();
      await waitUntil(() => Promise.resolve(service.endpoints().join() === 'b'), {
        what: 'the Service to route to b alone',
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      const during = github.received.slice(mark);
      const deliveryId = (index: number): string => String(during[index]?.headers['x-github-delivery']);
      const refused = during.filter((_, index) => (service.answers.get(deliveryId(index)) ?? 0) >= 300).length;
      // GitHub's redelivery of every failed delivery (it does not retry by itself), through the Service again.
      let redelivered = 0;
      for (const [index, delivery] of during.entries()) {
        if ((service.answers.get(deliveryId(index)) ?? 0) < 300) continue;
        const headers = Object.fromEntries(
          Object.entries(delivery.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
          ),
        );
        const answer = await fetch(service.url, { method: 'POST', headers, body: delivery.body });
        redelivered += 1;
        expect(answer.status).toBeLessThan(300);
      }

      // Every delivery of the handover took effect: the promote moved the canary one pause on, the new pull request deployed.
      await cluster.untilRollout('api', 'promoted once: paused at step 3', (rollout) => rollout.status?.currentStepIndex === 3);
      const greenHead = (await octokit().rest.pulls.get({ owner, repo, pull_number: green })).data.head.sha;
      await waitUntil(
        async () =>
          (
            await octokit().rest.checks.listForRef({ owner, repo, ref: greenHead, check_name: 'gradual/deploy tools' })
          ).data.check_runs.some((run) => run.conclusion === 'success'),
        { what: 'the pull request opened during the handover deployed', timeoutMs: 90_000 },
      );
      await cluster.untilRollout(
        'tools',
        'at green',
        (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/tools:green',
      );
      const settledAt = performance.now();
      await waitUntil(
        async () =>
          (await octokit().rest.reactions.listForIssueComment({ owner, repo, comment_id: promote })).data.some(
            (r) => r.content === 'rocket',
          ),
        { what: '🚀 on the /promote', timeoutMs: 60_000 },
      );

      // None twice: a quiet while later the canary is still at its second pause, the command recorded once, one 🚀,
      // one check run per (head, name), no bot comment posted twice.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const api = await cluster.readRollout('api');
      expect(api.status?.currentStepIndex).toBe(3);
      const records = JSON.parse(api.metadata?.annotations?.['gradual.dev/commands'] ?? '[]') as { id: string; from: { step: number } }[];
      expect(records.filter((record) => record.id === `comment:${String(promote)}#0`).map((record) => record.from.step)).toEqual([1]);
      const reactions = (await octokit().rest.reactions.listForIssueComment({ owner, repo, comment_id: promote })).data;
      expect(reactions.filter((reaction) => reaction.content === 'rocket')).toHaveLength(1);
      const purpleHead = (await octokit().rest.pulls.get({ owner, repo, pull_number: purple })).data.head.sha;
      for (const sha of [purpleHead, greenHead]) {
        const names = (await octokit().rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 })).data.check_runs.map(
          (run) => run.name,
        );
        expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
      }
      for (const number of [purple, green]) {
        const bodies = (await octokit().rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 })).data
          .filter((item) => item.user?.login.endsWith('[bot]') === true)
          .map((item) => item.body ?? '');
        expect(bodies.filter((body, index) => bodies.indexOf(body) !== index)).toEqual([]);
      }
      expect(github.violations).toEqual([]);

      // When the follower took the Lease is the acquireTime it wrote (this machine's clock, as killedAtEpochMs): the
      // test's own polling (a Lease read and a /readyz probe of up to 1 s each round, on a loaded machine) is not part
      // of the figure. Seen by the test is the fallback, should the Lease say nothing.
      const lock = await readLock();
      const acquiredAtMs = lock.holder !== undefined && lock.holder !== leaderIdentity ? lock.acquiredAtMs : undefined;
      const takeoverMs =
        acquiredAtMs === undefined ? Math.round((takenAt ?? readyAt) - killedAt) : Math.round(acquiredAtMs - killedAtEpochMs);
      // Within the lease: a dead leader's Lease expires lease.duration after its last renewal, and the follower looks every retry period.
      expect(takeoverMs).toBeLessThanOrEqual(lease.duration + lease.retryPeriod + 1000);
      const figures = {
        leaseMs: lease.duration,
        takeoverMs,
        readyMs: Math.round(readyAt - killedAt),
        settledMs: Math.round(settledAt - killedAt),
        deliveriesDuringHandover: during.length,
        refusedDuringHandover: refused,
        redelivered,
        handled: during.filter((_, index) => (service.answers.get(deliveryId(index)) ?? 0) < 300).length,
      };
      expect(figures.handled).toBe(figures.deliveriesDuringHandover);
      process.stdout.write(`failover drill (R6): ${JSON.stringify(figures)}\n`);
    } finally {
      github.setWebhookUrl(undefined);
      for (const replica of replicas) {
        if (replica.child.exitCode === null && replica.child.signalCode === null) {
          replica.child.kill('SIGTERM');
          await replica.exited;
        }
      }
      await service.stop();
    }
  });
});
