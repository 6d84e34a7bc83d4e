import { isDeepStrictEqual } from 'node:util';
import type { IstioVirtualServiceRef, SetHeaderRoute, SetMirrorRoute } from '../../api/traffic-routing.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import { headerRoute, mirrorRoute, orderManagedRoutes, withoutRoute } from './managed-routes.js';
import { canaryHost, readVirtualService } from './refs.js';
import { httpRouteIndexes, isRouteError } from './route-selection.js';
import type { HttpRoute, VirtualService } from './schema.js';

export interface VirtualServiceRouteInput {
  rollout: RouterRollout;
  reference: IstioVirtualServiceRef;
  ref: ObjectRef;
  object: JsonObject | undefined;
  /** Subset-level splitting: the DestinationRule, whose spec.host header and mirror routes send to. */
  destinationRule?: { ref: ObjectRef; object: JsonObject | undefined };
}

type RouteError = { field: string; message: string };

/**
 * The http routes with the step's route taken out and, when the step has a
 * match, `add` putting its new one in (it gets the set-weight routes'
 * indexes among the others); managed routes first. A replace only when the
 * routes differ (Argo updates even then).
 */
function planStepRoute(
  input: VirtualServiceRouteInput,
  step: { name: string; match?: unknown[] | undefined },
  add: (others: HttpRoute[], host: string, setWeightIndexes: number[] | RouteError) => HttpRoute[] | RouteError,
  event: string,
): RouterPlan {
  const parsed = readVirtualService(input.ref, input.object);
  if (!parsed.ok) return parsed;
  const host = canaryHost(input.rollout, input.destinationRule?.ref, input.destinationRule?.object);
  if (!host.ok) return host;
  const virtualService: VirtualService = parsed.value;
  const routes = virtualService.spec.http;
  if (routes === undefined || routes === null) return problemAt('InvalidSpec', input.ref, 'spec.http', 'spec.http not found');
  const others = withoutRoute(routes, step.name);
  const changed = step.match === undefined ? others : add(others, host.value, httpRouteIndexes(input.reference.routes ?? [], others));
  if (!Array.isArray(changed)) return problemAt('InvalidSpec', input.ref, changed.field, changed.message);
  const ordered = orderManagedRoutes(changed, input.rollout.trafficRouting.managedRoutes);
  if (isDeepStrictEqual(ordered, routes)) return unchanged;
  return planned(
    [{ verb: 'replace', ref: input.ref, object: { ...virtualService, spec: { ...virtualService.spec, http: ordered } } }],
    [{ type: 'Normal', reason: 'Updated VirtualService', message: `VirtualService \`${input.ref.name}\` ${event}` }],
  );
}

function canarySubset(rollout: RouterRollout): string {
  return rollout.trafficRouting.istio?.destinationRule?.canarySubsetName ?? '';
}

/**
 * setHeaderRoute (Argo's reconcileVirtualServiceHeaderRoutes): the route of
 * that name is replaced by one appended after the others, sending requests
 * whose headers match to the canary at the port of the set-weight route;
 * without `match` the route is removed.
 */
export function planVirtualServiceHeaderRoute(input: VirtualServiceRouteInput, step: SetHeaderRoute): RouterPlan {
  return planStepRoute(
    input,
    step,
    (others, host, indexes) => {
      // Argo falls back to no port when the set-weight route cannot be found.
      const first = isRouteError(indexes) ? undefined : indexes[0];
      const port = first === undefined ? 0 : (others[first]?.route?.[0]?.destination.port?.number ?? 0);
      return [...others, headerRoute({ ...step, match: step.match ?? [] }, { host, subset: canarySubset(input.rollout), port })];
    },
    `set headerRoute '${step.name}'`,
  );
}

/**
 * setMirrorRoute (Argo's reconcileVirtualServiceMirrorRoutes): the route of
 * that name is replaced by one put first, which keeps the set-weight
 * route's destinations and mirrors `percentage` of matching requests to
 * the canary; without `match` the route is removed.
 */
export function planVirtualServiceMirrorRoute(input: VirtualServiceRouteInput, step: SetMirrorRoute): RouterPlan {
  return planStepRoute(
    input,
    step,
    (others, host, indexes) => {
      if (isRouteError(indexes)) return indexes;
      const first = indexes[0];
      const destinations = first === undefined ? [] : (others[first]?.route ?? []);
      if (destinations.length === 0) return { field: 'spec.http', message: 'no route to mirror: the set-weight route has no destinations' };
      return [mirrorRoute({ ...step, match: step.match ?? [] }, destinations, { host, subset: canarySubset(input.rollout) }), ...others];
    },
    `set mirrorRoute '${step.name}'`,
  );
}

/**
 * At the end of a rollout and on abort (Argo's RemoveManagedRoutes): the
 * routes of the setHeaderRoute / setMirrorRoute steps and every route in
 * managedRoutes are removed. A missing VirtualService or one without http
 * routes needs nothing.
 */
export function planRemoveManagedRoutes(input: Omit<VirtualServiceRouteInput, 'reference' | 'destinationRule'>): RouterPlan {
  if (input.object === undefined) return unchanged;
  const parsed = readVirtualService(input.ref, input.object);
  if (!parsed.ok) return parsed;
  const routes = parsed.value.spec.http;
  if (routes === undefined || routes === null) return unchanged;
  const managed = new Set([
    ...input.rollout.stepRouteNames,
    ...(input.rollout.trafficRouting.managedRoutes ?? []).map((route) => route.name),
  ]);
  const kept = routes.filter((route) => route.name === undefined || !managed.has(route.name));
  if (kept.length === routes.length) return unchanged;
  return planned(
    [{ verb: 'replace', ref: input.ref, object: { ...parsed.value, spec: { ...parsed.value.spec, http: kept } } }],
    [{ type: 'Normal', reason: 'Updated VirtualService', message: `VirtualService \`${input.ref.name}\` removed all managed routes.` }],
  );
}
