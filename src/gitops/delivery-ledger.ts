import { apiPath, isConflict, isNotFound, type RestClient } from '../kube/index.js';
import type { Logger } from '../log/index.js';

/**
 * Deliveries handled to the end, by X-GitHub-Delivery id, kept in a ConfigMap
 * so a restarted (or newly elected) bot remembers them. An id is recorded
 * AFTER its handler succeeded: a handler that failed (an API-server or GitHub
 * outage) is not recorded, so a redelivery runs it again, and the pull
 * request's reconcile retries it besides. The ledger only saves work: every
 * handler is idempotent (commands carry their record on the Rollout, a push
 * applies the branch head as read now), so an id the ledger lost changes
 * nothing twice.
 */
export interface DeliveryLedger {
  /** True when the delivery was handled to the end before (by this process or one before it). */
  handled(id: string): Promise<boolean>;
  /** Records a delivery whose handler succeeded; a failed write is logged and the ledger carries on (handlers are idempotent). */
  record(id: string): Promise<void>;
}

/** The ids kept: about three days of deliveries on a busy installation (GitHub redelivers up to three days back). */
export const defaultLedgerCapacity = 5000;
export const ledgerConfigMapName = 'gradual-deliveries';

/** GitHub's delivery ids are GUIDs; anything else (a hand-made delivery) is not recorded and a ConfigMap key stays valid. */
const deliveryId = /^[A-Za-z0-9-]{1,64}$/u;

export function isRecordableDelivery(id: string): boolean {
  return deliveryId.test(id);
}

/** Pure: the stored entries (id → epoch ms) with `added` merged in, the newest `capacity` kept. */
export function mergeLedger(
  stored: Readonly<Record<string, string>>,
  added: ReadonlyMap<string, number>,
  capacity: number,
): Record<string, string> {
  const entries = new Map<string, number>();
  for (const [id, at] of Object.entries(stored)) if (isRecordableDelivery(id) && Number.isFinite(Number(at))) entries.set(id, Number(at));
  for (const [id, at] of added) entries.set(id, Math.max(at, entries.get(id) ?? 0));
  const newest = [...entries].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, capacity);
  return Object.fromEntries(newest.map(([id, at]) => [id, String(at)]));
}

interface ConfigMapObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

export interface DeliveryLedgerOptions {
  /** Where the ConfigMap lives; absent: this process's memory only (a restart forgets). */
  store?: { client: RestClient; namespace: string; name?: string };
  capacity?: number;
  now: () => Date;
  logger: Logger;
}

export function createDeliveryLedger(options: DeliveryLedgerOptions): DeliveryLedger {
  const capacity = options.capacity ?? defaultLedgerCapacity;
  const memory = new Map<string, number>();
  const store = options.store;
  const name = store?.name ?? ledgerConfigMapName;
  const collection = store === undefined ? '' : apiPath({ version: 'v1', resource: 'configmaps', namespace: store.namespace });
  const path = store === undefined ? '' : apiPath({ version: 'v1', resource: 'configmaps', namespace: store.namespace, name });
  let loaded: Promise<void> | undefined;
  /** Ids handled but not yet written; one writer at a time takes them all (concurrent deliveries would only conflict). */
  const unwritten = new Map<string, number>();
  let writing: Promise<void> = Promise.resolve();

  async function read(): Promise<ConfigMapObject | undefined> {
    if (store === undefined) return undefined;
    try {
      return await store.client.request<ConfigMapObject>({ method: 'GET', path });
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw cause;
    }
  }

  function load(): Promise<void> {
    loaded ??= read().then(
      (found) => {
        for (const [id, at] of Object.entries(mergeLedger(found?.data ?? {}, new Map(), capacity))) memory.set(id, Number(at));
      },
      (cause: unknown) => {
        // Unreadable now (API server down): handle as new (handlers are idempotent) and read it again next time.
        loaded = undefined;
        options.logger.warn(
          { err: cause, configMap: `${store?.namespace ?? ''}/${name}` },
          'delivery ledger unreadable; deliveries are handled as new until it is',
        );
      },
    );
    return loaded;
  }

  async function flush(): Promise<void> {
    if (store === undefined || unwritten.size === 0) return;
    const batch = new Map(unwritten);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const current = await read();
      const data = mergeLedger(current?.data ?? {}, batch, capacity);
      const body: ConfigMapObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          namespace: store.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'gradual' },
          ...(current?.metadata?.resourceVersion !== undefined && { resourceVersion: current.metadata.resourceVersion }),
        },
        data,
      };
      try {
        if (current === undefined) await store.client.request({ method: 'POST', path: collection, body });
        else await store.client.request({ method: 'PUT', path, body });
        for (const [id, at] of batch) if (unwritten.get(id) === at) unwritten.delete(id);
        return;
      } catch (cause) {
        // Another replica (or a create race) wrote in between: merge again over its version.
        if (!isConflict(cause) || attempt === 5) throw cause;
      }
    }
  }

  return {
    async handled(id) {
      await load();
      return memory.has(id);
    },
    async record(id) {
      if (!isRecordableDelivery(id)) return;
      const at = options.now().getTime();
      memory.set(id, at);
      if (memory.size > capacity) {
        const oldest = [...memory].sort((a, b) => a[1] - b[1])[0];
        if (oldest !== undefined) memory.delete(oldest[0]);
      }
      unwritten.set(id, at);
      writing = writing.then(flush).catch((cause: unknown) => {
        options.logger.warn(
          { err: cause, delivery: id, configMap: `${store?.namespace ?? ''}/${name}` },
          'delivery ledger not written; a redelivery of it is handled again (idempotently)',
        );
      });
      await writing;
    },
  };
}
