import { planned, problemAt, unchanged } from '../plan.js';
import { parseObject } from '../parse-object.js';
import type { JsonObject, ObjectRef, RouterEvent, RouterPlan, RouterRollout } from '../types.js';
import { defaultAmbassadorApiVersion, mappingSchema } from './schema.js';

/** Argo's apiGroupToResource: Emissary's x.getambassador.io serves AmbassadorMappings; anything else, mappings. */
const resourceOfGroup: Record<string, string> = { 'getambassador.io': 'mappings', 'x.getambassador.io': 'ambassadormappings' };

/**
 * The Mapping `name` in `namespace` at the API version Argo's
 * --ambassador-api-version names (toMappingGVR): `group/version`, or a bare
 * version in getambassador.io; an unknown group keeps the `mappings` resource.
 */
export function mappingRef(namespace: string, name: string, apiVersion = defaultAmbassadorApiVersion): ObjectRef {
  const parts = apiVersion.split('/');
  const group = parts.length > 1 ? (parts[0] ?? '') : 'getambassador.io';
  const version = parts.at(-1) ?? '';
  const resource = resourceOfGroup[group] ?? 'mappings';
  return { group, version, resource, kind: resource === 'ambassadormappings' ? 'AmbassadorMapping' : 'Mapping', namespace, name };
}

/** Argo's buildCanaryMappingName: the base name (cut to 246 characters) and `-canary`. */
export function canaryMappingName(base: string): string {
  return `${base.slice(0, 246)}-canary`;
}

export interface MappingWeightInput {
  rollout: RouterRollout;
  baseRef: ObjectRef;
  canaryRef: ObjectRef;
  base: JsonObject | undefined;
  canary: JsonObject | undefined;
  desiredWeight: number;
}

const weightEvent = (weight: number): RouterEvent => ({
  type: 'Normal',
  reason: 'CanaryMappingWeightUpdate',
  message: `Set canary mapping weight to ${String(weight)}`,
});

/**
 * setWeight with Ambassador (Argo's handleCanaryMapping in ambassador.go):
 * the canary Mapping `<base>-canary` carries the weight. Absent and weight
 * > 0: it is created as a copy of the base Mapping (metadata dropped, the
 * stable Service in spec.service replaced by the canary Service once, as
 * Argo's strings.Replace does, spec.weight set). A base Mapping with a
 * weight of its own is refused (Argo's AmbassadorMappingConfigError).
 * Present: its weight is set; at 0 it is deleted (Argo updates it to 0 and
 * deletes it 5 s later; Gradual deletes it at once, on the resourceVersion
 * read, which takes the same traffic off the canary). Nothing is written
 * when the weight is already as desired.
 */
export function planMappingWeight(input: MappingWeightInput): RouterPlan {
  const { rollout, baseRef, canaryRef, desiredWeight } = input;
  if (input.canary !== undefined) {
    const parsed = parseObject(mappingSchema, input.canary, canaryRef);
    if (!parsed.ok) return parsed;
    const resourceVersion = parsed.value.metadata.resourceVersion ?? '';
    if (desiredWeight === 0) return planned([{ verb: 'delete', ref: canaryRef, resourceVersion }], [weightEvent(0)]);
    if (parsed.value.spec?.weight === desiredWeight) return unchanged;
    return planned(
      [{ verb: 'patch', ref: canaryRef, patch: { spec: { weight: desiredWeight } }, resourceVersion }],
      [weightEvent(desiredWeight)],
    );
  }
  if (desiredWeight === 0) return unchanged;
  if (input.base === undefined) return problemAt('NotFound', baseRef, '', `Ambassador mapping "${baseRef.name}" not found`);
  const parsed = parseObject(mappingSchema, input.base, baseRef);
  if (!parsed.ok) return parsed;
  const spec = parsed.value.spec ?? {};
  if ((spec.weight ?? 0) !== 0)
    return problemAt('InvalidSpec', baseRef, 'spec.weight', `Ambassador mapping "${baseRef.name}" can not define weight`);
  const object: JsonObject = {
    ...Object.fromEntries(Object.entries(parsed.value).filter(([field]) => field !== 'metadata' && field !== 'status')),
    metadata: { name: canaryRef.name, namespace: canaryRef.namespace },
    spec: { ...spec, service: (spec.service ?? '').replace(rollout.stableService, rollout.canaryService), weight: desiredWeight },
  };
  return planned([{ verb: 'create', ref: canaryRef, object }], [weightEvent(desiredWeight)]);
}
