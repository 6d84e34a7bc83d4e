import type { IntOrPercent } from './types.js';

/** Argo's default for both `maxSurge` and `maxUnavailable` when the Rollout leaves them out. */
export const DEFAULT_MAX_SURGE: IntOrPercent = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = '25%';

const INT_OR_PERCENT = /^([+-]?\d+)(%?)$/;

/**
 * Resolves an int-or-percent against `total` replicas: a number is taken as is, a percentage
 * is scaled and rounded up (`roundUp`, used for surge) or down (used for unavailability).
 *
 * Argo resolves these with intstr's deprecated `GetValueFromIntOrPercent`, which reads *any*
 * numeric string as a percentage — its own built-in default is the bare string "25" — whereas
 * `GetScaledValueFromIntOrPercent` would reject a string without '%'. We accept both spellings
 * so a manifest Argo accepts resolves to the same number here.
 *
 * Malformed values are a programmer error at this layer (the Rollout schema rejects them
 * before the engine sees them), hence a plain RangeError.
 */
export function scaledValueFromIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`int-or-percent must be an integer, got ${value}`);
    }
    return value;
  }
  const match = INT_OR_PERCENT.exec(value);
  if (match?.[1] === undefined) {
    throw new RangeError(`int-or-percent must be an integer or a percentage such as "25%", got ${JSON.stringify(value)}`);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** Resolved `maxSurge` and `maxUnavailable`, in pods. */
export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

/**
 * Resolves both fenceposts together, as a rolling update must: when both round to zero
 * (e.g. 10%/10% of 3 replicas) nothing could ever move, so unavailability becomes 1 — the
 * Deployment controller's choice, kept by Argo, on the theory that a surge might be refused
 * by quota while taking one pod away always works.
 */
export function resolveFenceposts(maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, replicas: number): Fenceposts {
  const surge = scaledValueFromIntOrPercent(maxSurge, replicas, true);
  const unavailable = scaledValueFromIntOrPercent(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) {
    return { maxSurge: 0, maxUnavailable: 1 };
  }
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/**
 * The canary strategy's fenceposts as Argo's `MaxSurge`/`MaxUnavailable` compute them:
 * unavailability is capped at the replica count (you cannot lose more pods than you have) and
 * is zero for a Rollout scaled to zero.
 */
export function canaryFenceposts(
  replicas: number,
  maxSurge: IntOrPercent = DEFAULT_MAX_SURGE,
  maxUnavailable: IntOrPercent = DEFAULT_MAX_UNAVAILABLE,
): Fenceposts {
  const resolved = resolveFenceposts(maxSurge, maxUnavailable, replicas);
  const cappedUnavailable = replicas === 0 ? 0 : Math.min(resolved.maxUnavailable, replicas);
  return { maxSurge: resolved.maxSurge, maxUnavailable: cappedUnavailable };
}

/**
 * Blue-green never surges (the preview is an extra stack by design) and Argo does not apply
 * the both-zero rule there: `maxUnavailable` is rounded down and capped at the replica count.
 */
export function blueGreenMaxUnavailable(replicas: number, maxUnavailable: IntOrPercent = DEFAULT_MAX_UNAVAILABLE): number {
  if (replicas === 0) {
    return 0;
  }
  return Math.min(scaledValueFromIntOrPercent(maxUnavailable, replicas, false), replicas);
}
