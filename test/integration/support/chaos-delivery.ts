import type { ReceivedWebhook } from '../../../src/local/github/testing.js';

// The hostile network between the local GitHub and a bot that is SIGKILLed at random: every
// delivery is sent on to the bot's current address, a failed one (the bot down, or killed with
// the delivery in flight) is redelivered later as an operator would with GitHub's "Redeliver"
// (GitHub does not retry by itself), and some are sent twice, the copy after a random delay, so
// duplicates arrive out of order with later deliveries. Seeded: the same seed, the same choices.

/** mulberry32: a small seeded PRNG, enough for a drill's choices (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChaosDeliveryFigures {
  /** Deliveries GitHub sent. */
  deliveries: number;
  /** Copies sent on purpose (after a delay, so out of order). */
  duplicates: number;
  /** Failed sends redelivered. */
  redeliveries: number;
  /** Sends that failed (bot down or killed mid-delivery). */
  failedSends: number;
}

export interface ChaosDelivery {
  /** Takes one delivery from the local GitHub (its onWebhook listener). */
  receive(webhook: ReceivedWebhook): void;
  /** Deliveries not yet answered 2xx by any bot. */
  pending(): number;
  figures(): ChaosDeliveryFigures;
  stop(): Promise<void>;
}

export function chaosDelivery(options: {
  random: () => number;
  /** The bot's webhook URL now, or undefined while it is down. */
  target: () => string | undefined;
  duplicateProbability: number;
  maxDuplicateDelayMs: number;
  redeliverEveryMs: number;
}): ChaosDelivery {
  const pendingIds = new Map<string, ReceivedWebhook>();
  const figures: ChaosDeliveryFigures = { deliveries: 0, duplicates: 0, redeliveries: 0, failedSends: 0 };
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let running = true;

  const idOf = (webhook: ReceivedWebhook): string => String(webhook.headers['x-github-delivery']);

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function send(webhook: ReceivedWebhook): Promise<void> {
    const url = options.target();
    const id = idOf(webhook);
    if (url === undefined) {
      figures.failedSends += 1;
      pendingIds.set(id, webhook);
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(webhook.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
      ),
    );
    try {
      const answer = await fetch(url, { method: 'POST', headers, body: webhook.body, signal: AbortSignal.timeout(30_000) });
      await answer.text();
      if (answer.status < 300) {
        pendingIds.delete(id);
        return;
      }
    } catch {
      // Refused, reset or timed out: the bot died with the delivery in flight.
    }
    figures.failedSends += 1;
    pendingIds.set(id, webhook);
  }

  function later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (running) work();
    }, ms);
    timers.add(timer);
  }

  // GitHub's "Redeliver", pressed for every failed delivery while a bot is up, in a shuffled order.
  const redeliverer = setInterval(() => {
    if (!running || options.target() === undefined) return;
    const waiting = [...pendingIds.values()].sort(() => options.random() - 0.5);
    for (const webhook of waiting) {
      pendingIds.delete(idOf(webhook));
      figures.redeliveries += 1;
      track(send(webhook));
    }
  }, options.redeliverEveryMs);

  return {
    receive(webhook) {
      figures.deliveries += 1;
      track(send(webhook));
      if (options.random() < options.duplicateProbability) {
        figures.duplicates += 1;
        later(Math.round(options.random() * options.maxDuplicateDelayMs), () => {
          track(send(webhook));
        });
      }
    },
    pending: () => pendingIds.size,
    figures: () => ({ ...figures }),
    async stop() {
      running = false;
      clearInterval(redeliverer);
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
