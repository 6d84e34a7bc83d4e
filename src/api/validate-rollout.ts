import { findNotYetSupported } from './not-yet-supported.js';
import { rolloutSchema } from './rollout.js';
import { parseRolloutStatus } from './rollout-status.js';
import { checkRolloutSpec } from './spec-checks.js';
import type { ValidateRolloutResult } from './types.js';
import { fromZodIssues } from './zod-issues.js';

/**
 * The one check of a Rollout, shared by lint (manifests in git) and the
 * engine (objects in the cluster, at every reconcile), so both refuse the
 * same things with the same words: the schema (types, unknown fields), the
 * fields Gradual does not support yet, and Argo's InvalidSpec rules.
 *
 * The status is not judged: it is read leniently (parseRolloutStatus), a
 * field of the wrong type dropped, because it records what some controller
 * did and a bad one must not stop this one from repairing it.
 */
export function validateRollout(object: unknown): ValidateRolloutResult {
  const record = typeof object === 'object' && object !== null && !Array.isArray(object) ? (object as Record<string, unknown>) : undefined;
  const { status, ...rest } = record ?? {};
  const notYetSupported = findNotYetSupported(rest);
  const parsed = rolloutSchema.safeParse(record === undefined ? object : rest, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: [...fromZodIssues(parsed.error.issues, rolloutSchema), ...notYetSupported] };
  const leniently = parseRolloutStatus(status).status;
  const rollout = leniently === undefined ? parsed.data : { ...parsed.data, status: leniently };
  const issues = [...notYetSupported, ...checkRolloutSpec(rollout)];
  return issues.length === 0 ? { ok: true, rollout } : { ok: false, issues };
}
