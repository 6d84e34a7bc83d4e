import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createKeyQueue } from './key-queue.js';
import { TerminalError } from '../errors/terminal-error.js';
import type { KeyQueue, KeyQueueOptions, Reconcile, ReconcileResult } from './types.js';

const silent = createLogger({ level: 'silent' });

interface Harness {
  clock: FakeClock;
  queue: KeyQueue;
  /** Every reconcile start: key and fake time. */
  calls: { key: string; at: number }[];
  running: Promise<void>;
}

function start(reconcile: (key: string, clock: FakeClock) => Promise<ReconcileResult | undefined>, options: KeyQueueOptions = {}): Harness {
  const clock = createFakeClock(0);
  const queue = createKeyQueue({ clock, logger: silent, ...options });
  const calls: { key: string; at: number }[] = [];
  const wrapped: Reconcile = (key) => {
    calls.push({ key, at: clock.now() });
    return reconcile(key, clock);
  };
  return { clock, queue, calls, running: queue.run(wrapped) };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const succeed = (): Promise<undefined> => Promise.resolve(undefined);

describe('createKeyQueue', () => {
  it('merges repeats of a key that is already waiting', async () => {
    const gate = deferred();
    // Hold the only worker on `x` so that the other adds wait in the queue.
    const blocking = start(() => gate.promise.then(() => undefined), { workers: 1 });
    blocking.queue.add('x');
    for (const key of ['ns/a', 'ns/a', 'ns/b', 'ns/a', 'ns/b']) blocking.queue.add(key);
    expect(blocking.queue.metrics()).toMatchObject({ depth: 2, addsTotal: 3, inFlight: 1 });
    gate.resolve();
    await blocking.clock.settle();
    expect(blocking.calls.map((c) => c.key)).toEqual(['x', 'ns/a', 'ns/b']);
    await blocking.queue.shutdown();
  });

  it('serves urgent keys and due planned deadlines before ordinary adds', async () => {
    const gate = deferred();
    const h = start((key) => (key === 'x' ? gate.promise.then(() => undefined) : succeed()), { workers: 1, minDelayMs: 10 });
    h.queue.add('x');
    await h.clock.settle();
    h.queue.addAfter('ns/pause-ends', 10);
    for (const key of ['ns/a', 'ns/b', 'ns/c']) h.queue.add(key);
    h.queue.addUrgent('ns/aborted');
    // Already waiting in the ordinary lane: moved ahead, not queued twice.
    h.queue.addUrgent('ns/b');
    await h.clock.advance(10);
    expect(h.queue.metrics()).toMatchObject({ depth: 5, inFlight: 1 });
    gate.resolve();
    await h.clock.settle();
    expect(h.calls.map((c) => c.key)).toEqual(['x', 'ns/aborted', 'ns/b', 'ns/pause-ends', 'ns/a', 'ns/c']);
    await h.queue.shutdown();
  });

  it('a retry after a failure is not urgent: it waits behind urgent keys', async () => {
    const gate = deferred();
    let failOnce = true;
    const h = start(
      (key) => {
        if (key === 'x') return gate.promise.then(() => undefined);
        if (key === 'ns/failing' && failOnce) {
          failOnce = false;
          return Promise.reject(new Error('conflict'));
        }
        return succeed();
      },
      { workers: 1 },
    );
    h.queue.add('ns/failing');
    await h.clock.settle();
    h.queue.add('x');
    await h.clock.advance(5);
    h.queue.add('ns/a');
    h.queue.addUrgent('ns/urgent');
    gate.resolve();
    await h.clock.settle();
    expect(h.calls.map((c) => c.key)).toEqual(['ns/failing', 'x', 'ns/urgent', 'ns/failing', 'ns/a']);
    await h.queue.shutdown();
  });

  it('an urgent add for a key in flight queues it again, urgent, when its reconcile ends', async () => {
    const gates = [deferred(), deferred()];
    let call = 0;
    const h = start(
      () => {
        const gate = gates[call];
        call += 1;
        return gate === undefined ? succeed() : gate.promise.then(() => undefined);
      },
      { workers: 1 },
    );
    h.queue.add('ns/a');
    await h.clock.settle();
    h.queue.add('ns/other');
    h.queue.addUrgent('ns/a');
    gates[0]?.resolve();
    gates[1]?.resolve();
    await h.clock.settle();
    expect(h.calls.map((c) => c.key)).toEqual(['ns/a', 'ns/a', 'ns/other']);
    await h.queue.shutdown();
  });

  it('re-queues a key added while it is being reconciled exactly once, after the reconcile ends', async () => {
    const gates = [deferred(), deferred()];
    let call = 0;
    const h = start(() => {
      const gate = gates[call];
      call += 1;
      return gate === undefined ? succeed() : gate.promise.then(() => undefined);
    });
    h.queue.add('ns/a');
    await h.clock.settle();
    expect(h.calls).toHaveLength(1);
    h.queue.add('ns/a');
    h.queue.add('ns/a');
    await h.clock.settle();
    // The second worker is idle but must not take the dirty key while it is in flight.
    expect(h.calls).toHaveLength(1);
    expect(h.queue.metrics()).toMatchObject({ depth: 0, inFlight: 1 });
    gates[0]?.resolve();
    await h.clock.settle();
    expect(h.calls).toHaveLength(2);
    gates[1]?.resolve();
    await h.clock.settle();
    expect(h.calls).toHaveLength(2);
    await h.queue.shutdown();
  });

  it('never reconciles one key twice at once, while different keys run in parallel', async () => {
    const active = new Map<string, number>();
    let maxSameKey = 0;
    let maxOverall = 0;
    const h = start(
      async (key, clock) => {
        active.set(key, (active.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, active.get(key) ?? 0);
        maxOverall = Math.max(
          maxOverall,
          [...active.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 10));
        active.set(key, (active.get(key) ?? 1) - 1);
        return undefined;
      },
      { workers: 4 },
    );
    for (let round = 0; round < 20; round += 1) {
      for (const key of ['ns/a', 'ns/b', 'ns/c']) h.queue.add(key);
      await h.clock.advance(3);
    }
    await h.clock.advance(100);
    expect(maxSameKey).toBe(1);
    expect(maxOverall).toBe(3);
    // Each key ran about every 10 ms over 60 ms plus the final dirty pass, not 20 times.
    expect(h.calls.filter((c) => c.key === 'ns/a').length).toBeLessThanOrEqual(8);
    await h.queue.shutdown();
  });

  it.each([
    { name: 'an earlier deadline replaces a later one', delays: [5000, 2000], expected: [2000] },
    { name: 'a later deadline does not postpone an earlier one', delays: [2000, 5000], expected: [2000] },
    { name: 'delays below the floor are raised to it (no 0 ms loops)', delays: [0], expected: [1000] },
    { name: 'a negative or infinite delay is raised to the floor', delays: [-5, Number.POSITIVE_INFINITY], expected: [1000] },
  ])('addAfter: $name', async ({ delays, expected }) => {
    const h = start(succeed);
    for (const ms of delays) h.queue.addAfter('ns/a', ms);
    await h.clock.advance(10_000);
    expect(h.calls.map((c) => c.at)).toEqual(expected);
    await h.queue.shutdown();
  });

  it('honours a configured floor and keeps keys with different deadlines apart', async () => {
    const h = start(succeed, { minDelayMs: 1 });
    h.queue.addAfter('ns/b', 30);
    h.queue.addAfter('ns/a', 0);
    h.queue.addAfter('ns/c', 30);
    await h.clock.advance(100);
    expect(h.calls).toEqual([
      { key: 'ns/a', at: 1 },
      { key: 'ns/b', at: 30 },
      { key: 'ns/c', at: 30 },
    ]);
    await h.queue.shutdown();
  });

  it('schedules requeueAfter from a successful reconcile', async () => {
    let call = 0;
    const h = start(() => {
      call += 1;
      return Promise.resolve(call === 1 ? { requeueAfterMs: 3000 } : undefined);
    });
    h.queue.add('ns/a');
    await h.clock.advance(10_000);
    expect(h.calls.map((c) => c.at)).toEqual([0, 3000]);
    await h.queue.shutdown();
  });

  it('backs a failing key off exponentially from 5 ms, doubling up to the 1000 s cap', async () => {
    const h = start(() => Promise.reject(new Error('conflict')));
    h.queue.add('ns/a');
    await h.clock.advance(3_000_000);
    const gaps = h.calls.slice(1).map((c, i) => c.at - (h.calls[i]?.at ?? 0));
    expect(gaps.slice(0, 8)).toEqual([5, 10, 20, 40, 80, 160, 320, 640]);
    expect(gaps).toContain(655_360);
    expect(Math.max(...gaps)).toBe(1_000_000);
    expect(h.queue.metrics().retriesTotal).toBe(h.calls.length);
    await h.queue.shutdown();
  });

  it('forgets the backoff after a success', async () => {
    const outcomes = ['fail', 'fail', 'fail', 'ok', 'fail', 'ok'];
    const h = start(() => (outcomes.shift() === 'fail' ? Promise.reject(new Error('boom')) : succeed()));
    h.queue.add('ns/a');
    await h.clock.advance(100);
    expect(h.calls.map((c) => c.at)).toEqual([0, 5, 15, 35]);
    expect(h.queue.numRequeues('ns/a')).toBe(0);
    h.queue.add('ns/a');
    await h.clock.advance(100);
    // Back to the 5 ms base, not 40 ms.
    expect(h.calls.map((c) => c.at)).toEqual([0, 5, 15, 35, 100, 105]);
    await h.queue.shutdown();
  });

  it.each([
    { name: 'TerminalError', error: new TerminalError('spec is invalid') },
    { name: 'an error with retryable: false', error: Object.assign(new Error('bad input'), { retryable: false }) },
  ])('does not retry $name', async ({ error }) => {
    const h = start(() => Promise.reject(error));
    h.queue.add('ns/a');
    await h.clock.advance(10_000);
    expect(h.calls).toHaveLength(1);
    expect(h.queue.numRequeues('ns/a')).toBe(0);
    expect(h.clock.pendingTimers()).toBe(0);
    await h.queue.shutdown();
  });

  it('shutdown waits for the reconcile in flight, drops queued and delayed keys, and ignores later adds', async () => {
    const gate = deferred();
    const h = start(() => gate.promise.then(() => undefined), { workers: 1 });
    h.queue.add('ns/a');
    h.queue.add('ns/b');
    h.queue.addAfter('ns/c', 2000);
    await h.clock.settle();
    let stopped = false;
    const stopping = h.queue.shutdown().then(() => {
      stopped = true;
    });
    h.queue.add('ns/d');
    await h.clock.settle();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    await h.running;
    await h.clock.advance(5000);
    expect(h.calls.map((c) => c.key)).toEqual(['ns/a']);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('counts work and queue durations for metrics', async () => {
    const h = start(
      (_key, clock) =>
        new Promise((resolve) => {
          clock.setTimeout(() => {
            resolve(undefined);
          }, 250);
        }),
      { workers: 1 },
    );
    h.queue.add('ns/a');
    h.queue.add('ns/b');
    await h.clock.advance(100);
    expect(h.queue.metrics()).toMatchObject({ depth: 1, inFlight: 1, unfinishedWorkSeconds: 0.1, longestRunningProcessorSeconds: 0.1 });
    await h.clock.advance(1000);
    expect(h.queue.metrics()).toMatchObject({
      name: 'gradual',
      depth: 0,
      addsTotal: 2,
      inFlight: 0,
      workDurationSecondsCount: 2,
      workDurationSecondsSum: 0.5,
      queueDurationSecondsCount: 2,
      queueDurationSecondsSum: 0.25,
    });
    await h.queue.shutdown();
  });
});
