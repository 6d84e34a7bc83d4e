import type { ObjectRef, RouterEvent, RouterPlan, RouterProblem, RouterProblemCode, RouterWrite } from './types.js';

/** A plan that writes `writes` and records `events`. */
export function planned(writes: RouterWrite[], events: RouterEvent[] = []): RouterPlan {
  return { ok: true, writes, events };
}

/** A plan that writes nothing: the objects are already as desired. */
export const unchanged: RouterPlan = { ok: true, writes: [], events: [] };

/** A problem at `field` of the object `ref` names. */
export function problemAt(
  code: RouterProblemCode,
  ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>,
  field: string,
  message: string,
): { ok: false; problem: RouterProblem } {
  return { ok: false, problem: { code, kind: ref.kind, namespace: ref.namespace, name: ref.name, field, message } };
}

/** Joins plans made for several objects into one; the first problem wins. */
export function joinPlans(plans: readonly RouterPlan[]): RouterPlan {
  const writes: RouterWrite[] = [];
  const events: RouterEvent[] = [];
  for (const plan of plans) {
    if (!plan.ok) return plan;
    writes.push(...plan.writes);
    events.push(...plan.events);
  }
  return { ok: true, writes, events };
}
