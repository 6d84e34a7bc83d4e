/*
 * JSON merge patches (RFC 7386) between two plain JSON values. The planners describe a change
 * to a nested part of an object (a pod template's affinity) as such a patch, so the applier can
 * send it as it is and a test double can apply it the way the API server does.
 */

import { canonicalJson } from '../api/canonical-json.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The merge patch that turns `from` into `to`: keys only in `from` become null, objects are
 * compared key by key, anything else (arrays included) is replaced whole when it differs.
 * Undefined when nothing differs; null when `to` is undefined (the field goes).
 */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (to === undefined) return from === undefined ? undefined : null;
  if (!isObject(from) || !isObject(to)) return sameJson(from, to) ? undefined : to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (to[key] === undefined && from[key] !== undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const change = mergePatchBetween(from[key], value);
    if (change !== undefined) patch[key] = change;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** RFC 7386's MergePatch(target, patch); undefined stands for an absent (removed) value. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const merged = applyMergePatch(result[key], value);
    if (merged === undefined) Reflect.deleteProperty(result, key);
    else result[key] = merged;
  }
  return result;
}

/** Key order is not a difference: the API server may store an object's keys in another order than we generate them. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
