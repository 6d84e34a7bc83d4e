/*
 * What Argo makes of a pod template whose resource quantity does not parse (`memory: invalid`):
 * Argo's CRD keeps `resources.requests`/`limits` as unknown fields, so the API server stores the
 * Rollout; Argo's tolerant informer (utils/tolerantinformer, v1.9.1) then fails to convert it to
 * the typed Rollout and falls back to Go's encoding/json over the object re-marshalled with its
 * keys sorted. Go's decoder stops at the first value whose UnmarshalJSON fails — a Quantity that
 * does not parse — and keeps what it had decoded: the fields before it in sorted key order,
 * partly decoded objects and lists as far as they got, a map of quantities without the failing
 * entry. Everything after it is gone (argoproj/argo-rollouts#1045; TestMalformedRollout and
 * TestMalformedRolloutEphemeralCtr expect the Rollout to go Healthy).
 *
 * tolerantPodTemplate does the same to the template, so Gradual's ReplicaSet is the one Argo
 * creates instead of one the API server refuses (400) forever.
 */

export interface TolerantTemplate {
  template: unknown;
  /** The dotted path of the quantity that stopped the decoding, when one did: nothing after it was kept. */
  stoppedAt?: string;
}

type Json = unknown;

/** apimachinery's ParseQuantity: a signed decimal number, then nothing, a binary or decimal SI suffix, or a decimal exponent. */
const quantityPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/u;

/** Quantity.UnmarshalJSON on the JSON value: null is the zero quantity, a string or number its text parsed. */
export function isDecodableQuantity(value: Json): boolean {
  if (value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value) && quantityPattern.test(String(value).trim());
  if (typeof value === 'string') return quantityPattern.test(value.trim());
  return false;
}

/** Where in a PodTemplateSpec a map of quantities (`*`) or a single quantity lies; `[]` is any list item. */
const QUANTITY_MAPS: readonly (readonly string[])[] = [
  ...['containers', 'initContainers', 'ephemeralContainers'].flatMap((list) => [
    ['spec', list, '[]', 'resources', 'limits'],
    ['spec', list, '[]', 'resources', 'requests'],
  ]),
  ['spec', 'resources', 'limits'],
  ['spec', 'resources', 'requests'],
  ['spec', 'overhead'],
  ['spec', 'volumes', '[]', 'ephemeral', 'volumeClaimTemplate', 'spec', 'resources', 'limits'],
  ['spec', 'volumes', '[]', 'ephemeral', 'volumeClaimTemplate', 'spec', 'resources', 'requests'],
];
const QUANTITIES: readonly (readonly string[])[] = [['spec', 'volumes', '[]', 'emptyDir', 'sizeLimit']];

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((segment, index) => segment === path[index]);
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's json.Marshal of a map orders keys by their bytes. */
function byteOrder(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return Buffer.compare(left, right);
}

interface Decoded {
  value: Json;
  /** Set when decoding stopped inside this value. */
  stoppedAt?: string[];
}

function decode(value: Json, path: string[]): Decoded {
  if (QUANTITIES.some((pattern) => matches(pattern, path)))
    return isDecodableQuantity(value) ? { value } : { value: undefined, stoppedAt: path };
  if (Array.isArray(value)) {
    const kept: Json[] = [];
    for (const item of value) {
      const decoded = decode(item, [...path, '[]']);
      // Go's decoder grows the slice before decoding into the new element: a partly decoded element stays.
      kept.push(decoded.value);
      if (decoded.stoppedAt !== undefined) return { value: kept, stoppedAt: decoded.stoppedAt };
    }
    return { value: kept };
  }
  if (!isRecord(value)) return { value };
  const quantityMap = QUANTITY_MAPS.some((pattern) => matches(pattern, path));
  const kept: Record<string, Json> = {};
  for (const key of Object.keys(value).sort(byteOrder)) {
    const child = value[key];
    if (quantityMap) {
      // A map element is decoded aside and stored only once whole: the failing entry is not kept.
      if (!isDecodableQuantity(child)) return { value: kept, stoppedAt: [...path, key] };
      kept[key] = child;
      continue;
    }
    const decoded = decode(child, [...path, key]);
    if (decoded.value !== undefined) kept[key] = decoded.value;
    if (decoded.stoppedAt !== undefined) return { value: kept, stoppedAt: decoded.stoppedAt };
  }
  return { value: kept };
}

/** The pod template as Argo's controller reads it (see above); the template itself when every quantity parses. */
export function tolerantPodTemplate(template: unknown): TolerantTemplate {
  const decoded = decode(template, []);
  if (decoded.stoppedAt === undefined) return { template };
  return { template: decoded.value, stoppedAt: decoded.stoppedAt.join('.').replace(/\.\[\]/gu, '[]') };
}

/**
 * Whether Argo's strict conversion (unstructuredutil.ObjectToRollout, runtime.DefaultUnstructuredConverter) fails on
 * this Rollout for a quantity in its template: Argo then records no RolloutAddedToInformer Event for it (its
 * informer's AddFunc records the Event only for a Rollout that converts).
 */
export function hasMalformedQuantity(rollout: unknown): boolean {
  const spec: unknown = isRecord(rollout) ? rollout['spec'] : undefined;
  const template: unknown = isRecord(spec) ? spec['template'] : undefined;
  return tolerantPodTemplate(template).stoppedAt !== undefined;
}
