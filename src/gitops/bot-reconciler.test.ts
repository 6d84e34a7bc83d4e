import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../kube/index.js';
import { createLogger } from '../log/index.js';
import { createBotReconciler, decodeBotKey, encodeBotKey, type BotKey } from './bot-reconciler.js';

const logger = createLogger({ level: 'silent' });
const pr = (number: number): BotKey => ({ kind: 'pull-request', installationId: 1, repository: 'acme/deploys', number });

/** Lets every pending promise callback run (the queue's workers are promise chains). */
async function settle(): Promise<void> {
  for (let index = 0; index < 20; index += 1) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('the bot’s keys', () => {
  it.each([
    pr(7),
    { kind: 'default-branch', installationId: 3, repository: 'acme/site.web' },
    { kind: 'lock', cluster: 'prod', namespace: 'shop', name: 'gradual-lock-staging' },
  ] as BotKey[])('%o round-trips', (key) => {
    expect(decodeBotKey(encodeBotKey(key))).toEqual(key);
  });

  it.each([
    '',
    'pull-request 1 acme/deploys',
    'pull-request 1 acme/deploys 0',
    'pull-request x acme/deploys 1',
    'pull-request 1 ../etc 1',
    'pull-request 1 acme/deploys 1 extra',
    'default-branch 1 acme',
    'lock a b',
    'delete everything',
  ])('hostile or foreign: %j is no key', (text) => {
    expect(decodeBotKey(text)).toBeUndefined();
  });
});

describe('the bot’s reconciler (a key queue with the engine’s semantics)', () => {
  it('at start-up every listed key is reconciled once, repeats merged; then again at every resync', async () => {
    const clock = createFakeClock();
    const seen: string[] = [];
    const reconciler = createBotReconciler({
      clock,
      logger,
      resyncIntervalMs: 60_000,
      steps: {
        listKeys: () => Promise.resolve([pr(1), pr(2), pr(1)]),
        reconcile: (key) => {
          seen.push(encodeBotKey(key));
          return Promise.resolve(undefined);
        },
      },
    });
    await reconciler.start();
    await settle();
    expect(seen.sort()).toEqual(['pull-request 1 acme/deploys 1', 'pull-request 1 acme/deploys 2']);
    await clock.advance(59_000);
    await settle();
    expect(seen).toHaveLength(2);
    await clock.advance(1000);
    await settle();
    expect(seen).toHaveLength(4);
    await reconciler.stop();
  });

  it('a failed reconcile (an outage) is retried with backoff until it succeeds: nothing is lost', async () => {
    const clock = createFakeClock();
    let attempts = 0;
    const reconciler = createBotReconciler({
      clock,
      logger,
      resyncIntervalMs: 3_600_000,
      steps: {
        listKeys: () => Promise.resolve([pr(5)]),
        reconcile: () => {
          attempts += 1;
          return attempts < 3 ? Promise.reject(new Error('503 from the API server')) : Promise.resolve(undefined);
        },
      },
    });
    await reconciler.start();
    await settle();
    expect(attempts).toBe(1);
    await clock.advance(1000);
    await settle();
    expect(attempts).toBe(2);
    await clock.advance(2000);
    await settle();
    expect(attempts).toBe(3);
    await clock.advance(60_000);
    await settle();
    expect(attempts).toBe(3);
    await reconciler.stop();
  });

  it('a reconcile asks to be looked at again at a deadline, and a lock’s reconcile queues its holder’s pull request', async () => {
    const clock = createFakeClock();
    const seen: string[] = [];
    const reconciler = createBotReconciler({
      clock,
      logger,
      resyncIntervalMs: 3_600_000,
      steps: {
        listKeys: () => Promise.resolve([{ kind: 'lock', cluster: 'c', namespace: 'n', name: 'l' }]),
        reconcile: (key, hint) => {
          seen.push(key.kind);
          if (key.kind === 'lock') hint(pr(9));
          return Promise.resolve(key.kind === 'pull-request' && seen.length < 3 ? { requeueAfterMs: 2000 } : undefined);
        },
      },
    });
    await reconciler.start();
    await settle();
    expect(seen).toEqual(['lock', 'pull-request']);
    await clock.advance(2000);
    await settle();
    expect(seen).toEqual(['lock', 'pull-request', 'pull-request']);
    await reconciler.stop();
  });

  it('a webhook handler and the same key’s reconcile never run at once', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const reconciler = createBotReconciler({
      clock,
      logger,
      resyncIntervalMs: 3_600_000,
      steps: {
        listKeys: () => Promise.resolve([pr(1)]),
        reconcile: async () => {
          events.push('reconcile start');
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          events.push('reconcile end');
          return undefined;
        },
      },
    });
    await reconciler.start();
    await settle();
    const handler = reconciler.exclusive(pr(1), () => {
      events.push('handler');
      return Promise.resolve();
    });
    const other = reconciler.exclusive(pr(2), () => {
      events.push('other key');
      return Promise.resolve();
    });
    await other;
    release();
    await handler;
    expect(events).toEqual(['reconcile start', 'other key', 'reconcile end', 'handler']);
    await reconciler.stop();
  });
});
