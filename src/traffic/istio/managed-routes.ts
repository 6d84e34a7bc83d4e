import type { SetHeaderRoute, SetMirrorRoute, StringMatch } from '../../api/traffic-routing.js';
import type { HttpRoute, RouteDestination } from './schema.js';

/** Where a header or mirror route sends requests: the canary Service (or the DestinationRule host) and subset. */
export interface CanaryDestination {
  host: string;
  subset: string;
  /** The port of the first destination of the set-weight route, as Argo takes it; 0 when none. */
  port: number;
}

/** The routes without the one named `name` (Argo's removeRoute). */
export function withoutRoute(routes: readonly HttpRoute[], name: string): HttpRoute[] {
  return routes.filter((route) => route.name !== name);
}

/**
 * Managed routes first, in the order of trafficRouting.managedRoutes (that
 * order is their precedence), then every other route in its own order
 * (Argo's orderRoutes). Without managedRoutes the order is left alone.
 */
export function orderManagedRoutes(routes: readonly HttpRoute[], managedRoutes: readonly { name: string }[] | undefined): HttpRoute[] {
  if (managedRoutes === undefined) return [...routes];
  const managedNames = new Set(managedRoutes.map((route) => route.name));
  const managed = managedRoutes.flatMap((managedRoute) => routes.filter((route) => route.name === managedRoute.name));
  const others = routes.filter((route) => route.name === undefined || !managedNames.has(route.name));
  return [...managed, ...others];
}

/** Argo writes only the non-empty kinds of a StringMatch (Go's omitempty). */
function stringMatchJson(match: StringMatch): Record<string, string> {
  const result: Record<string, string> = {};
  if (match.exact !== undefined && match.exact !== '') result['exact'] = match.exact;
  if (match.regex !== undefined && match.regex !== '') result['regex'] = match.regex;
  if (match.prefix !== undefined && match.prefix !== '') result['prefix'] = match.prefix;
  return result;
}

function destinationJson(canary: CanaryDestination): RouteDestination['destination'] {
  return {
    host: canary.host,
    ...(canary.port > 0 ? { port: { number: canary.port } } : {}),
    ...(canary.subset === '' ? {} : { subset: canary.subset }),
  };
}

/** The route a setHeaderRoute step adds: requests matching the headers go 100 % to the canary (Argo's createHeaderRoute). */
export function headerRoute(step: SetHeaderRoute & { match: NonNullable<SetHeaderRoute['match']> }, canary: CanaryDestination): HttpRoute {
  return {
    name: step.name,
    match: step.match.map((match) => ({ headers: { [match.headerName]: stringMatchJson(match.headerValue) } })),
    route: [{ destination: destinationJson(canary), weight: 100 }],
  };
}

/** A destination as Argo's typed copy of it reads: host, subset, port number and a non-zero weight, nothing else. */
function typedDestination(destination: RouteDestination): RouteDestination {
  const { host, subset, port } = destination.destination;
  return {
    destination: {
      host,
      ...(subset === undefined || subset === '' ? {} : { subset }),
      ...(port === undefined ? {} : { port: port.number === undefined || port.number === 0 ? {} : { number: port.number } }),
    },
    ...(destination.weight === undefined || destination.weight === 0 ? {} : { weight: destination.weight }),
  };
}

/**
 * The route a setMirrorRoute step adds (Argo's createMirrorRoute): matching
 * requests keep going where the set-weight route sends them (its current
 * destinations and weights), and `percentage` of them (default 100) are
 * copied to the canary.
 */
export function mirrorRoute(
  step: SetMirrorRoute & { match: NonNullable<SetMirrorRoute['match']> },
  setWeightDestinations: readonly RouteDestination[],
  canary: Omit<CanaryDestination, 'port'>,
): HttpRoute {
  const port = setWeightDestinations[0]?.destination.port?.number;
  const match = step.match.map((routeMatch) => ({
    ...(routeMatch.method === undefined ? {} : { method: stringMatchJson(routeMatch.method) }),
    ...(routeMatch.path === undefined ? {} : { uri: stringMatchJson(routeMatch.path) }),
    ...(routeMatch.headers === undefined || Object.keys(routeMatch.headers).length === 0
      ? {}
      : { headers: Object.fromEntries(Object.entries(routeMatch.headers).map(([name, value]) => [name, stringMatchJson(value)])) }),
  }));
  return {
    name: step.name,
    // Go marshals an empty match list as null.
    match: match.length === 0 ? null : match,
    route: setWeightDestinations.map(typedDestination),
    mirror: {
      host: canary.host,
      ...(canary.subset === '' ? {} : { subset: canary.subset }),
      ...(port === undefined ? {} : { port: { number: port } }),
    },
    mirrorPercentage: { value: step.percentage ?? 100 },
  };
}
