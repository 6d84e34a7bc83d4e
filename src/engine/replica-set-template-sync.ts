import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { wantedAffinity } from './anti-affinity.js';
import {
  assignEphemeralRoles,
  ephemeralRoles,
  parseEphemeralMetadata,
  podMetadataChanges,
  podRemovableMetadata,
  syncReplicaSetMetadata,
  type MapChanges,
  type MetadataChanges,
} from './ephemeral-metadata.js';
import { mergePatchBetween } from './json-merge-patch.js';
import type { AffinityMergePatch, KubeAction, PodTemplateChanges, ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import type { ReplicaSetClassification } from './replica-set-classification.js';

/*
 * The stage both planners run where Argo's reconcile calls reconcileEphemeralMetadata (after
 * the pod restarts, before scaling): bring each ReplicaSet's pod template in line with the role
 * it plays now — its ephemeral metadata and its injected anti-affinity — and relabel the pods it
 * already runs. Argo writes the ReplicaSet first, then its pods, so a pod created in between
 * already has the new metadata; the actions keep that order.
 */

function nameOf(object: { metadata?: { name?: string } }): string {
  return object.metadata?.name ?? '';
}

function podsByOwner(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const byOwner = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true);
    if (owner === undefined) continue;
    const owned = byOwner.get(owner.uid);
    if (owned === undefined) byOwner.set(owner.uid, [pod]);
    else owned.push(pod);
  }
  return byOwner;
}

/** The template's labels and annotations once `changes` are applied. */
function templateAfter(
  rs: V1ReplicaSet,
  changes: MetadataChanges | undefined,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const apply = (map: Record<string, string> | undefined, change: MapChanges | undefined): Record<string, string> => {
    const result = { ...(map ?? {}) };
    for (const [key, value] of Object.entries(change ?? {})) {
      if (value === null) Reflect.deleteProperty(result, key);
      else result[key] = value;
    }
    return result;
  };
  const live = rs.spec?.template?.metadata;
  return { labels: apply(live?.labels, changes?.labels), annotations: apply(live?.annotations, changes?.annotations) };
}

/** The actions that sync every ReplicaSet's template and pods to its role; empty when all are in sync. */
export function replicaSetTemplateActions(
  observation: RolloutObservation,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
): KubeAction[] {
  const { rollout } = observation;
  const pods = podsByOwner(observation.pods);
  const affinityContext = { rollout, currentHash: replicaSets.desiredHash, all: replicaSets.all };
  const roles = ephemeralRoles(rollout);
  const actions: KubeAction[] = [];
  for (const { rs, desired } of assignEphemeralRoles(rollout, { newRS, stableRS: replicaSets.stableRS, others: replicaSets.others })) {
    const metadata = syncReplicaSetMetadata(rs, desired);
    const template: PodTemplateChanges = { ...(metadata?.template ?? {}) };
    // Only the new and the stable ReplicaSet carry an anti-affinity term worth keeping right; the others are on their way out.
    const affinity = rs === newRS || rs === replicaSets.stableRS ? wantedAffinity(rs, rs === newRS, affinityContext) : undefined;
    if (affinity !== undefined) {
      const patch = mergePatchBetween(rs.spec?.template?.spec?.affinity, affinity.affinity);
      if (patch !== undefined) template.affinity = patch as AffinityMergePatch | null;
    }
    const annotations = metadata?.annotations ?? {};
    if (Object.keys(template).length > 0 || Object.keys(annotations).length > 0) {
      actions.push({
        kind: 'updateReplicaSet',
        name: nameOf(rs),
        resourceVersion: rs.metadata?.resourceVersion ?? '',
        ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
        ...(Object.keys(template).length === 0 ? {} : { template }),
      });
    }
    const removable = podRemovableMetadata(templateAfter(rs, metadata?.template), parseEphemeralMetadata(rs), roles);
    for (const pod of pods.get(rs.metadata?.uid ?? '') ?? []) {
      const changes = podMetadataChanges(pod, removable, desired);
      if (changes === undefined) continue;
      actions.push({ kind: 'updatePodMetadata', name: nameOf(pod), resourceVersion: pod.metadata?.resourceVersion ?? '', ...changes });
    }
  }
  return actions;
}

/** The stage as a plan: when anything is out of line, these writes are the whole reconcile (one step per reconcile), with the status as observed. */
export function planReplicaSetTemplateSync(
  observation: RolloutObservation,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
): ReconcilePlan | undefined {
  const actions = replicaSetTemplateActions(observation, replicaSets, newRS);
  if (actions.length === 0) return undefined;
  return { actions, status: observation.rollout.status ?? {}, events: [] };
}
