import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPath, createRestClient, formatMicroTime, isConflict, type LeaseObject } from '../../src/kube/index.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { allocatePorts } from '../../src/local/ports.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { testCluster } from './support/test-cluster.js';

// Issue 22, "Any replica": `gradual bot` with leader election. Every replica listens; only the leader is ready
// and takes webhooks, a follower answers /readyz and deliveries 503; the Lease handed back on SIGTERM is taken
// at once; a leader whose Lease is taken from it exits non-zero, for its supervisor to restart it.
const cluster = testCluster('bot-replicas');
const { namespace } = cluster;
/** A long lease and a short retry: a hand-over by release must come well before a dead leader's Lease would expire. */
const lease = { duration: 10_000, renewDeadline: 6000, retryPeriod: 300 };

let github: TestGithub;
let work: string;
let configFile: string;

interface BotReplica {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

async function startReplica(name: string): Promise<BotReplica> {
  const { port } = await allocatePorts({ port: undefined });
  const cli = ownCliInvocation();
  const child = spawn(
    cli.command,
    [
      ...cli.args,
      'bot',
      '--leader-election-lease-duration',
      `${String(lease.duration)}ms`,
      '--leader-election-renew-deadline',
      `${String(lease.renewDeadline)}ms`,
      '--leader-election-retry-period',
      `${String(lease.retryPeriod)}ms`,
    ],
    {
      cwd: cli.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        APP_ID: String(github.appId),
        PRIVATE_KEY: github.privateKey,
        WEBHOOK_SECRET: github.webhookSecret,
        GHE_HOST: new URL(github.server.url).host,
        GHE_PROTOCOL: 'http',
        PORT: String(port),
        HOST: '127.0.0.1',
        GRADUAL_CONFIG: configFile,
      },
    },
  );
  const logFile = join(work, `${name}.log`);
  const collect = (chunk: Buffer): void => {
    void appendFile(logFile, chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  await waitUntil(async () => (await status(port, '/healthz')) === 200 || child.exitCode !== null, {
    what: `bot ${name} to listen (log: ${logFile})`,
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  return { child, port, exited };
}

async function status(port: number, path: string, method = 'GET'): Promise<number | undefined> {
  try {
    return (await fetch(`http://127.0.0.1:${String(port)}${path}`, { method, signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  await cluster.setUp();
  github = await startTestGithub({ git: true });
  work = await mkdtemp(join(tmpdir(), 'gradual-bot-replicas-'));
  configFile = join(work, 'gradual.yaml');
  await writeFile(
    configFile,
    `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: acme/*\n    environments: { '*': local }\nstate: { cluster: local, namespace: ${namespace} }\ncacheDir: ${join(work, 'clones')}\n`,
  );
}, 300_000);

afterAll(async () => {
  await github.stop();
  await cluster.tearDown();
});

describe('gradual bot replicas', { timeout: 180_000 }, () => {
  it('one leader takes webhooks, a follower is not ready and refuses them, SIGTERM hands over at once, a lost Lease ends the process', async () => {
    const a = await startReplica('a');
    await waitUntil(async () => (await status(a.port, '/readyz')) === 200, { what: 'a to lead', timeoutMs: 60_000 });
    const b = await startReplica('b');
    try {
      await new Promise((resolve) => setTimeout(resolve, 3 * lease.retryPeriod));
      // The follower: alive, not ready, and a delivery that reaches it anyway is refused (GitHub records it failed).
      expect([
        await status(b.port, '/healthz'),
        await status(b.port, '/readyz'),
        await status(b.port, '/api/github/webhooks', 'POST'),
      ]).toEqual([200, 503, 503]);
      // The leader answers a delivery itself (an unsigned one: refused by the webhook handler as a client error, not 503).
      const unsigned = (await status(a.port, '/api/github/webhooks', 'POST')) ?? 0;
      expect(unsigned >= 400 && unsigned < 500).toBe(true);

      // SIGTERM: the leader hands the Lease back, the follower leads within a retry period or two.
      const stoppedAt = performance.now();
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      await waitUntil(async () => (await status(b.port, '/readyz')) === 200, { what: 'b to lead', timeoutMs: 30_000, intervalMs: 50 });
      const handoverMs = Math.round(performance.now() - stoppedAt);
      // Released, not expired: b leads (and is ready, its loops started) before a dead leader's Lease would even have expired.
      expect(handoverMs).toBeLessThan(lease.duration);

      // Another holder takes the Lease (as a partition's winner would): b stops taking webhooks and exits 1.
      // Through the REST client: a Lease's times are MicroTime (six decimals), which client-node's Date does not write.
      const rest = createRestClient(cluster.kubeConfig);
      const path = apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace, name: 'gradual-bot-lock' });
      // The leader renews every retry period: read and write again until the write is not a conflict.
      await waitUntil(
        async () => {
          const current = await rest.request<LeaseObject>({ method: 'GET', path });
          const now = formatMicroTime(Date.now());
          const written = await rest
            .request({
              method: 'PUT',
              path,
              body: {
                ...current,
                spec: { ...current.spec, holderIdentity: 'intruder', leaseDurationSeconds: 60, renewTime: now, acquireTime: now },
              },
            })
            .then(
              () => true,
              (cause: unknown) => {
                if (isConflict(cause)) return false;
                throw cause;
              },
            );
          return written;
        },
        { what: 'the Lease taken by another holder', timeoutMs: 30_000, intervalMs: 20 },
      );
      const takenAt = performance.now();
      expect(await b.exited).toBe(1);
      const exitMs = Math.round(performance.now() - takenAt);
      expect(exitMs).toBeLessThan(lease.renewDeadline + 5000);
      process.stdout.write(`bot replicas: ${JSON.stringify({ handoverMs, lostLeaseExitMs: exitMs })}\n`);
    } finally {
      for (const replica of [a, b]) if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
    }
  });
});
