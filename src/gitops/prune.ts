import { isConflict, isNotFound, statusCodeOf, type RestClient } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { environmentInventory, type InventoryEntry } from './inventory.js';
import type { ManifestObject, ObjectRef } from './manifests/index.js';
import { objectPath, readLiveObject } from './plan/index.js';
import { verifyProvenance, type ProvenanceKey } from './provenance.js';

/** An object the deploy will delete: in the inventory, live, signed by the bot for this repository and environment, and in no manifest any more. */
export interface PlannedDeletion {
  ref: ObjectRef;
  /** The file it was deployed from (deleted or emptied in git). */
  file: string;
  /** The live object's uid: the delete is conditional on it, so an object re-created since the plan is left alone. */
  uid: string;
}

export function refKey(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return JSON.stringify([group, ref.kind, ref.namespace ?? '', ref.name]);
}

/** Pure: the inventory recorded after a deploy of these objects. */
export function inventoryOf(objects: readonly ManifestObject[]): InventoryEntry[] {
  return objects.map((object) => ({ ...object.ref, file: object.file }));
}

/**
 * What the deploy would prune: the repository's inventory entries of the environment that no
 * manifest names any more, each only when the live object's origin is verified as this
 * repository's and this environment's (an object another repository took over, or one someone
 * made by hand with copied annotations, is never deleted).
 */
export async function plannedDeletions(
  client: RestClient,
  key: ProvenanceKey,
  target: { repository: string; environment: string; namespace: string },
  objects: readonly ManifestObject[],
): Promise<PlannedDeletion[]> {
  const wanted = new Set(objects.map((object) => refKey(object.ref)));
  const recorded = await environmentInventory(client, target.namespace, target.environment).read(target.repository);
  const deletions: PlannedDeletion[] = [];
  for (const entry of recorded) {
    const ref: ObjectRef = {
      apiVersion: entry.apiVersion,
      kind: entry.kind,
      name: entry.name,
      ...(entry.namespace === undefined ? {} : { namespace: entry.namespace }),
    };
    if (wanted.has(refKey(ref))) continue;
    // A kind no longer served (its CRD removed) has no object left to delete.
    const live = await readLiveObject(client, ref).catch(() => undefined);
    const uid = live?.metadata?.uid;
    if (live === undefined || typeof uid !== 'string') continue;
    const check = verifyProvenance(key, live.metadata?.annotations, { namespace: ref.namespace, kind: ref.kind, name: ref.name });
    if (check.kind !== 'verified' || check.origin.repository !== target.repository || check.origin.environment !== target.environment)
      continue;
    deletions.push({ ref, file: entry.file, uid });
  }
  return deletions;
}

/** Deletes what the plan said, each on the condition that it is still the object planned (its uid). */
export async function pruneObjects(client: RestClient, deletions: readonly PlannedDeletion[], logger: Logger): Promise<number> {
  let deleted = 0;
  for (const deletion of deletions) {
    const path = await objectPath(client, deletion.ref);
    try {
      await client.request({
        method: 'DELETE',
        path,
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: deletion.uid } },
      });
      deleted += 1;
    } catch (cause) {
      // Gone already, or re-created since the plan (another uid): nothing of ours to delete.
      if (isNotFound(cause) || isConflict(cause)) continue;
      const status = statusCodeOf(cause);
      throw new Error(
        `${deletion.file}: deleting ${deletion.ref.kind} ${deletion.ref.namespace ?? ''}/${deletion.ref.name} failed${status === undefined ? '' : ` with HTTP ${String(status)}`}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  }
  if (deletions.length > 0) logger.info({ deleted, planned: deletions.length }, 'pruned');
  return deleted;
}
