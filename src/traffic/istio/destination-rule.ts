import { isDeepStrictEqual } from 'node:util';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../../api/argo-labels.js';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout, WeightDestination } from '../types.js';
import { destinationRuleSchema, type DestinationRule } from './schema.js';

export interface DestinationRuleHashInput {
  rollout: RouterRollout;
  ref: ObjectRef;
  object: JsonObject | undefined;
  canaryHash: string;
  stableHash: string;
  additional: readonly WeightDestination[];
}

type Subset = NonNullable<DestinationRule['spec']['subsets']>[number];

function withHash(subset: Subset, hash: string): Subset {
  const labels = Object.fromEntries(Object.entries(subset.labels ?? {}).filter(([key]) => key !== POD_TEMPLATE_HASH_LABEL));
  if (hash !== '') labels[POD_TEMPLATE_HASH_LABEL] = hash;
  // Argo's typed subset omits empty labels, so a subset without labels stays without.
  if (subset.labels === undefined && Object.keys(labels).length === 0) return subset;
  return { ...subset, labels };
}

/**
 * Subset-level splitting (Argo's UpdateHash): the canary and stable subsets
 * select their ReplicaSet's pods by `rollouts-pod-template-hash`; subsets
 * of additional destinations are labelled or added; every other subset is
 * dropped, as Argo drops it; the rule is annotated as managed by the
 * Rollout. Unchanged when all of that is already so.
 */
export function planDestinationRuleHashes(input: DestinationRuleHashInput): RouterPlan {
  const { ref, rollout } = input;
  const config = rollout.trafficRouting.istio?.destinationRule;
  if (config === undefined) return unchanged;
  if (input.object === undefined)
    return problemAt(
      'NotFound',
      ref,
      '',
      `DestinationRule \`${ref.name}\` not found (referenced by spec.strategy.canary.trafficRouting.istio.destinationRule)`,
    );
  const parsed = parseObject(destinationRuleSchema, input.object, ref);
  if (!parsed.ok) return parsed;
  const rule = parsed.value;
  const pending = new Map(input.additional.map((destination) => [destination.serviceName, destination]));
  const subsets: Subset[] = [];
  for (const subset of rule.spec.subsets ?? []) {
    const experiment = pending.get(subset.name);
    if (subset.name === config.canarySubsetName) subsets.push(withHash(subset, input.canaryHash));
    else if (subset.name === config.stableSubsetName) subsets.push(withHash(subset, input.stableHash));
    else if (experiment !== undefined) {
      subsets.push(withHash(subset, experiment.podTemplateHash));
      pending.delete(subset.name);
    }
  }
  // Sorted, where Argo iterates a Go map: the same input always gives the same object.
  for (const name of [...pending.keys()].sort()) {
    const experiment = pending.get(name);
    if (experiment !== undefined) subsets.push({ name, labels: { [POD_TEMPLATE_HASH_LABEL]: experiment.podTemplateHash } });
  }
  const annotations = { ...rule.metadata.annotations, [MANAGED_BY_ROLLOUTS_ANNOTATION]: rollout.name };
  const next: DestinationRule = {
    ...rule,
    metadata: { ...rule.metadata, annotations },
    spec: { ...rule.spec, ...(rule.spec.subsets === undefined && subsets.length === 0 ? {} : { subsets }) },
  };
  if (isDeepStrictEqual(next, rule)) return unchanged;
  return planned(
    [{ verb: 'replace', ref, object: next }],
    [
      {
        type: 'Normal',
        reason: 'UpdatedDestinationRule',
        message: `DestinationRule ${ref.name} subset updated (${config.canarySubsetName}: ${input.canaryHash}, ${config.stableSubsetName}: ${input.stableHash})`,
      },
    ],
  );
}
