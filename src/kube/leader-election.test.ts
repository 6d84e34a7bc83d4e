import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import type { LeaseObject } from './decide-leadership.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { runLeaderElection, type LeaderElector } from './leader-election.js';
import type { RestClient, RestRequest } from './rest-client.js';

const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
const silent = createLogger({ level: 'silent' });

function apiError(code: number): Error {
  return Object.assign(new Error(`HTTP ${String(code)}`), { code });
}

/** An in-memory Lease endpoint with the API server's optimistic concurrency, which can fail or hang on demand. */
function fakeLeaseApi(): { rest: RestClient; stored(): LeaseObject | undefined; mode: { down: boolean; hang: boolean }; writes: number[] } {
  let stored: LeaseObject | undefined;
  let version = 0;
  const mode = { down: false, hang: false };
  const writes: number[] = [];
  function handle(request: RestRequest): unknown {
    const body = request.body as LeaseObject | undefined;
    if (request.method === 'GET') {
      if (stored === undefined) throw apiError(404);
      return structuredClone(stored);
    }
    if (body === undefined) throw apiError(400);
    if (request.method === 'POST' && stored !== undefined) throw apiError(409);
    if (request.method === 'PUT' && body.metadata.resourceVersion !== stored?.metadata.resourceVersion) throw apiError(409);
    version += 1;
    writes.push(version);
    stored = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(version) } };
    return structuredClone(stored);
  }
  const rest: RestClient = {
    request<T>(request: RestRequest): Promise<T> {
      if (mode.hang) return new Promise<T>(() => undefined);
      if (mode.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      try {
        return Promise.resolve(handle(request) as T);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  return { rest, stored: () => stored, mode, writes };
}

interface Candidate {
  elector: LeaderElector;
  events: { event: 'started' | 'stopped'; at: number }[];
}

function candidate(identity: string, clock: FakeClock, rest: RestClient): Candidate {
  const events: Candidate['events'] = [];
  const elector = runLeaderElection({
    kubeConfig: new KubeConfig(),
    restClient: rest,
    namespace: 'gradual',
    name: 'gradual-controller',
    identity,
    ...timing,
    clock,
    logger: silent,
    onStartedLeading: () => {
      events.push({ event: 'started', at: clock.now() });
    },
    onStoppedLeading: () => {
      events.push({ event: 'stopped', at: clock.now() });
    },
  });
  return { elector, events };
}

/** Candidate a holds the lease, then b joins and has tried for a second. */
async function twoCandidates() {
  const clock = createFakeClock(0);
  const api = fakeLeaseApi();
  const a = candidate('a', clock, api.rest);
  await clock.settle();
  const b = candidate('b', clock, api.rest);
  await clock.advance(1000);
  return { clock, api, a, b };
}

describe('runLeaderElection (fake clock, in-memory Lease)', () => {
  it('creates the lease, leads, and renews it every retry period', async () => {
    const clock = createFakeClock(0);
    const api = fakeLeaseApi();
    const a = candidate('a', clock, api.rest);
    await clock.settle();
    expect(a.elector.isLeader()).toBe(true);
    expect(api.stored()?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0, leaseDurationSeconds: 2 });
    await clock.advance(3000);
    expect(api.writes).toHaveLength(11);
    expect(api.stored()?.spec?.renewTime).toBe('1970-01-01T00:00:03.000000Z');
    await a.elector.stop();
    expect(api.stored()?.spec?.holderIdentity).toBe('');
    expect(a.events.map((e) => e.event)).toEqual(['started', 'stopped']);
  });

  it('hands over within one retry period when the leader releases on stop', async () => {
    const { clock, api, a, b } = await twoCandidates();
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    const stoppedAt = clock.now();
    await a.elector.stop();
    await clock.advance(300);
    expect(b.elector.isLeader()).toBe(true);
    expect((b.events[0]?.at ?? Infinity) - stoppedAt).toBeLessThanOrEqual(300);
    expect(api.stored()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it.each([
    { name: 'fail', apply: (mode: { down: boolean; hang: boolean }) => (mode.down = true) },
    { name: 'hang', apply: (mode: { down: boolean; hang: boolean }) => (mode.hang = true) },
  ])('a leader whose requests $name steps down at renewDeadline, before anyone else may take the lease', async ({ apply }) => {
    const clock = createFakeClock(0);
    const api = fakeLeaseApi();
    const a = candidate('a', clock, api.rest);
    await clock.advance(1000);
    expect(a.elector.isLeader()).toBe(true);
    const lastRenewal = clock.now() - (clock.now() % timing.retryPeriodMs);
    apply(api.mode);
    await clock.advance(5000);
    expect(a.elector.isLeader()).toBe(false);
    const stoppedAt = a.events.find((e) => e.event === 'stopped')?.at ?? Infinity;
    expect(stoppedAt).toBeLessThanOrEqual(lastRenewal + timing.renewDeadlineMs);
    expect(stoppedAt).toBeLessThan(lastRenewal + timing.leaseDurationMs);
    // The lease still names a: the others will take it only after it expires.
    expect(api.stored()?.spec?.holderIdentity).toBe('a');
    // stop() returns even though the API never answers.
    let stopped = false;
    const stopping = a.elector.stop().then(() => {
      stopped = true;
    });
    await clock.advance(2 * timing.renewDeadlineMs);
    await stopping;
    expect(stopped).toBe(true);
  });

  it('a leader that lost its lease never leads again in the same process, even when the API comes back at once', async () => {
    // Its leader-only work may still be stopping; leading again would start that work twice (issue 22's chaos drill).
    const clock = createFakeClock(0);
    const api = fakeLeaseApi();
    const a = candidate('a', clock, api.rest);
    await clock.advance(1000);
    api.mode.down = true;
    await clock.advance(timing.renewDeadlineMs + timing.retryPeriodMs);
    expect(a.elector.isLeader()).toBe(false);
    api.mode.down = false;
    const writes = api.writes.length;
    await clock.advance(5 * timing.leaseDurationMs);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.map((e) => e.event)).toEqual(['started', 'stopped']);
    expect(api.writes).toHaveLength(writes);
    await a.elector.stop();
  });

  it('takes over an abandoned lease only after it expires, measured from when it was observed', async () => {
    const { clock, a, b } = await twoCandidates();
    const diedAt = clock.now();
    await a.elector.abandon();
    await clock.advance(1600);
    expect(b.elector.isLeader()).toBe(false);
    await clock.advance(1000);
    expect(b.elector.isLeader()).toBe(true);
    const takeover = (b.events[0]?.at ?? Infinity) - diedAt;
    expect(takeover).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
    expect(takeover).toBeLessThanOrEqual(timing.leaseDurationMs + timing.retryPeriodMs);
    expect(a.events.at(-1)?.at).toBeLessThan(b.events[0]?.at ?? 0);
    await b.elector.stop();
  });

  it('refuses timings where the leader could outlive its lease', () => {
    expect(() =>
      runLeaderElection({
        kubeConfig: new KubeConfig(),
        namespace: 'n',
        name: 'l',
        identity: 'a',
        leaseDurationMs: 1000,
        renewDeadlineMs: 1000,
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
      }),
    ).toThrow(/retryPeriod < renewDeadline < leaseDuration/);
  });
});
