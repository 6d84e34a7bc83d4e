import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import { virtualNodeSchema } from './schema.js';

/** Argo's ManagedByRolloutsKey and DefaultRolloutUniqueLabelKey. */
export const managedByRolloutsKey = 'argo-rollouts.argoproj.io/managed-by-rollouts';
export const podTemplateHashLabel = 'rollouts-pod-template-hash';

/** Argo's placeholders when there is no stable hash, or no canary distinct from it (appmesh.go: defaultStableHash, defaultCanaryHash). */
export const defaultStableHash = 'stable-hash';
export const defaultCanaryHash = 'canary-hash';

/** The hashes Argo's UpdateHash writes: a missing stable hash and a canary equal to the stable one become placeholders that select no pod. */
export function virtualNodeHashes(canaryHash: string, stableHash: string): { canary: string; stable: string } {
  const stable = stableHash === '' ? defaultStableHash : stableHash;
  const canary = canaryHash === '' || canaryHash === stable ? defaultCanaryHash : canaryHash;
  return { canary, stable };
}

/**
 * updateHash with App Mesh (Argo's updateVirtualNodeWithHash): the
 * VirtualNode's spec.podSelector.matchLabels select the ReplicaSet's pods by
 * rollouts-pod-template-hash, and the node is annotated as managed by the
 * Rollout. Merge-patched on the resourceVersion read, only when either
 * differs (Argo updates on every call).
 */
export function planVirtualNodeHash(rollout: RouterRollout, ref: ObjectRef, object: JsonObject | undefined, hash: string): RouterPlan {
  if (object === undefined)
    return problemAt('NotFound', ref, '', `VirtualNode \`${ref.name}\` not found in namespace \`${rollout.namespace}\``);
  const parsed = parseObject(virtualNodeSchema, object, ref);
  if (!parsed.ok) return parsed;
  const { metadata, spec } = parsed.value;
  if (metadata.annotations?.[managedByRolloutsKey] === rollout.name && spec?.podSelector?.matchLabels?.[podTemplateHashLabel] === hash)
    return unchanged;
  return planned([
    {
      verb: 'patch',
      ref,
      patch: {
        metadata: { annotations: { [managedByRolloutsKey]: rollout.name } },
        spec: { podSelector: { matchLabels: { [podTemplateHashLabel]: hash } } },
      },
      resourceVersion: metadata.resourceVersion ?? '',
    },
  ]);
}
