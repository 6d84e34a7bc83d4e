import { createKeyQueue, systemClock, type Clock, type KeyQueue } from '../kube/index.js';
import type { Logger } from '../log/index.js';

/**
 * The bot as a level-triggered controller: webhooks are hints. Each open pull
 * request, each default branch and each environment lock is a key in a queue
 * with the engine's semantics (kube/key-queue.ts: repeats merge, one
 * reconcile per key at a time, failures retried with backoff, requeue at a
 * deadline). A key's reconcile reads GitHub and the cluster as they are now
 * and converges; it runs on a webhook, at start-up and on every resync, so a
 * lost webhook is healed by the next resync at the latest.
 *
 * The queue and the resync are here; what a reconcile does is injected
 * (app.ts), so this can be registered on the structure issue's shared
 * manager later without change.
 */
export type BotKey =
  | { kind: 'pull-request'; installationId: number; repository: string; number: number }
  | { kind: 'default-branch'; installationId: number; repository: string }
  | { kind: 'lock'; cluster: string; namespace: string; name: string };

/** Pure: a key as the queue holds it (a string); one line, fields that cannot hold a space. */
export function encodeBotKey(key: BotKey): string {
  switch (key.kind) {
    case 'pull-request':
      return `pull-request ${String(key.installationId)} ${key.repository} ${String(key.number)}`;
    case 'default-branch':
      return `default-branch ${String(key.installationId)} ${key.repository}`;
    case 'lock':
      return `lock ${key.cluster} ${key.namespace} ${key.name}`;
  }
}

/** GitHub's owner and repository names (a repository is never `.` or `..`). */
const repositoryName = /^[A-Za-z0-9-]{1,39}\/(?!\.\.?$)[\w.-]{1,100}$/u;

/** Pure: the key back; undefined for anything this module did not write. */
export function decodeBotKey(text: string): BotKey | undefined {
  const parts = text.split(' ');
  const [kind, first = '', second = '', third = ''] = parts;
  const installationId = Number(first);
  const installationOk = Number.isSafeInteger(installationId) && installationId >= 0;
  if (kind === 'pull-request' && parts.length === 4 && installationOk && repositoryName.test(second) && /^[1-9]\d{0,9}$/u.test(third))
    return { kind, installationId, repository: second, number: Number(third) };
  if (kind === 'default-branch' && parts.length === 3 && installationOk && repositoryName.test(second))
    return { kind, installationId, repository: second };
  if (kind === 'lock' && parts.length === 4 && first !== '' && second !== '' && third !== '')
    return { kind, cluster: first, namespace: second, name: third };
  return undefined;
}

/** What the reconciles do, and where the keys of a resync come from (app.ts). */
export interface BotReconcileSteps {
  /** Every key the bot should look at now: each installation's repositories' default branches and open pull requests, each lock. */
  listKeys(): Promise<BotKey[]>;
  /** Converges one key; returns a delay to look again after (a deploy not yet converged, a Rollout not yet seen), else nothing. */
  reconcile(key: BotKey, hint: (key: BotKey) => void): Promise<{ requeueAfterMs: number } | undefined>;
}

export interface BotReconcilerOptions {
  steps: BotReconcileSteps;
  logger: Logger;
  /** How often every key is queued again (the bound on a lost webhook). */
  resyncIntervalMs: number;
  clock?: Clock;
  workers?: number;
}

export interface BotReconciler {
  /** Queues a key now (a webhook's hint, a lock's holder). */
  hint(key: BotKey): void;
  /** Lists every key and queues it; a failed listing is logged and retried at the next resync. */
  resync(): Promise<number>;
  /** Runs `work` while no reconcile of `key` runs (a webhook handler and the key's reconcile never interleave). */
  exclusive<T>(key: BotKey, work: () => Promise<T>): Promise<T>;
  /** Starts the workers, resyncs once (start-up) and then every interval. */
  start(): Promise<void>;
  stop(): Promise<void>;
  queue: KeyQueue;
}

/** A failed reconcile is retried from 1 s, doubling up to 5 min: an outage is ridden out without a hot loop. */
const retryBaseMs = 1000;
const retryMaxMs = 5 * 60 * 1000;

export function createBotReconciler(options: BotReconcilerOptions): BotReconciler {
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'bot-reconciler' });
  const queue = createKeyQueue({
    name: 'gradual-bot',
    clock,
    workers: options.workers ?? 2,
    baseRetryDelayMs: retryBaseMs,
    maxRetryDelayMs: retryMaxMs,
    logger,
  });
  /** The tail of each key's chain of exclusive work (reconciles and webhook handlers). */
  const tails = new Map<string, Promise<unknown>>();
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  function exclusiveOn<T>(text: string, work: () => Promise<T>): Promise<T> {
    const before = tails.get(text) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    tails.set(text, tail);
    void tail.then(() => {
      if (tails.get(text) === tail) tails.delete(text);
    });
    return result;
  }

  async function reconcileText(text: string): Promise<{ requeueAfterMs: number } | undefined> {
    const key = decodeBotKey(text);
    if (key === undefined) return undefined;
    try {
      return await exclusiveOn(text, () =>
        options.steps.reconcile(key, (next) => {
          queue.add(encodeBotKey(next));
        }),
      );
    } catch (cause) {
      // Retried by the queue with backoff; logged here with the key, as the engine's reconciles do.
      logger.warn({ key: text, err: cause, failures: queue.numRequeues(text) + 1 }, 'bot reconcile failed; retried with backoff');
      throw cause;
    }
  }

  async function resync(): Promise<number> {
    try {
      // One add per key: a second add of a key already in flight would reconcile it twice.
      const keys = new Set((await options.steps.listKeys()).map(encodeBotKey));
      for (const key of keys) queue.add(key);
      logger.info({ keys: keys.size }, 'bot resync queued every key');
      return keys.size;
    } catch (cause) {
      logger.warn({ err: cause }, 'bot resync could not list its keys; tried again at the next resync');
      return 0;
    }
  }

  function armResync(): void {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      void resync().finally(armResync);
    }, options.resyncIntervalMs);
  }

  return {
    queue,
    hint(key) {
      queue.add(encodeBotKey(key));
    },
    resync,
    exclusive(key, work) {
      return exclusiveOn(encodeBotKey(key), work);
    },
    async start() {
      running = queue.run(reconcileText);
      await resync();
      armResync();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await queue.shutdown();
      await running;
    },
  };
}
