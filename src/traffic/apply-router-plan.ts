import { isConflict } from '../kube/index.js';
import { TrafficRoutingError } from './errors.js';
import type { JsonObject, ObjectRef, RouterCall, RouterDecisions, RouterOutcome, RouterPlan, TrafficKube, TrafficRouter } from './types.js';

/** Attempts of read → decide → write before a 409 is handed to the engine (client-go's retry.DefaultRetry: 5). */
export const conflictAttempts = 5;

/**
 * The routers' imperative shell: reads the objects, asks the pure `decide`
 * what to write, writes it. A 409 (someone wrote in between, or created the
 * object we meant to create) starts over from a fresh read, as Argo's
 * Gateway API plugin does with RetryOnConflict; decisions never reuse a
 * stale object. A problem rejects with TrafficRoutingError before any write.
 */
export async function applyRouterPlan(
  kube: TrafficKube,
  refs: readonly ObjectRef[],
  decide: (current: readonly (JsonObject | undefined)[]) => RouterPlan,
  follow?: RouterCall['follow'],
): Promise<RouterOutcome> {
  let sent = 0;
  for (let attempt = 1; ; attempt++) {
    const first = await Promise.all(refs.map((ref) => kube.read(ref)));
    const followed = follow === undefined ? [] : await Promise.all(follow(first).map((ref) => kube.read(ref)));
    const current = [...first, ...followed];
    const plan = decide(current);
    if (!plan.ok) throw new TrafficRoutingError(plan.problem);
    try {
      for (const write of plan.writes) {
        await kube.write(write);
        sent += 1;
      }
      return { writes: sent, events: plan.events };
    } catch (error) {
      if (!isConflict(error) || attempt >= conflictAttempts) throw error;
    }
  }
}

/** Adds up the outcomes of several calls (one per VirtualService, Ingress, HTTPRoute). */
export function sumOutcomes(outcomes: readonly RouterOutcome[]): RouterOutcome {
  return { writes: outcomes.reduce((sum, outcome) => sum + outcome.writes, 0), events: outcomes.flatMap((outcome) => outcome.events) };
}

/** Runs calls one after the other (one per VirtualService, Ingress, HTTPRoute), each reading what the previous wrote. */
export async function applyRouterCalls(kube: TrafficKube, calls: readonly RouterCall[]): Promise<RouterOutcome> {
  const outcomes: RouterOutcome[] = [];
  for (const call of calls) outcomes.push(await applyRouterPlan(kube, call.refs, (current) => call.decide(current), call.follow));
  return sumOutcomes(outcomes);
}

/** A router's decisions bound to a Kubernetes port: Argo's TrafficRoutingReconciler over read → decide → write. */
export function bindRouter(decisions: RouterDecisions, kube: TrafficKube): TrafficRouter {
  return {
    type: decisions.type,
    updateHash: (canaryHash, stableHash, additional) => applyRouterCalls(kube, decisions.updateHash(canaryHash, stableHash, additional)),
    setWeight: (desiredWeight, additional) => applyRouterCalls(kube, decisions.setWeight(desiredWeight, additional)),
    setHeaderRoute: (route) => applyRouterCalls(kube, decisions.setHeaderRoute(route)),
    setMirrorRoute: (route) => applyRouterCalls(kube, decisions.setMirrorRoute(route)),
    verifyWeight: (desiredWeight, additional) => Promise.resolve(decisions.verifyWeight(desiredWeight, additional)),
    removeManagedRoutes: () => applyRouterCalls(kube, decisions.removeManagedRoutes()),
  };
}
