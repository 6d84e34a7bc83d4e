import type { IstioVirtualServiceRef } from '../../api/traffic-routing.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout, WeightDestination } from '../types.js';
import { orderManagedRoutes } from './managed-routes.js';
import { readVirtualService } from './refs.js';
import {
  checkRouteDestinations,
  httpRouteIndexes,
  isRouteError,
  istioTargets,
  tcpRouteIndexes,
  tlsRouteIndexes,
  type IstioTargets,
  type RouteError,
} from './route-selection.js';
import type { HttpRoute, L4Route, RouteDestination, RouteKind, VirtualService } from './schema.js';
import { splitRoute } from './split-route.js';

export interface VirtualServiceWeightInput {
  rollout: RouterRollout;
  reference: IstioVirtualServiceRef;
  ref: ObjectRef;
  object: JsonObject | undefined;
  desiredWeight: number;
  additional: readonly WeightDestination[];
}

interface Routed {
  route?: RouteDestination[] | undefined;
}

/** The chosen routes must each hold the canary and the stable destination. */
function checkChosen(kind: RouteKind, routes: readonly Routed[], indexes: number[], targets: IstioTargets): number[] | RouteError {
  const inRange = indexes.filter((index) => index < routes.length);
  for (const index of inRange) {
    const problem = checkRouteDestinations(routes[index]?.route ?? [], targets, `spec.${kind}[${index}].route`);
    if (problem !== undefined) return problem;
  }
  return inRange;
}

/** Without route names in the Rollout, the VirtualService must have one route of the kind (managed http routes aside). */
function onlyRouteError(kind: RouteKind, field: string): RouteError {
  return {
    field: `spec.${kind}`,
    message: `spec.${kind}[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.${field}`,
  };
}

/** The http routes to split, checked as Argo's ValidateHTTPRoutes checks them, plus the managed mirror routes. */
function selectHttpRoutes(input: VirtualServiceWeightInput, routes: readonly HttpRoute[], targets: IstioTargets): number[] | RouteError {
  const names = input.reference.routes ?? [];
  const found = httpRouteIndexes(names, routes);
  if (isRouteError(found)) return found;
  const chosen = checkChosen('http', routes, found, targets);
  if (isRouteError(chosen)) return chosen;
  const managedNames = new Set((input.rollout.trafficRouting.managedRoutes ?? []).map((route) => route.name));
  const isManaged = (route: HttpRoute): boolean => route.name !== undefined && managedNames.has(route.name);
  // Header and mirror routes the Rollout manages do not count: they are its own additions.
  if (names.length === 0 && routes.filter((route) => !isManaged(route)).length > 1) return onlyRouteError('http', 'routes');
  // Mirror routes in managedRoutes follow the weights too: they copy the split of the set-weight route.
  const mirrors = routes.flatMap((route, index) => (route.mirror !== undefined && isManaged(route) ? [index] : []));
  return [...new Set([...chosen, ...mirrors])];
}

/** The tls or tcp routes to split, checked as Argo's ValidateTlsRoutes / ValidateTcpRoutes check them. */
function selectL4Routes(
  kind: 'tls' | 'tcp',
  input: VirtualServiceWeightInput,
  routes: readonly L4Route[],
  targets: IstioTargets,
): number[] | RouteError {
  const refs = kind === 'tls' ? input.reference.tlsRoutes : input.reference.tcpRoutes;
  const found = kind === 'tls' ? tlsRouteIndexes(input.reference.tlsRoutes, routes) : tcpRouteIndexes(input.reference.tcpRoutes, routes);
  if (isRouteError(found)) return found;
  const chosen = checkChosen(kind, routes, found, targets);
  if (isRouteError(chosen)) return chosen;
  if ((refs ?? []).length === 0 && routes.length > 1) return onlyRouteError(kind, kind === 'tls' ? 'tlsRoutes' : 'tcpRoutes');
  return chosen;
}

/** The routes with the chosen ones split; undefined when no weight changes. */
function splitChosen<R extends Routed>(
  routes: readonly R[],
  indexes: readonly number[],
  input: VirtualServiceWeightInput,
  targets: IstioTargets,
): R[] | undefined {
  const splits = routes.map((route, index) =>
    indexes.includes(index) ? splitRoute(route.route ?? [], targets, input.desiredWeight, input.additional) : undefined,
  );
  if (!splits.some((split) => split?.changed === true)) return undefined;
  return routes.map((route, index) => {
    const split = splits[index];
    return split?.changed === true ? { ...route, route: split.destinations } : route;
  });
}

/**
 * The VirtualService after a setWeight (Argo's reconcileVirtualService):
 * the http, tls and tcp routes chosen by the Rollout get the canary,
 * stable and additional weights; managed routes are put first; unchanged
 * when every weight is already right. One replace of the whole object, as
 * Argo's Update, conditional on the resourceVersion read.
 */
export function planVirtualServiceWeight(input: VirtualServiceWeightInput): RouterPlan {
  const parsed = readVirtualService(input.ref, input.object);
  if (!parsed.ok) return parsed;
  const virtualService = parsed.value;
  const targets = istioTargets(input.rollout);
  const spec: VirtualService['spec'] = { ...virtualService.spec };
  const { http, tls, tcp } = virtualService.spec;
  let changed = false;
  if (http !== undefined && http !== null) {
    const indexes = selectHttpRoutes(input, http, targets);
    if (isRouteError(indexes)) return problemAt('InvalidSpec', input.ref, indexes.field, indexes.message);
    const next = splitChosen(http, indexes, input, targets);
    if (next !== undefined) [spec.http, changed] = [next, true];
  }
  for (const [kind, routes] of [
    ['tls', tls],
    ['tcp', tcp],
  ] as const) {
    if (routes === undefined || routes === null) continue;
    const indexes = selectL4Routes(kind, input, routes, targets);
    if (isRouteError(indexes)) return problemAt('InvalidSpec', input.ref, indexes.field, indexes.message);
    const next = splitChosen(routes, indexes, input, targets);
    if (next !== undefined) [spec[kind], changed] = [next, true];
  }
  if (!changed) return unchanged;
  if (spec.http !== undefined && spec.http !== null) spec.http = orderManagedRoutes(spec.http, input.rollout.trafficRouting.managedRoutes);
  return planned(
    [{ verb: 'replace', ref: input.ref, object: { ...virtualService, spec } }],
    [
      {
        type: 'Normal',
        reason: 'Updated VirtualService',
        message: `VirtualService \`${input.ref.name}\` set to desiredWeight '${input.desiredWeight}'`,
      },
    ],
  );
}
