import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Clock, TimerHandle } from './types.js';

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in deadline order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise chains run without moving time. */
  settle(): Promise<void>;
  pendingTimers(): number;
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** A deterministic clock for unit tests of the queue and the leader-election shell. */
export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();

  async function settle(): Promise<void> {
    // A few macrotask turns: each drains the microtask queue, and async chains
    // several awaits deep (worker → reconcile → done) need more than one.
    for (let turn = 0; turn < 5; turn += 1) await nextMacrotask();
  }

  function nextDue(until: number): FakeTimer | undefined {
    let due: FakeTimer | undefined;
    for (const timer of timers.values()) {
      if (timer.at <= until && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.id < due.id))) due = timer;
    }
    return due;
  }

  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const id = nextId;
      nextId += 1;
      timers.set(id, { id, at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle: TimerHandle): void {
      if (typeof handle === 'number') timers.delete(handle);
    },
    async advance(ms: number): Promise<void> {
      const until = now + ms;
      await settle();
      for (let timer = nextDue(until); timer !== undefined; timer = nextDue(until)) {
        timers.delete(timer.id);
        now = Math.max(now, timer.at);
        timer.fn();
        await settle();
      }
      now = until;
      await settle();
    },
    settle,
    pendingTimers: () => timers.size,
  };
}
