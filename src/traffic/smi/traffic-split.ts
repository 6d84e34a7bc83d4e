import { isDeepStrictEqual } from 'node:util';
import { rolloutControllerRef, isControlledBy } from '../owner-reference.js';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout, WeightDestination } from '../types.js';
import { trafficSplitSchema, type TrafficSplitBackend } from './schema.js';

/** The TrafficSplit's reference: trafficSplitName, else the Rollout's name, in the Rollout's namespace. */
export function trafficSplitRef(rollout: RouterRollout, apiVersion: string): ObjectRef {
  const name = rollout.trafficRouting.smi?.trafficSplitName ?? '';
  return {
    group: 'split.smi-spec.io',
    version: apiVersion,
    resource: 'trafficsplits',
    kind: 'TrafficSplit',
    namespace: rollout.namespace,
    name: name === '' ? rollout.name : name,
  };
}

export interface TrafficSplitInput {
  rollout: RouterRollout;
  ref: ObjectRef;
  object: JsonObject | undefined;
  desiredWeight: number;
  additional: readonly WeightDestination[];
}

/**
 * The spec Argo's smi.go generates: the root Service (rootService, else the
 * stable Service) split into the canary at the desired weight, each
 * additional destination at its weight, and the stable Service at what is
 * left — in that order. v1alpha1 weights are quantities, written as strings.
 */
export function desiredTrafficSplitSpec(input: Omit<TrafficSplitInput, 'object'>): { service: string; backends: TrafficSplitBackend[] } {
  const { rollout, ref } = input;
  const weight = (value: number): number | string => (ref.version === 'v1alpha1' ? String(value) : value);
  const root = rollout.trafficRouting.smi?.rootService ?? '';
  const stableWeight = 100 - input.desiredWeight - input.additional.reduce((sum, destination) => sum + destination.weight, 0);
  return {
    service: root === '' ? rollout.stableService : root,
    backends: [
      { service: rollout.canaryService, weight: weight(input.desiredWeight) },
      ...input.additional.map((destination) => ({ service: destination.serviceName, weight: weight(destination.weight) })),
      { service: rollout.stableService, weight: weight(stableWeight) },
    ],
  };
}

/**
 * setWeight with SMI (Argo's SetWeight in smi.go): creates the TrafficSplit,
 * owned by the Rollout, when it is missing; otherwise merge-patches the spec
 * fields that differ — only when the Rollout controls it.
 */
export function planTrafficSplit(input: TrafficSplitInput): RouterPlan {
  const { ref, rollout } = input;
  const spec = desiredTrafficSplitSpec(input);
  if (input.object === undefined) {
    const object = {
      apiVersion: `${ref.group}/${ref.version}`,
      kind: 'TrafficSplit',
      metadata: { name: ref.name, namespace: ref.namespace, ownerReferences: [rolloutControllerRef(rollout)] },
      spec,
    };
    return planned(
      [{ verb: 'create', ref, object }],
      [{ type: 'Normal', reason: 'TrafficSplitCreated', message: `TrafficSplit \`${ref.name}\` created` }],
    );
  }
  const parsed = parseObject(trafficSplitSchema, input.object, ref);
  if (!parsed.ok) return parsed;
  const current = parsed.value;
  if (!isControlledBy(current.metadata.ownerReferences, rollout))
    return problemAt('NotOwned', ref, 'metadata.ownerReferences', `Rollout does not own TrafficSplit \`${ref.name}\``);
  const normalise = (backends: readonly TrafficSplitBackend[] | undefined): unknown[] =>
    (backends ?? []).map((backend) => ({ service: backend.service, weight: Number(backend.weight ?? 0) }));
  const patch: JsonObject = {};
  if (current.spec?.service !== spec.service) patch['service'] = spec.service;
  if (!isDeepStrictEqual(normalise(current.spec?.backends), normalise(spec.backends))) patch['backends'] = spec.backends;
  if (Object.keys(patch).length === 0) return unchanged;
  return planned([{ verb: 'patch', ref, patch: { spec: patch }, resourceVersion: current.metadata.resourceVersion ?? '' }]);
}
