import type { KubernetesObject } from '@kubernetes/client-node';

/** Opaque timer handle: whatever the clock's setTimeout returns. */
export type TimerHandle = object | number;

/**
 * Time and timers, injected so that queues and leader election run on a fake
 * clock in unit tests (no wall-clock sleeps) and on the system clock in production.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** What a reconcile may return: a planned wait (controller-runtime's RequeueAfter). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** controller-runtime's Reconcile(ctx, key): the key is `namespace/name` (or `name` for cluster-scoped objects). */
export type Reconcile = (key: string) => Promise<ReconcileResult | undefined> | Promise<void>;

export interface KeyQueueOptions {
  clock?: Clock;
  /** Names the queue in logs and metrics (client-go's `name` label). */
  name?: string;
  /** Reconciles running at once across different keys; one key never runs twice at once. Default 2. */
  workers?: number;
  /** Floor of addAfter / requeueAfter delays. Default 1000 ms (see key-queue.ts). */
  minDelayMs?: number;
  /** First retry delay of a failing key, doubled per consecutive failure. Default 5 ms (client-go). */
  baseRetryDelayMs?: number;
  /** Cap of the per-key retry delay. Default 1000 s (client-go). */
  maxRetryDelayMs?: number;
}

/**
 * client-go's workqueue metrics as plain numbers, for a /metrics module to
 * expose as workqueue_* with a `name` label. Durations are sums and counts
 * (a summary); a histogram can be layered on later from `onWorkDone`.
 */
export interface KeyQueueMetrics {
  name: string;
  /** workqueue_depth: keys waiting to be processed (not delayed, not in flight). */
  depth: number;
  /** workqueue_adds_total: adds that queued a key (merged repeats are not counted). */
  addsTotal: number;
  /** workqueue_retries_total: rate-limited re-adds after a failed reconcile. */
  retriesTotal: number;
  /** Keys waiting for a delayed add (requeueAfter or backoff). */
  delayed: number;
  /** Keys being reconciled right now. */
  inFlight: number;
  /** workqueue_queue_duration_seconds: time from queued to picked up. */
  queueDurationSecondsSum: number;
  queueDurationSecondsCount: number;
  /** workqueue_work_duration_seconds: time a reconcile took. */
  workDurationSecondsSum: number;
  workDurationSecondsCount: number;
  /** workqueue_unfinished_work_seconds: summed age of the reconciles in flight. */
  unfinishedWorkSeconds: number;
  /** workqueue_longest_running_processor_seconds. */
  longestRunningProcessorSeconds: number;
}

export interface KeyQueue {
  /** Queues the key unless it is already waiting; a key in flight is marked dirty and queued again once its reconcile ends. */
  add(key: string): void;
  /** Queues the key ahead of ordinary adds (someone waits on it: an abort, a failed analysis); moves it ahead if it waits already. */
  addUrgent(key: string): void;
  /** Queues the key after `ms` (at least minDelayMs); the earliest pending deadline of a key wins. A planned deadline is urgent when due. */
  addAfter(key: string, ms: number): void;
  /** Queues the key after its per-key exponential backoff and counts a retry. */
  addRateLimited(key: string): void;
  /** Resets the key's backoff (after a success). */
  forget(key: string): void;
  /** Consecutive failures recorded for the key. */
  numRequeues(key: string): number;
  /** Starts the workers; resolves when shutdown() has drained them. Call once. */
  run(reconcile: Reconcile): Promise<void>;
  /** Stops accepting keys, drops queued and delayed ones, and resolves when the reconciles in flight have ended. */
  shutdown(): Promise<void>;
  metrics(): KeyQueueMetrics;
}

/** An object as the API server returns it, typed by the caller. */
export type KubeObject = KubernetesObject;

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerCacheOptions {
  /**
   * The collection's API path, e.g. `/api/v1/namespaces/ns/configmaps` or
   * `/apis/argoproj.io/v1alpha1/rollouts` (all namespaces).
   */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  /** Counts the list and watch requests (see request-counter.ts). */
  requestCounter?: RequestCounter;
  /** First restart delay after a failed list or watch, doubled up to maxRestartDelayMs. Default 800 ms (client-go's reflector). */
  minRestartDelayMs?: number;
  maxRestartDelayMs?: number;
  /**
   * What the cache keeps of each listed or watched object (cache-projections.ts); default: all but its
   * managedFields. Given the freshly parsed object, which it may change or replace.
   */
  transform?: (object: unknown) => unknown;
}

/** One API request as Argo's controller_clientset_k8s_request_total labels it. */
export interface RequestSample {
  /** The resource as named in the URL (`replicasets`, `rollouts`, `leases`); Argo calls this label `kind`. */
  kind: string;
  namespace: string;
  name: string;
  /** Kubernetes verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  /** The HTTP status, or `error` when no response arrived. */
  statusCode: string;
  /** The subresource (`status`, `scale`) or ''. */
  subresource: string;
}

export interface RequestCount extends RequestSample {
  count: number;
}

export interface RequestCounter {
  record(sample: RequestSample): void;
  /** Every distinct label set seen so far with its count. */
  counts(): RequestCount[];
  /** Requests matching every given label (all when none given). */
  total(filter?: Partial<RequestSample>): number;
  /** Requests that change state: create, update, patch, delete, deletecollection. */
  writes(filter?: Partial<RequestSample>): number;
  reset(): void;
}
