import type { V1ObjectMeta, V1ReplicaSet } from '@kubernetes/client-node';
import { z } from 'zod';
import type { PodTemplateMetadata, Rollout } from '../api/index.js';
import { EPHEMERAL_METADATA_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';

/*
 * Ephemeral pod metadata as Argo v1.9.1 keeps it (rollout/ephemeralmetadata.go and
 * utils/replicaset SyncEphemeralPodMetadata, SyncReplicaSetEphemeralPodMetadata,
 * ParseExistingPodMetadata): labels and annotations a ReplicaSet's pods carry only while they
 * play a role — canary or stable, preview or active. What was injected is recorded on the
 * ReplicaSet (rollout.argoproj.io/ephemeral-metadata) so that it can be taken out again when
 * the role changes, without touching metadata that other tools (sidecar injectors, people) own.
 */

export type MapChanges = Record<string, string | null>;

/** Labels and annotations to set (string) or remove (null); absent when nothing changes. */
export interface MetadataChanges {
  labels?: MapChanges;
  annotations?: MapChanges;
}

interface Metadata {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

/** Argo reads the annotation leniently: unknown fields are ignored, anything malformed counts as nothing injected. */
const injectedSchema = z.object({
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** Argo's ParseExistingPodMetadata: what the controller injected into this ReplicaSet's template, if it recorded any. */
export function parseEphemeralMetadata(rs: V1ReplicaSet): PodTemplateMetadata | undefined {
  const text = rs.metadata?.annotations?.[EPHEMERAL_METADATA_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const parsed = injectedSchema.safeParse(JSON.parse(text));
    return parsed.success ? withoutUndefined(parsed.data) : undefined;
  } catch {
    // A hand-edited, malformed annotation: nothing we can take out.
    return undefined;
  }
}

function withoutUndefined(metadata: {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}): PodTemplateMetadata {
  return {
    ...(metadata.labels === undefined ? {} : { labels: metadata.labels }),
    ...(metadata.annotations === undefined ? {} : { annotations: metadata.annotations }),
  };
}

/** The annotation's value as Go's encoding/json writes PodTemplateMetadata: labels first, keys sorted, empty maps left out. */
export function ephemeralMetadataAnnotation(metadata: PodTemplateMetadata): string {
  const sorted = (map: Record<string, string> | undefined) =>
    map === undefined || Object.keys(map).length === 0
      ? undefined
      : Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ labels: sorted(metadata.labels), annotations: sorted(metadata.annotations) });
}

/**
 * Argo's SyncEphemeralPodMetadata on one object's metadata: set what `desired` asks for, remove
 * what was `injected` before and is no longer desired. `changes` holds only real differences;
 * `modified` is Argo's notion, which also counts removing a key the object no longer has (its
 * map exists) — that is what makes Argo rewrite a stale record on the ReplicaSet.
 */
export function ephemeralMetadataChanges(
  current: Metadata,
  injected: PodTemplateMetadata | undefined,
  desired: PodTemplateMetadata | undefined,
): { changes: MetadataChanges; modified: boolean } {
  const labels = mapChanges(current.labels, injected?.labels, desired?.labels);
  const annotations = mapChanges(current.annotations, injected?.annotations, desired?.annotations);
  const changes: MetadataChanges = {};
  if (Object.keys(labels.changes).length > 0) changes.labels = labels.changes;
  if (Object.keys(annotations.changes).length > 0) changes.annotations = annotations.changes;
  return { changes, modified: labels.modified || annotations.modified };
}

function mapChanges(
  current: Record<string, string> | undefined,
  injected: Record<string, string> | undefined,
  desired: Record<string, string> | undefined,
): { changes: MapChanges; modified: boolean } {
  const changes: MapChanges = {};
  let modified = false;
  for (const [key, value] of Object.entries(desired ?? {})) {
    if (current?.[key] !== value) {
      changes[key] = value;
      modified = true;
    }
  }
  for (const key of Object.keys(injected ?? {})) {
    if (desired !== undefined && Object.hasOwn(desired, key)) continue;
    if (current === undefined) continue;
    modified = true;
    // The hash label is the ReplicaSet's identity, never ephemeral, whatever a hand-edited record says.
    if (Object.hasOwn(current, key) && key !== POD_TEMPLATE_HASH_LABEL) changes[key] = null;
  }
  return { changes, modified };
}

export interface ReplicaSetMetadataSync {
  /** Changes to spec.template.metadata. */
  template: MetadataChanges;
  /** Changes to the ReplicaSet's own annotations (the record of what is injected). */
  annotations: MapChanges;
}

/**
 * Argo's SyncReplicaSetEphemeralPodMetadata: the template changes that give the ReplicaSet's
 * future pods `desired` (undefined: no role, take everything injected out), and the new record.
 * Undefined when the ReplicaSet is already in sync.
 */
export function syncReplicaSetMetadata(rs: V1ReplicaSet, desired: PodTemplateMetadata | undefined): ReplicaSetMetadataSync | undefined {
  const live = rs.spec?.template?.metadata ?? {};
  const { changes, modified } = ephemeralMetadataChanges(
    { labels: live.labels, annotations: live.annotations },
    parseEphemeralMetadata(rs),
    desired,
  );
  if (!modified) return undefined;
  const recorded = rs.metadata?.annotations?.[EPHEMERAL_METADATA_ANNOTATION];
  const annotations: MapChanges = {};
  if (desired !== undefined) {
    const record = ephemeralMetadataAnnotation(desired);
    if (recorded !== record) annotations[EPHEMERAL_METADATA_ANNOTATION] = record;
  } else if (recorded !== undefined) {
    annotations[EPHEMERAL_METADATA_ANNOTATION] = null;
  }
  if (Object.keys(changes).length === 0 && Object.keys(annotations).length === 0) return undefined;
  return { template: changes, annotations };
}

/** The changes one running pod needs (Argo's updatePodMetadataWithRetry): `desired` set, the `removable` keys it is not asking for taken off. */
export function podMetadataChanges(
  pod: { metadata?: V1ObjectMeta },
  removable: PodTemplateMetadata | undefined,
  desired: PodTemplateMetadata | undefined,
): MetadataChanges | undefined {
  const { changes } = ephemeralMetadataChanges(
    { labels: pod.metadata?.labels, annotations: pod.metadata?.annotations },
    removable,
    desired,
  );
  return Object.keys(changes).length === 0 ? undefined : changes;
}

/**
 * What a running pod may lose: every key this ReplicaSet recorded as injected or that either
 * role injects, unless the ReplicaSet's template (after this sync) still has it — so a selector
 * or template label is never taken off a pod. Argo judges pods by the record alone and retries
 * a conflicting pod at once; here a conflict fails the reconcile after the ReplicaSet's record
 * has moved on, and the next one must still know what the pods may carry from their old role.
 */
export function podRemovableMetadata(
  templateAfterSync: Metadata,
  recorded: PodTemplateMetadata | undefined,
  roles: { upcoming: PodTemplateMetadata | undefined; stable: PodTemplateMetadata | undefined },
): PodTemplateMetadata {
  const removable = (kind: 'labels' | 'annotations'): Record<string, string> => {
    const keys = [recorded, roles.upcoming, roles.stable].flatMap((metadata) => Object.keys(metadata?.[kind] ?? {}));
    const kept = templateAfterSync[kind] ?? {};
    return Object.fromEntries(keys.filter((key) => !Object.hasOwn(kept, key)).map((key) => [key, '']));
  };
  return { labels: removable('labels'), annotations: removable('annotations') };
}

/** The metadata of the two roles: canaryMetadata/stableMetadata, or previewMetadata/activeMetadata. */
export function ephemeralRoles(rollout: Rollout): { upcoming: PodTemplateMetadata | undefined; stable: PodTemplateMetadata | undefined } {
  const { canary, blueGreen } = rollout.spec.strategy ?? {};
  if (canary !== undefined) return { upcoming: canary.canaryMetadata, stable: canary.stableMetadata };
  return { upcoming: blueGreen?.previewMetadata, stable: blueGreen?.activeMetadata };
}

export interface RoleAssignment {
  rs: V1ReplicaSet;
  desired: PodTemplateMetadata | undefined;
}

/**
 * Argo's reconcileEphemeralMetadata: fully rolled out (no stable yet, or the new ReplicaSet is
 * the stable one), the new ReplicaSet gets the stable/active metadata; during an update it gets
 * the canary/preview metadata and the stable ReplicaSet the stable/active metadata. Every other
 * ReplicaSet loses whatever was injected.
 */
export function assignEphemeralRoles(
  rollout: Rollout,
  replicaSets: { newRS: V1ReplicaSet; stableRS: V1ReplicaSet | undefined; others: readonly V1ReplicaSet[] },
): RoleAssignment[] {
  const { upcoming, stable } = ephemeralRoles(rollout);
  const stableHash = rollout.status?.stableRS ?? '';
  const fullyRolledOut = stableHash === '' || stableHash === replicaSets.newRS.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
  const assignments: RoleAssignment[] = [];
  if (fullyRolledOut) {
    assignments.push({ rs: replicaSets.newRS, desired: stable });
  } else {
    assignments.push({ rs: replicaSets.newRS, desired: upcoming });
    if (replicaSets.stableRS !== undefined && replicaSets.stableRS !== replicaSets.newRS)
      assignments.push({ rs: replicaSets.stableRS, desired: stable });
  }
  for (const rs of replicaSets.others) assignments.push({ rs, desired: undefined });
  return assignments;
}
