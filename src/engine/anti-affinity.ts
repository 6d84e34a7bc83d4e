import type { V1Affinity, V1PodAffinityTerm, V1PodAntiAffinity, V1ReplicaSet } from '@kubernetes/client-node';
import type { AntiAffinity, Rollout } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';

/*
 * The anti-affinity Argo injects into a new ReplicaSet's pods so they avoid the nodes running
 * the stable pods (utils/replicaset GenerateReplicaSetAffinity, HasInjectedAntiAffinityRule,
 * RemoveInjectedAntiAffinityRule, IfInjectedAntiAffinityRuleNeedsUpdate, v1.9.1). The injected
 * term is recognised as Argo recognises it: the first term of the configured kind whose label
 * selector has an expression on rollouts-pod-template-hash.
 */

/** Node-level spreading, as Argo hard-codes it. */
export const ANTI_AFFINITY_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** Argo's GetRolloutAffinity: the strategy's antiAffinity when one of its two kinds is set (canary wins over blueGreen). */
export function antiAffinityStrategy(rollout: Rollout): AntiAffinity | undefined {
  const strategy = rollout.spec.strategy;
  const configured = strategy?.canary?.antiAffinity ?? strategy?.blueGreen?.antiAffinity;
  if (configured === undefined) return undefined;
  const { preferredDuringSchedulingIgnoredDuringExecution: preferred, requiredDuringSchedulingIgnoredDuringExecution: required } =
    configured;
  return preferred === undefined && required === undefined ? undefined : configured;
}

/** The user's own affinity from the Rollout's pod template (the API server validated its shape when it stored the Rollout). */
export function templateAffinity(rollout: Rollout): V1Affinity | undefined {
  const affinity: unknown = rollout.spec.template?.spec?.['affinity'];
  return typeof affinity === 'object' && affinity !== null ? structuredClone(affinity) : undefined;
}

export function injectedAntiAffinityTerm(stableHash: string, namespace: string | undefined): V1PodAffinityTerm {
  return {
    labelSelector: { matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: [stableHash] }] },
    ...(namespace === undefined ? {} : { namespaces: [namespace] }),
    topologyKey: ANTI_AFFINITY_TOPOLOGY_KEY,
  };
}

/**
 * Argo's GenerateReplicaSetAffinity: the template's affinity plus, when antiAffinity is set and
 * a stable ReplicaSet of another hash exists (`stableHash`, undefined otherwise), a term keeping
 * the pods off the stable pods' nodes — appended after the user's own terms of that kind.
 */
export function replicaSetAffinity(rollout: Rollout, stableHash: string | undefined): V1Affinity | undefined {
  const affinity = templateAffinity(rollout);
  const strategy = antiAffinityStrategy(rollout);
  if (strategy === undefined || stableHash === undefined || stableHash === '') return affinity;
  const term = injectedAntiAffinityTerm(stableHash, rollout.metadata?.namespace);
  const result: V1Affinity = affinity ?? {};
  const anti = result.podAntiAffinity ?? {};
  const weight = strategy.preferredDuringSchedulingIgnoredDuringExecution?.weight;
  if (weight !== undefined) {
    anti.preferredDuringSchedulingIgnoredDuringExecution = [
      ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      { weight, podAffinityTerm: term },
    ];
  } else {
    anti.requiredDuringSchedulingIgnoredDuringExecution = [...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []), term];
  }
  result.podAntiAffinity = anti;
  return result;
}

/** Argo's HasInjectedAntiAffinityRule: where the injected term is in the list of the configured kind. */
export function findInjectedTerm(
  affinity: V1Affinity | undefined,
  rollout: Rollout,
): { index: number; term: V1PodAffinityTerm } | undefined {
  const strategy = antiAffinityStrategy(rollout);
  // Kubernetes reads a null podAntiAffinity as none (validateRollout refuses the shapes it cannot read).
  const read: unknown = affinity?.podAntiAffinity;
  if (strategy === undefined || typeof read !== 'object' || read === null) return undefined;
  const anti = read as V1PodAntiAffinity;
  const terms =
    strategy.preferredDuringSchedulingIgnoredDuringExecution !== undefined
      ? (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((weighted) => weighted.podAffinityTerm)
      : (anti.requiredDuringSchedulingIgnoredDuringExecution ?? []);
  const index = terms.findIndex((term) =>
    (term.labelSelector?.matchExpressions ?? []).some((expression) => expression.key === POD_TEMPLATE_HASH_LABEL),
  );
  const term = terms[index];
  return term === undefined ? undefined : { index, term };
}

/** The stable hash an injected term keeps the pods away from. */
export function referencedHash(term: V1PodAffinityTerm): string | undefined {
  return term.labelSelector?.matchExpressions?.find((expression) => expression.key === POD_TEMPLATE_HASH_LABEL)?.values?.[0];
}

/**
 * Argo's RemoveInjectedAntiAffinityRule, except that every list or object left empty goes
 * (Argo keeps an empty preferred list, which the API server stores as an empty podAntiAffinity:
 * the same scheduling, one more field to compare).
 */
export function withoutInjectedTerm(affinity: V1Affinity | undefined, rollout: Rollout): V1Affinity | undefined {
  const found = findInjectedTerm(affinity, rollout);
  if (affinity === undefined || found === undefined) return affinity;
  const result = structuredClone(affinity);
  const anti = result.podAntiAffinity ?? {};
  if (antiAffinityStrategy(rollout)?.preferredDuringSchedulingIgnoredDuringExecution !== undefined) {
    const kept = (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((_, index) => index !== found.index);
    if (kept.length === 0) delete anti.preferredDuringSchedulingIgnoredDuringExecution;
    else anti.preferredDuringSchedulingIgnoredDuringExecution = kept;
  } else {
    const kept = (anti.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((_, index) => index !== found.index);
    if (kept.length === 0) delete anti.requiredDuringSchedulingIgnoredDuringExecution;
    else anti.requiredDuringSchedulingIgnoredDuringExecution = kept;
  }
  if (Object.keys(anti).length === 0) delete result.podAntiAffinity;
  return Object.keys(result).length === 0 ? undefined : result;
}

/**
 * Argo's IfInjectedAntiAffinityRuleNeedsUpdate: during an update (the stable hash is not the
 * current one), an injected term naming another hash than the stable one must follow it.
 */
export function injectedTermNeedsUpdate(affinity: V1Affinity | undefined, rollout: Rollout, currentHash: string): boolean {
  const found = findInjectedTerm(affinity, rollout);
  const stableHash = rollout.status?.stableRS ?? '';
  if (found === undefined || stableHash === currentHash) return false;
  return referencedHash(found.term) !== stableHash;
}

export interface AffinityContext {
  rollout: Rollout;
  /** The hash of the current template (the new ReplicaSet's). */
  currentHash: string;
  all: readonly V1ReplicaSet[];
}

/**
 * The affinity a ReplicaSet's template should have, or undefined when it should stay as it is.
 * The new ReplicaSet's injected term follows the stable hash (Argo's update, done by Argo when it
 * syncs the revision). Beyond Argo, an injected term is dropped once the ReplicaSet it names is
 * gone or scaled to nothing and is no longer the stable one: there are no pods left to avoid,
 * and a `required` term naming a stale hash only confuses whoever reads the template.
 */
export function wantedAffinity(
  rs: V1ReplicaSet,
  isNew: boolean,
  context: AffinityContext,
): { affinity: V1Affinity | undefined } | undefined {
  const { rollout, currentHash, all } = context;
  const live = rs.spec?.template?.spec?.affinity;
  if (isNew && injectedTermNeedsUpdate(live, rollout, currentHash))
    return { affinity: replicaSetAffinity(rollout, rollout.status?.stableRS) };
  const found = findInjectedTerm(live, rollout);
  if (found === undefined) return undefined;
  const hash = referencedHash(found.term);
  const target = all.find((candidate) => candidate.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
  const stillStable = hash === rollout.status?.stableRS && hash !== currentHash;
  const scaledAway = target === undefined || ((target.spec?.replicas ?? 0) === 0 && (target.status?.replicas ?? 0) === 0);
  if (!scaledAway || (stillStable && target !== undefined)) return undefined;
  return { affinity: withoutInjectedTerm(live, rollout) };
}
