import type { IstioVirtualServiceRef } from '../../api/traffic-routing.js';
import type { RouterRollout } from '../types.js';
import type { HttpRoute, L4Route, RouteDestination } from './schema.js';

/** A route problem inside the VirtualService: the field and Argo's message. */
export interface RouteError {
  field: string;
  message: string;
}

/** The Services and DestinationRule subsets the weights go to. */
export interface IstioTargets {
  canaryService: string;
  stableService: string;
  canarySubset: string;
  stableSubset: string;
  additionalSubsetNames: readonly string[];
  /** Subset-level splitting: the subsets must be in the route, not the Services. */
  subsetLevel: boolean;
}

export function istioTargets(rollout: RouterRollout): IstioTargets {
  const rule = rollout.trafficRouting.istio?.destinationRule;
  return {
    canaryService: rollout.canaryService,
    stableService: rollout.stableService,
    canarySubset: rule?.canarySubsetName ?? '',
    stableSubset: rule?.stableSubsetName ?? '',
    additionalSubsetNames: rule?.additionalSubsetNames ?? [],
    subsetLevel: rule !== undefined,
  };
}

/**
 * The destination host as Argo compares it with Service names: up to the
 * first dot (`web-canary.ns.svc.cluster.local` is `web-canary`); a host
 * starting with a dot matches nothing.
 */
export function shortHost(destination: RouteDestination): string {
  const host = destination.destination.host;
  const dot = host.indexOf('.');
  if (dot < 0) return host;
  return dot === 0 ? '' : host.slice(0, dot);
}

/**
 * The http routes whose weights a setWeight changes (Argo's
 * getHttpRouteIndexesToPatch): the named ones, or without names the only
 * route, or else the first unnamed one.
 */
export function httpRouteIndexes(routeNames: readonly string[], routes: readonly HttpRoute[]): number[] | RouteError {
  if (routeNames.length === 0) {
    if (routes.length === 1) return [0];
    const unnamed = routes.findIndex((route) => route.name === undefined || route.name === '');
    return unnamed < 0 ? [] : [unnamed];
  }
  const indexes: number[] = [];
  for (const name of routeNames) {
    const index = routes.findIndex((route) => route.name === name);
    if (index < 0) return { field: 'spec.http', message: `HTTP Route '${name}' is not found in the defined Virtual Service.` };
    indexes.push(index);
  }
  return indexes;
}

/** The single port of a route's matches (0 when none), or undefined when they name several: such a route never matches. */
function singlePort(route: L4Route): number | undefined {
  const ports = new Set((route.match ?? []).map((match) => match.port ?? 0));
  if (ports.size > 1) return undefined;
  return [...ports][0] ?? 0;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = new Set(a);
  return b.every((item) => left.has(item));
}

/** tls routes chosen by port and SNI hosts (Argo's searchTlsRoute); without tlsRoutes in the Rollout, the first. */
export function tlsRouteIndexes(refs: IstioVirtualServiceRef['tlsRoutes'], routes: readonly L4Route[]): number[] | RouteError {
  if (refs === undefined || refs.length === 0) return [0];
  const indexes: number[] = [];
  for (const ref of refs) {
    const found = routes.flatMap((route, index) => {
      const hosts = [...new Set((route.match ?? []).flatMap((match) => match.sniHosts ?? []))];
      return singlePort(route) === (ref.port ?? 0) && sameSet(ref.sniHosts ?? [], hosts) ? [index] : [];
    });
    if (found.length === 0) return { field: 'spec.tls', message: 'No matching TLS routes found in the defined Virtual Service.' };
    indexes.push(...found);
  }
  return indexes;
}

/** tcp routes chosen by port (Argo's searchTcpRoute); without tcpRoutes in the Rollout, the first. */
export function tcpRouteIndexes(refs: IstioVirtualServiceRef['tcpRoutes'], routes: readonly L4Route[]): number[] | RouteError {
  if (refs === undefined || refs.length === 0) return [0];
  const indexes: number[] = [];
  for (const ref of refs) {
    const found = routes.flatMap((route, index) => (singlePort(route) === (ref.port ?? 0) ? [index] : []));
    if (found.length === 0) return { field: 'spec.tcp', message: 'No matching TCP routes found in the defined Virtual Service.' };
    indexes.push(...found);
  }
  return indexes;
}

/** Both the canary and the stable destination must be in a route whose weights are set (Argo's validateVirtualServiceRouteDestinations). */
export function checkRouteDestinations(
  destinations: readonly RouteDestination[],
  targets: IstioTargets,
  field: string,
): RouteError | undefined {
  const hosts = destinations.map(shortHost);
  const subsets = destinations.map((destination) => destination.destination.subset ?? '');
  if (targets.subsetLevel) {
    if (targets.canarySubset === '' || !subsets.includes(targets.canarySubset))
      return { field, message: `Canary DestinationRule subset '${targets.canarySubset}' not found in route` };
    if (targets.stableSubset === '' || !subsets.includes(targets.stableSubset))
      return { field, message: `Stable DestinationRule subset '${targets.stableSubset}' not found in route` };
    return undefined;
  }
  if (targets.canaryService === '' || !hosts.includes(targets.canaryService))
    return { field, message: `Canary Service '${targets.canaryService}' not found in route` };
  if (targets.stableService === '' || !hosts.includes(targets.stableService))
    return { field, message: `Stable Service '${targets.stableService}' not found in route` };
  return undefined;
}

export function isRouteError(value: number[] | RouteError): value is RouteError {
  return !Array.isArray(value);
}
