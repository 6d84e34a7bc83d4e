import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../log/index.js';
import { recordObjectEvent, type EventSubject, type ObjectEvent } from './object-event.js';

export interface EventRecorder {
  /**
   * Queues Events about an object and returns at once: the reconcile that decided them goes
   * on (client-go's recorder is asynchronous too). One object's Events are written one at a
   * time in the order they were queued, so a Rollout's Events keep the order of its
   * reconciles; different objects' Events are written side by side.
   */
  record(subject: EventSubject, events: readonly ObjectEvent[], at: Date, log: Logger): void;
  /** Resolves when every Event queued so far has been written (or has failed and been logged). */
  flush(): Promise<void>;
}

/** Beyond this many waiting Events new ones are dropped with a warning, as client-go drops when its channel is full. */
const maxPending = 1000;
/** Event writes in flight at once, across objects. */
const maxInFlight = 8;

/**
 * An asynchronous Event writer. Recording an Event on the reconcile's path cost
 * one API round trip per Event before the next reconcile of any key could see
 * its effect; an abort waited for two of them (measured by the abort-latency bench).
 */
export function createEventRecorder(core: CoreV1Api): EventRecorder {
  const tails = new Map<string, Promise<void>>();
  let pending = 0;
  let inFlight = 0;
  const slotWaiters: (() => void)[] = [];

  async function takeSlot(): Promise<void> {
    if (inFlight < maxInFlight) {
      inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => slotWaiters.push(resolve));
  }
  function giveSlot(): void {
    const next = slotWaiters.shift();
    if (next === undefined) inFlight -= 1;
    else next(); // the slot passes straight to the next writer
  }

  return {
    record(subject, events, at, log) {
      const key = `${subject.metadata?.namespace ?? ''}/${subject.kind ?? ''}/${subject.metadata?.name ?? ''}`;
      for (const event of events) {
        if (pending >= maxPending) {
          log.warn({ reason: event.reason, pending }, 'event dropped: too many Events waiting to be written');
          continue;
        }
        pending += 1;
        const write = async (): Promise<void> => {
          await takeSlot();
          try {
            await recordObjectEvent(core, subject, event, at);
          } catch (cause) {
            // An Event is a report, not state: a failed write is logged and never fails a reconcile.
            log.warn({ err: cause, reason: event.reason }, 'could not record event');
          } finally {
            giveSlot();
            pending -= 1;
          }
        };
        const tail = (tails.get(key) ?? Promise.resolve()).then(write);
        tails.set(key, tail);
        void tail.then(() => {
          if (tails.get(key) === tail) tails.delete(key);
        });
      }
    },
    async flush() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}
