import type { V1Affinity, V1OwnerReference, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { rolloutApiVersion, rolloutKind, withDefaults, type Rollout } from '../api/index.js';
import { replicaSetAffinity, withoutInjectedTerm } from './anti-affinity.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  EPHEMERAL_METADATA_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from '../api/argo-labels.js';
import { ephemeralMetadataAnnotation, ephemeralMetadataChanges, ephemeralRoles, parseEphemeralMetadata } from './ephemeral-metadata.js';
import { withPodTemplateDefaults } from './pod-template-defaults.js';
import { canonicalJson } from '../api/canonical-json.js';
import { computePodTemplateHash } from './pod-template-hash.js';
import { replicaSetName } from './replica-set-naming.js';

/** The Rollout's ReplicaSets sorted into the roles Argo's rolloutContext gives them. */
export interface ReplicaSetClassification {
  /** The hash of the current template (with status.collisionCount), as the new ReplicaSet would be labelled. */
  desiredHash: string;
  /** The ReplicaSet running the current template, if any; its own label wins over desiredHash. */
  newRS: V1ReplicaSet | undefined;
  /** The ReplicaSet named by status.stableRS; may be newRS itself once promoted. */
  stableRS: V1ReplicaSet | undefined;
  /** Every ReplicaSet that is neither new nor stable (Argo's otherRSs), oldest created first. */
  others: V1ReplicaSet[];
  /** Every ReplicaSet but the new one (Argo's olderRSs), oldest created first. */
  older: V1ReplicaSet[];
  /** All of them, oldest created first. */
  all: V1ReplicaSet[];
}

export function podTemplateHashOf(rs: V1ReplicaSet): string {
  return rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
}

/** The revision annotation, parsed; 0 when absent or malformed, as Argo's Revision() reads it. */
export function revisionOf(rs: V1ReplicaSet | undefined): number {
  const text = rs?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (text === undefined || !/^\d+$/u.test(text)) return 0;
  return Number(text);
}

/** Creation time, then name: Argo's ReplicaSetsByCreationTimestamp. */
export function byCreation(a: V1ReplicaSet, b: V1ReplicaSet): number {
  const at = creationMillis(a) - creationMillis(b);
  if (at !== 0) return at;
  const nameA = a.metadata?.name ?? '';
  const nameB = b.metadata?.name ?? '';
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** Creation time in epoch ms (0 when unknown). */
export function creationMillis(rs: V1ReplicaSet): number {
  const created: unknown = rs.metadata?.creationTimestamp;
  if (created instanceof Date) return created.getTime();
  if (typeof created === 'string') return Date.parse(created);
  return 0;
}

/**
 * Argo's FindNewReplicaSet, GetStableRS and GetOtherRSs. The new ReplicaSet is found by its hash
 * label; failing that, by comparing templates with the hash label and the injected
 * canary/stable metadata taken out — our hash differs from Argo's (see pod-template-hash.ts), so
 * without this fallback adopting a Rollout from Argo would redeploy it. A ReplicaSet found that
 * way keeps its own hash.
 */
export function classifyReplicaSets(rollout: Rollout, replicaSets: readonly V1ReplicaSet[]): ReplicaSetClassification {
  const all = [...replicaSets].sort(byCreation);
  const desiredHash = computePodTemplateHash(rollout.spec.template, rollout.status?.collisionCount);
  const newRS = all.find((rs) => podTemplateHashOf(rs) === desiredHash) ?? all.find((rs) => templatesEqualIgnoringHash(rs, rollout));
  const stableHash = rollout.status?.stableRS ?? '';
  const stableRS = stableHash === '' ? undefined : all.find((rs) => podTemplateHashOf(rs) === stableHash);
  const others = all.filter((rs) => rs !== newRS && rs !== stableRS);
  const older = all.filter((rs) => rs !== newRS);
  return { desiredHash, newRS, stableRS, others, older, all };
}

/** Argo's PodTemplateEqualIgnoreHash after removing injected ephemeral metadata and anti-affinity, both sides with Kubernetes' pod template defaults. */
export function templatesEqualIgnoringHash(rs: V1ReplicaSet, rollout: Rollout): boolean {
  const live = withoutEphemeralMetadata(rs, rollout);
  // The stored ReplicaSet's template carries the API server's defaults; the Rollout's does not (Argo defaults it too).
  return (
    canonicalJson(normalizeTemplate(withPodTemplateDefaults(live))) ===
    canonicalJson(normalizeTemplate(withPodTemplateDefaults(rollout.spec.template)))
  );
}

function withoutEphemeralMetadata(rs: V1ReplicaSet, rollout: Rollout): unknown {
  const template = structuredClone(rs.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: { affinity?: V1Affinity };
  };
  const injected = parseEphemeralMetadata(rs) ?? {};
  if (template.metadata !== undefined) {
    if (template.metadata.labels !== undefined)
      template.metadata.labels = without(template.metadata.labels, Object.keys(injected.labels ?? {}));
    if (template.metadata.annotations !== undefined)
      template.metadata.annotations = without(template.metadata.annotations, Object.keys(injected.annotations ?? {}));
  }
  // The injected anti-affinity term is not part of the user's template either (Argo's FindNewReplicaSet takes it out too).
  if (template.spec !== undefined) {
    const affinity = withoutInjectedTerm(template.spec.affinity, rollout);
    if (affinity === undefined) delete template.spec.affinity;
    else template.spec.affinity = affinity;
  }
  return template;
}

function without(map: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));
}

/** Drops the hash label and the empty maps that differ only in spelling between a manifest and a stored object. */
function normalizeTemplate(template: unknown): unknown {
  const copy = structuredClone(template ?? {}) as { metadata?: Record<string, unknown> };
  const metadata = copy.metadata;
  if (metadata !== undefined) {
    const labels = metadata.labels as Record<string, string> | undefined;
    if (labels !== undefined) metadata.labels = without(labels, [POD_TEMPLATE_HASH_LABEL]);
    const kept = Object.entries(metadata).filter(
      ([key, value]) => key !== 'creationTimestamp' && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0),
    );
    if (kept.length === 0) delete copy.metadata;
    else copy.metadata = Object.fromEntries(kept);
  }
  return copy;
}

export interface NewReplicaSetOptions {
  /** A distinct stable ReplicaSet exists: the new pods get canaryMetadata/previewMetadata, else stableMetadata/activeMetadata (they will become stable). */
  hasStableReplicaSet?: boolean;
  /** status.stableRS: with antiAffinity set and a hash other than the new one, the new pods keep off the stable pods' nodes. */
  stableHash?: string | undefined;
}

/**
 * The ReplicaSet Argo's createDesiredReplicaSet creates: `<rollout>-<hash>`, the hash label on
 * its labels, selector and pod template, revision and desired-replicas annotations plus the
 * Rollout's own annotations (except the ones Argo skips), a controller ownerReference, and 0
 * replicas — Argo creates it empty and scales it in a later reconcile.
 */
export function newReplicaSetFor(rollout: Rollout, hash: string, revision: number, options: NewReplicaSetOptions = {}): V1ReplicaSet {
  const spec = withDefaults(rollout.spec);
  const name = rollout.metadata?.name ?? '';
  const source = structuredClone(rollout.spec.template ?? {});
  const templateLabels = { ...(source.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const template = { ...source, metadata: { ...(source.metadata ?? {}), labels: templateLabels } } as V1PodTemplateSpec & {
    metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  };
  // The template's labels and the hash, nothing else: Argo v1.9.1 puts no controller-instance-id label on its
  // ReplicaSets (its ReplicaSet informer is not filtered by instance id; ownership is the controller ownerReference).
  const labels: Record<string, string> = { ...templateLabels };

  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(rollout.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_NOT_COPIED.has(key)) annotations[key] = value;
  }
  annotations[REVISION_ANNOTATION] = String(revision);
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(spec.replicas);

  const { upcoming, stable } = ephemeralRoles(rollout);
  const ephemeral = options.hasStableReplicaSet === true ? upcoming : stable;
  // Argo records what it injected (to take it out when the role changes), but only when the template did not already say it.
  if (ephemeral !== undefined && ephemeralMetadataChanges(template.metadata, undefined, ephemeral).modified) {
    template.metadata.labels = { ...template.metadata.labels, ...(ephemeral.labels ?? {}) };
    if (ephemeral.annotations !== undefined)
      template.metadata.annotations = { ...(template.metadata.annotations ?? {}), ...ephemeral.annotations };
    annotations[EPHEMERAL_METADATA_ANNOTATION] = ephemeralMetadataAnnotation(ephemeral);
  }
  const stableHash = options.stableHash === hash ? undefined : options.stableHash;
  const affinity = replicaSetAffinity(rollout, stableHash);
  if (affinity !== undefined) template.spec = Object.assign(template.spec ?? { containers: [] }, { affinity });

  const selector = structuredClone(rollout.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };

  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetName(name, hash),
      ...(rollout.metadata?.namespace === undefined ? {} : { namespace: rollout.metadata.namespace }),
      labels,
      annotations,
      ownerReferences: [controllerReference(rollout)],
    },
    spec: {
      replicas: 0,
      minReadySeconds: spec.minReadySeconds,
      selector: selector as NonNullable<V1ReplicaSet['spec']>['selector'],
      template,
    },
  };
}

/** Argo never copies these from the Rollout to its ReplicaSets (annotationsToSkip). */
export const ANNOTATIONS_NOT_COPIED: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  'notified.notifications.argoproj.io',
]);

function controllerReference(rollout: Rollout): V1OwnerReference {
  return {
    apiVersion: rolloutApiVersion,
    kind: rolloutKind,
    name: rollout.metadata?.name ?? '',
    uid: rollout.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
