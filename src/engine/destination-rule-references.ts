import type { Rollout } from '../api/index.js';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import type { KubeAction, ObservedDestinationRule, RolloutObservation } from './reconcile-types.js';

/*
 * Argo's Istio controller (rollout/trafficrouting/istio/controller.go syncDestinationRule), which
 * the Rollout informer enqueues for every DestinationRule a spec change stops naming (routing
 * turned off, another rule named, blue-green instead of canary): a rule annotated as managed by a
 * Rollout that no longer names it loses that annotation and the pod-template-hash label of every
 * subset, so its subsets select every pod of the app again rather than a ReplicaSet that may go
 * away. Gradual finds them level-triggered, by the annotation, at every reconcile (as it finds the
 * Services to release, src/engine/service-references.ts), which also covers a change made while
 * it was down.
 */

/** The DestinationRule the Rollout's strategy names (Argo's GetRolloutDesinationRuleKeys), if any. */
export function referencedDestinationRuleName(rollout: Rollout): string | undefined {
  // The Rollout may be one that failed validation: every level is checked, not trusted.
  let value: unknown = rollout.spec;
  for (const key of ['strategy', 'canary', 'trafficRouting', 'istio', 'destinationRule', 'name'])
    value = isObject(value) ? value[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The rules, among the namespace's, annotated as managed by `rollout` that it does not name. */
export function releasedDestinationRules(rollout: Rollout, rules: readonly ObservedDestinationRule[]): ObservedDestinationRule[] {
  const name = rollout.metadata?.name;
  if (name === undefined || name === '') return [];
  const referenced = referencedDestinationRuleName(rollout);
  // Argo cleans on the annotation alone: a rule without hash labels still loses it.
  return rules.filter(
    (rule) => rule.metadata?.name !== referenced && rule.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION] === name,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The rule's subsets without the pod-template-hash label, or undefined when none carries it (the
 * spec is then left alone). Argo deletes the key from each subset's labels map: a subset whose
 * only label it was keeps an empty map; everything else of a subset (trafficPolicy…) is kept.
 */
export function subsetsWithoutHash(spec: unknown): unknown[] | undefined {
  if (!isObject(spec) || !Array.isArray(spec['subsets'])) return undefined;
  const subsets: unknown[] = spec['subsets'];
  const hashed = (subset: unknown): subset is Record<string, unknown> & { labels: Record<string, unknown> } =>
    isObject(subset) && isObject(subset['labels']) && POD_TEMPLATE_HASH_LABEL in subset['labels'];
  if (!subsets.some(hashed)) return undefined;
  return subsets.map((subset) => {
    if (!hashed(subset)) return subset;
    const labels = Object.fromEntries(Object.entries(subset.labels).filter(([key]) => key !== POD_TEMPLATE_HASH_LABEL));
    return { ...subset, labels };
  });
}

/** The writes that release them (Argo's cleanDestRule), whatever the Rollout's own validity; no Event, as in Argo. */
export function releaseDestinationRules(observation: RolloutObservation): KubeAction[] {
  return (observation.releasedDestinationRules ?? []).map((rule) => {
    const subsets = subsetsWithoutHash(rule.spec);
    return {
      kind: 'releaseDestinationRule',
      name: rule.metadata?.name ?? '',
      resourceVersion: rule.metadata?.resourceVersion ?? '',
      annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: null },
      ...(subsets === undefined ? {} : { subsets }),
    };
  });
}
