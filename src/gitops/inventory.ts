import { z } from 'zod';
import { apiPath, isConflict, isNotFound, type RestClient } from '../kube/index.js';
import type { ObjectRef } from './manifests/index.js';

/**
 * What a repository last deployed to an environment, so that an object whose file was deleted in
 * git can be pruned: a ConfigMap per environment in its namespace (as kubectl's applyset keeps
 * its inventory in the cluster; the bot keeps no state), one data key per repository. The
 * inventory only names candidates: an object is pruned only when the live one still carries
 * the bot's signed origin for this repository and environment (provenance.ts), so whoever can
 * write this ConfigMap still cannot make the bot delete anything it did not deploy from here.
 */
export interface InventoryEntry extends ObjectRef {
  /** The file the object was deployed from, for the plan's row. */
  file: string;
}

const entrySchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  file: z.string(),
});

export function inventoryName(environment: string): string {
  return `gradual-inventory-${environment.toLowerCase().replace(/[^a-z0-9-]/gu, '-')}`.slice(0, 63).replace(/-+$/u, '');
}

/** `owner/name` as a ConfigMap key (`[-._a-zA-Z0-9]+`): an owner has no `.`, so the first `.` is the separator. */
export function inventoryKey(repository: string): string {
  return repository.replace('/', '.');
}

interface ConfigMapObject {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

/** Pure: the entries written for a repository; an unreadable value reads as none (nothing is pruned from it). */
export function parseInventory(data: Readonly<Record<string, string>> | undefined, repository: string): InventoryEntry[] {
  const raw = data?.[inventoryKey(repository)];
  if (raw === undefined) return [];
  try {
    const parsed = z.array(entrySchema).safeParse(JSON.parse(raw));
    return parsed.success
      ? parsed.data.map(({ namespace, ...rest }) => ({ ...rest, ...(namespace === undefined ? {} : { namespace }) }))
      : [];
  } catch {
    return [];
  }
}

export interface Inventory {
  read(repository: string): Promise<InventoryEntry[]>;
  /** Replaces the repository's entries (read-modify-write with the resourceVersion; retried on a conflict). */
  write(repository: string, entries: readonly InventoryEntry[]): Promise<void>;
}

export function environmentInventory(client: RestClient, namespace: string, environment: string): Inventory {
  const name = inventoryName(environment);
  const collection = apiPath({ group: '', version: 'v1', resource: 'configmaps', namespace });
  const path = apiPath({ group: '', version: 'v1', resource: 'configmaps', namespace, name });
  async function get(): Promise<ConfigMapObject | undefined> {
    try {
      return await client.request<ConfigMapObject>({ method: 'GET', path });
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw new Error(`reading the inventory ${namespace}/${name}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }
  return {
    async read(repository) {
      return parseInventory((await get())?.data, repository);
    },
    async write(repository, entries) {
      const value = JSON.stringify(
        entries.map(({ apiVersion, kind, namespace: objectNamespace, name: objectName, file }) => ({
          apiVersion,
          kind,
          ...(objectNamespace === undefined ? {} : { namespace: objectNamespace }),
          name: objectName,
          file,
        })),
      );
      for (let attempt = 1; ; attempt += 1) {
        const current = await get();
        const data = { ...current?.data, [inventoryKey(repository)]: value };
        const body = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name,
            namespace,
            labels: { 'app.kubernetes.io/managed-by': 'gradual' },
            ...(current?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: current.metadata.resourceVersion }),
          },
          data,
        };
        try {
          if (current === undefined) await client.request({ method: 'POST', path: collection, body });
          else await client.request({ method: 'PUT', path, body });
          return;
        } catch (cause) {
          if (!isConflict(cause) || attempt >= 5)
            throw new Error(`writing the inventory ${namespace}/${name}: ${cause instanceof Error ? cause.message : String(cause)}`, {
              cause,
            });
        }
      }
    },
  };
}
