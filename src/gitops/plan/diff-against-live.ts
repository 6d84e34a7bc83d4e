import type { KubeObject } from '../../kube/index.js';
import type { ManifestObject, ObjectRef } from '../manifests/index.js';
import { diffFields } from './diff-fields.js';
import { hideSecretValues, storedForm } from './hide-secret-values.js';
import type { PlannedObject } from './types.js';

/** Reads at once: enough to hide the API server's latency, few enough not to flood it with a 1,000-object repository. */
const concurrentReads = 8;

/**
 * What applying each object would do: `created` when the cluster has none,
 * `changed` with the field paths that differ (see diffFields), `unchanged`
 * otherwise; a Secret's changes carry no values (hideSecretValues). Results
 * keep the objects' order. The reads are injected
 * (readLiveObject in production); a failing read rejects the whole plan.
 */
export async function diffAgainstLive(
  objects: readonly ManifestObject[],
  readLive: (ref: ObjectRef) => Promise<KubeObject | undefined>,
): Promise<PlannedObject[]> {
  const planned: PlannedObject[] = new Array<PlannedObject>(objects.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (let index = next++; index < objects.length; index = next++) {
      const object = objects[index];
      if (object === undefined) continue;
      const live = await readLive(object.ref);
      planned[index] = planObject(object, live);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrentReads, objects.length) }, worker));
  return planned;
}

function planObject(object: ManifestObject, live: KubeObject | undefined): PlannedObject {
  const base = { ref: object.ref, file: object.file, line: object.line };
  if (live === undefined) return { ...base, change: 'created', changes: [] };
  // A Secret's values never leave this function: the plan says which keys change, not to or from what.
  const changes = hideSecretValues(
    object.ref.kind,
    diffFields(storedForm(object.ref.kind, object.object as Record<string, unknown>), live as Record<string, unknown>),
  );
  return { ...base, change: changes.length === 0 ? 'unchanged' : 'changed', changes };
}
