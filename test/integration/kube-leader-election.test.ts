import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { apiPath, createRestClient, runLeaderElection, type LeaderElector, type LeaseObject } from '../../src/kube/index.js';

const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const namespace = `it-lease-${randomUUID().slice(0, 8)}`;
const logger = createLogger({ level: 'warn' });
const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };

interface Transition {
  identity: string;
  event: 'started' | 'stopped';
  at: number;
}

const transitions: Transition[] = [];
const electors = new Map<string, LeaderElector>();
const startWaiters = new Map<string, () => void>();

function startElector(identity: string): LeaderElector {
  const elector = runLeaderElection({
    kubeConfig,
    namespace,
    name: 'gradual-controller',
    identity,
    ...timing,
    logger,
    onStartedLeading: () => {
      transitions.push({ identity, event: 'started', at: performance.now() });
      startWaiters.get(identity)?.();
    },
    onStoppedLeading: () => {
      transitions.push({ identity, event: 'stopped', at: performance.now() });
    },
  });
  electors.set(identity, elector);
  return elector;
}

/** Resolves with the identity of the first of `identities` to start leading; bounded. */
function nextLeader(identities: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `none of ${identities.join(', ')} started leading within ${String(timeoutMs)} ms; transitions ${JSON.stringify(transitions)}`,
        ),
      );
    }, timeoutMs);
    for (const identity of identities) {
      startWaiters.set(identity, () => {
        clearTimeout(timer);
        for (const other of identities) startWaiters.delete(other);
        resolve(identity);
      });
    }
  });
}

function leaders(): string[] {
  return [...electors].filter(([, elector]) => elector.isLeader()).map(([identity]) => identity);
}

/** Leadership intervals per identity; an interval still open at the end closes at `end`. */
function intervals(end: number): { identity: string; from: number; to: number }[] {
  const open = new Map<string, number>();
  const closed: { identity: string; from: number; to: number }[] = [];
  for (const transition of transitions) {
    if (transition.event === 'started') open.set(transition.identity, transition.at);
    else {
      closed.push({ identity: transition.identity, from: open.get(transition.identity) ?? transition.at, to: transition.at });
      open.delete(transition.identity);
    }
  }
  for (const [identity, from] of open) closed.push({ identity, from, to: end });
  return closed.sort((a, b) => a.from - b.from);
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await Promise.all([...electors.values()].map((elector) => elector.stop()));
  await core.deleteNamespace({ name: namespace });
});

describe('runLeaderElection on a real Lease', () => {
  it('elects one leader, hands over fast on release and after expiry when a leader dies, never two at once', async () => {
    const rest = createRestClient(kubeConfig);
    const leasePath = apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace, name: 'gradual-controller' });

    // Both start together: one creates the lease, the other gets 409 and waits.
    const first = nextLeader(['a', 'b']);
    startElector('a');
    startElector('b');
    const leader = await first;
    const follower = leader === 'a' ? 'b' : 'a';
    expect(leaders()).toEqual([leader]);
    const lease = await rest.request<LeaseObject>({ method: 'GET', path: leasePath });
    expect(lease.spec).toMatchObject({ holderIdentity: leader, leaseDurationSeconds: 2 });
    expect(lease.spec?.renewTime).toMatch(/\.\d{6}Z$/);

    // Released on stop: the follower takes over within a few retry periods, well before the 2 s lease would expire.
    const handover = nextLeader([follower]);
    const stoppedAt = performance.now();
    await electors.get(leader)?.stop();
    expect(electors.get(leader)?.isLeader()).toBe(false);
    await handover;
    const releaseTakeoverMs = performance.now() - stoppedAt;
    expect(releaseTakeoverMs).toBeLessThan(1500);
    expect(leaders()).toEqual([follower]);

    // A new candidate; then the leader dies without releasing: the candidate waits for the lease to expire.
    const third = startElector('c');
    const afterDeath = nextLeader(['c']);
    expect(third.isLeader()).toBe(false);
    const diedAt = performance.now();
    await electors.get(follower)?.abandon();
    await afterDeath;
    const expiryTakeoverMs = performance.now() - diedAt;
    // At least the lease duration minus one renewal period (the last renewal happened up to 300 ms before death).
    expect(expiryTakeoverMs).toBeGreaterThan(timing.leaseDurationMs - timing.retryPeriodMs - 100);
    expect(expiryTakeoverMs).toBeLessThan(timing.leaseDurationMs + 3 * timing.retryPeriodMs + 2000);
    expect(leaders()).toEqual(['c']);

    const final = await rest.request<LeaseObject>({ method: 'GET', path: leasePath });
    expect(final.spec?.holderIdentity).toBe('c');
    expect(final.spec?.leaseTransitions).toBeGreaterThanOrEqual(2);

    await third.stop();
    const released = await rest.request<LeaseObject>({ method: 'GET', path: leasePath });
    expect(released.spec?.holderIdentity).toBe('');

    // No two leadership intervals overlap, across every transition recorded.
    const spans = intervals(performance.now());
    expect(spans.map((span) => span.identity)).toEqual([leader, follower, 'c']);
    for (let index = 1; index < spans.length; index += 1) {
      expect(spans[index]?.from).toBeGreaterThanOrEqual(spans[index - 1]?.to ?? Number.POSITIVE_INFINITY);
    }
    console.info(`hand-over after release: ${releaseTakeoverMs.toFixed(0)} ms; after a leader died: ${expiryTakeoverMs.toFixed(0)} ms`);
  });
});
