import type { Logger } from '../log/index.js';
import { createKeyQueue } from './key-queue.js';
import type { SharedInformer } from './shared-informers.js';
import type { InformerEvent, KeyQueue, KeyQueueOptions, KubeObject, Reconcile } from './types.js';

/** One watch of a controller: an informer and what its events mean as keys of the controller's queue (controller-runtime's handler.EventHandler). */
export interface ControllerWatch {
  informer: SharedInformer<KubeObject>;
  /** The keys an event queues (none: the event is not this controller's). */
  keysOf: (object: KubeObject, event: InformerEvent) => Iterable<string>;
  /** An event someone waits on (an abort, a failed analysis): its keys go ahead of the others (KeyQueue.addUrgent). */
  urgent?: (object: KubeObject, event: InformerEvent) => boolean;
}

/** Builds a watch with the informer's own object type. */
export function watch<T extends KubeObject>(
  informer: SharedInformer<T>,
  keysOf: (object: T, event: InformerEvent) => Iterable<string>,
  urgent?: (object: T, event: InformerEvent) => boolean,
): ControllerWatch {
  return { informer, keysOf, ...(urgent === undefined ? {} : { urgent }) } as unknown as ControllerWatch;
}

export interface ControllerDefinition {
  name: string;
  logger: Logger;
  watches: readonly ControllerWatch[];
  /** Informers read by the reconcile but watched by no event (started and synced with the others). */
  reads?: readonly SharedInformer<KubeObject>[];
  reconcile: Reconcile;
  queue: Omit<KeyQueueOptions, 'name'>;
  /** Once every informer has synced, before the workers start (the controller's own log line, extra caches). */
  beforeRun?: () => Promise<void> | void;
  /** After the workers have drained, before the informers are given back (flush recorded Events). */
  afterStop?: () => Promise<void>;
  syncTimeoutMs?: number;
}

export interface Controller {
  readonly name: string;
  readonly queue: KeyQueue;
  /** Starts its informers (its shares of them), waits for their first sync, then runs the workers until stop(). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * controller-runtime's controller: watches whose events are mapped to keys of one queue (repeats merge,
 * requeue at a deadline, backoff on failure: key-queue.ts), and one reconcile per key. The informers are
 * the cluster's shared ones (shared-informers.ts); the controller holds its share of each while it runs.
 */
export function createController(definition: ControllerDefinition): Controller {
  const queue = createKeyQueue({ ...definition.queue, name: definition.name, logger: definition.logger });
  const informers = [...new Set([...definition.watches.map((entry) => entry.informer), ...(definition.reads ?? [])])];
  for (const { informer, keysOf, urgent } of definition.watches) {
    const enqueue =
      (event: InformerEvent) =>
      (object: KubeObject): void => {
        const isUrgent = urgent?.(object, event) === true;
        for (const key of keysOf(object, event)) {
          if (isUrgent) queue.addUrgent(key);
          else queue.add(key);
        }
      };
    informer.onAdd(enqueue('add'));
    informer.onUpdate(enqueue('update'));
    informer.onDelete(enqueue('delete'));
  }
  let running: Promise<void> | undefined;
  return {
    name: definition.name,
    queue,
    async start() {
      await Promise.all(informers.map((informer) => informer.start()));
      await Promise.all(informers.map((informer) => informer.waitForSync(definition.syncTimeoutMs ?? 60_000)));
      await definition.beforeRun?.();
      running = queue.run(definition.reconcile);
    },
    async stop() {
      await queue.shutdown();
      await running;
      await definition.afterStop?.();
      await Promise.all(informers.map((informer) => informer.stop()));
    },
  };
}
