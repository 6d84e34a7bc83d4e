import { rootLogger, type Logger } from '../log/index.js';
import { systemClock } from './clock.js';
import { isRetryable } from '../errors/terminal-error.js';
import type { KeyQueue, KeyQueueMetrics, KeyQueueOptions, Reconcile, TimerHandle } from './types.js';

/**
 * The minimum delay of addAfter / requeueAfter. Not 0 and not 1 ms: Argo
 * Rollouts #723 requeued a terminating run every 0 s, and a 1 ms floor still
 * allows a thousand reconciles a second. Kubernetes timestamps (pause start,
 * condition transitions) have second resolution, so a planner cannot mean a
 * sub-second wake-up; waking up to 1 s late is invisible, and a planner that
 * keeps asking for "now" costs one reconcile a second, not a hot loop.
 * Rate-limited retries use their own 5 ms-based backoff and are not floored.
 */
export const defaultMinDelayMs = 1000;
const defaultBaseRetryDelayMs = 5;
const defaultMaxRetryDelayMs = 1000 * 1000;

/**
 * controller-runtime's work queue of keys: repeats merge, a key being
 * reconciled is marked dirty and queued once more when it is done, one
 * reconcile per key at a time, `workers` reconciles overall, delayed adds
 * where the earliest deadline wins, per-key exponential backoff for failures.
 *
 * The queue holds keys only; the reconcile reads the newest object from the
 * informer cache when the key comes up (STYLE.md: never the queued copy).
 *
 * Two lanes: a key someone is waiting on — its planned deadline has come (a pause
 * ends, a measurement is due) or an urgent add (an abort, a failed analysis) — goes
 * ahead of keys queued by ordinary informer events, so that an abort is not served
 * after a relist's thousands of unchanged Rollouts. Retries after a failure are not
 * urgent: a failing key must not starve the others.
 */
export function createKeyQueue(options: KeyQueueOptions & { logger?: Logger } = {}): KeyQueue {
  const clock = options.clock ?? systemClock;
  const name = options.name ?? 'gradual';
  const workers = Math.max(1, options.workers ?? 2);
  const minDelayMs = Math.max(1, options.minDelayMs ?? defaultMinDelayMs);
  const baseRetryDelayMs = options.baseRetryDelayMs ?? defaultBaseRetryDelayMs;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? defaultMaxRetryDelayMs;
  const logger = (options.logger ?? rootLogger()).child({ component: 'key-queue', queue: name });

  // `queue` is FIFO order; `waiting` (client-go's dirty set) holds every key that
  // needs a reconcile. A waiting key is in `queue` exactly when it is not in flight.
  let queue: string[] = [];
  let urgentQueue: string[] = [];
  const waiting = new Set<string>();
  /** Waiting keys that go in the urgent lane (when queued again after their reconcile, too). */
  const urgent = new Set<string>();
  const queuedAt = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const failures = new Map<string, number>();
  const deadlines = new Map<string, number>();
  /** Delayed keys whose deadline is a planned wake-up (urgent when due), not a retry. */
  const plannedDeadlines = new Set<string>();
  let timer: { handle: TimerHandle; at: number } | undefined;
  const idleWorkers: ((key: string | undefined) => void)[] = [];
  let shuttingDown = false;
  let running: Promise<void> | undefined;
  const counters = { addsTotal: 0, retriesTotal: 0, queueSum: 0, queueCount: 0, workSum: 0, workCount: 0 };

  function dispatch(): void {
    while (idleWorkers.length > 0 && (urgentQueue.length > 0 || queue.length > 0)) {
      const key = urgentQueue.length > 0 ? urgentQueue.shift() : queue.shift();
      const worker = idleWorkers.shift();
      if (key === undefined || worker === undefined) return;
      waiting.delete(key);
      urgent.delete(key);
      const now = clock.now();
      counters.queueSum += (now - (queuedAt.get(key) ?? now)) / 1000;
      counters.queueCount += 1;
      queuedAt.delete(key);
      inFlight.set(key, now);
      worker(key);
    }
  }

  function add(key: string, isUrgent = false): void {
    if (shuttingDown) return;
    if (waiting.has(key)) {
      // Already waiting in the ordinary lane: moved ahead (a key in flight is queued again, urgent, when it ends).
      if (isUrgent && !urgent.has(key)) {
        urgent.add(key);
        if (!inFlight.has(key)) {
          queue = queue.filter((queued) => queued !== key);
          urgentQueue.push(key);
        }
        dispatch();
      }
      return;
    }
    waiting.add(key);
    if (isUrgent) urgent.add(key);
    queuedAt.set(key, clock.now());
    counters.addsTotal += 1;
    if (!inFlight.has(key)) (isUrgent ? urgentQueue : queue).push(key);
    dispatch();
  }

  function armTimer(): void {
    let earliest: number | undefined;
    for (const at of deadlines.values()) if (earliest === undefined || at < earliest) earliest = at;
    if (timer !== undefined && timer.at === earliest) return;
    if (timer !== undefined) clock.clearTimeout(timer.handle);
    timer = undefined;
    if (earliest === undefined) return;
    timer = { handle: clock.setTimeout(fireDue, Math.max(0, earliest - clock.now())), at: earliest };
  }

  // One timer for the earliest deadline; firing scans the delayed keys. O(delayed
  // keys) per firing is fine for thousands of rollouts; a heap can replace it later.
  function fireDue(): void {
    timer = undefined;
    const now = clock.now();
    for (const [key, at] of [...deadlines]) {
      if (at > now) continue;
      deadlines.delete(key);
      const planned = plannedDeadlines.delete(key);
      add(key, planned);
    }
    armTimer();
  }

  function schedule(key: string, ms: number, planned: boolean): void {
    if (shuttingDown) return;
    const at = clock.now() + ms;
    const pending = deadlines.get(key);
    if (pending !== undefined && pending <= at) return;
    deadlines.set(key, at);
    if (planned) plannedDeadlines.add(key);
    else plannedDeadlines.delete(key);
    armTimer();
  }

  function forget(key: string): void {
    failures.delete(key);
  }

  function addRateLimited(key: string): void {
    const count = failures.get(key) ?? 0;
    failures.set(key, count + 1);
    counters.retriesTotal += 1;
    // 2^count overflows to Infinity long after the cap; min() keeps it finite.
    schedule(key, Math.min(baseRetryDelayMs * 2 ** count, maxRetryDelayMs), false);
  }

  function nextKey(): Promise<string | undefined> {
    if (shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      idleWorkers.push(resolve);
      dispatch();
    });
  }

  function done(key: string, startedAt: number): void {
    inFlight.delete(key);
    counters.workSum += (clock.now() - startedAt) / 1000;
    counters.workCount += 1;
    if (waiting.has(key) && !shuttingDown) (urgent.has(key) ? urgentQueue : queue).push(key);
    dispatch();
  }

  async function reconcileOne(reconcile: Reconcile, key: string): Promise<void> {
    const startedAt = inFlight.get(key) ?? clock.now();
    try {
      const result: unknown = await reconcile(key);
      forget(key);
      if (typeof result === 'object' && result !== null && 'requeueAfterMs' in result && typeof result.requeueAfterMs === 'number') {
        addAfter(key, result.requeueAfterMs);
      }
    } catch (error) {
      if (isRetryable(error)) {
        // The reconcile function reports its own failures with the object's fields; the queue only traces the retry.
        logger.debug({ key, failures: (failures.get(key) ?? 0) + 1 }, 'retrying with backoff');
        addRateLimited(key);
      } else {
        logger.error({ key, err: error }, 'reconcile failed with a terminal error; not retrying');
        forget(key);
      }
    } finally {
      done(key, startedAt);
    }
  }

  async function worker(reconcile: Reconcile): Promise<void> {
    for (let key = await nextKey(); key !== undefined; key = await nextKey()) {
      await reconcileOne(reconcile, key);
    }
  }

  function addAfter(key: string, ms: number): void {
    schedule(key, Math.max(minDelayMs, Number.isFinite(ms) ? ms : minDelayMs), true);
  }

  function run(reconcile: Reconcile): Promise<void> {
    if (running !== undefined) throw new Error(`key queue ${name} is already running`);
    running = Promise.all(Array.from({ length: workers }, () => worker(reconcile))).then(() => undefined);
    return running;
  }

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    if (timer !== undefined) clock.clearTimeout(timer.handle);
    timer = undefined;
    deadlines.clear();
    plannedDeadlines.clear();
    queue = [];
    urgentQueue = [];
    waiting.clear();
    urgent.clear();
    queuedAt.clear();
    for (const worker of idleWorkers.splice(0)) worker(undefined);
    await running;
  }

  function metrics(): KeyQueueMetrics {
    const now = clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const startedAt of inFlight.values()) {
      const age = (now - startedAt) / 1000;
      unfinished += age;
      longest = Math.max(longest, age);
    }
    return {
      name,
      depth: queue.length + urgentQueue.length,
      addsTotal: counters.addsTotal,
      retriesTotal: counters.retriesTotal,
      delayed: deadlines.size,
      inFlight: inFlight.size,
      queueDurationSecondsSum: counters.queueSum,
      queueDurationSecondsCount: counters.queueCount,
      workDurationSecondsSum: counters.workSum,
      workDurationSecondsCount: counters.workCount,
      unfinishedWorkSeconds: unfinished,
      longestRunningProcessorSeconds: longest,
    };
  }

  return {
    add: (key) => {
      add(key);
    },
    addUrgent: (key) => {
      add(key, true);
    },
    addAfter,
    addRateLimited,
    forget,
    numRequeues: (key) => failures.get(key) ?? 0,
    run,
    shutdown,
    metrics,
  };
}
