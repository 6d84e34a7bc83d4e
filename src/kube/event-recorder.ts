import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../log/index.js';
import { recordObjectEvent, type EventSubject, type ObjectEvent } from './object-event.js';

export interface EventRecorder {
  /**
   * Queues Events about an object and returns at once: the reconcile that decided them goes
   * on (client-go's recorder is asynchronous too). Events are written one at a time in the
   * order they were queued, so a Rollout's Events keep the order of its reconciles.
   */
  record(subject: EventSubject, events: readonly ObjectEvent[], at: Date, log: Logger): void;
  /** Resolves when every Event queued so far has been written (or has failed and been logged). */
  flush(): Promise<void>;
}

/** Beyond this many waiting Events new ones are dropped with a warning, as client-go drops when its channel is full. */
const maxPending = 1000;

/**
 * An asynchronous Event writer. Recording an Event on the reconcile's path cost
 * one API round trip per Event before the next reconcile of any key could see
 * its effect; an abort waited for two of them (measured by the abort-latency bench).
 */
export function createEventRecorder(core: CoreV1Api): EventRecorder {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    record(subject, events, at, log) {
      for (const event of events) {
        if (pending >= maxPending) {
          log.warn({ reason: event.reason, pending }, 'event dropped: too many Events waiting to be written');
          continue;
        }
        pending += 1;
        // An Event is a report, not state: a failed write is logged and never fails a reconcile.
        tail = tail
          .then(() => recordObjectEvent(core, subject, event, at))
          .catch((cause: unknown) => {
            log.warn({ err: cause, reason: event.reason }, 'could not record event');
          })
          .finally(() => {
            pending -= 1;
          });
      }
    },
    flush() {
      return tail;
    },
  };
}
