import { readRouteWeights, type JsonObject, type RouteWeights } from '../traffic/index.js';
import { isPodReady } from './pod-color.js';
import type { DemoPod, DemoService } from './schema.js';
import type { Backend, ResolvedDestination, RouteObjectRef, RouteTable } from './types.js';

export interface RouteTableInput {
  ref: RouteObjectRef;
  namespace: string;
  /** The traffic object as the watch last delivered it; undefined while it does not exist. */
  routeObject: JsonObject | undefined;
  services: readonly DemoService[];
  pods: readonly DemoPod[];
  observedAt: number;
}

/** The route named `routeName` (by the `(name)` the reader appends), else the first one. */
export function selectRoute(routes: readonly RouteWeights[], routeName: string | undefined): RouteWeights | undefined {
  if (routeName === undefined) return routes[0];
  return routes.find((route) => route.source.endsWith(`(${routeName})`));
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  // A Service without a selector has manually managed endpoints: none here.
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The Ready pods a Service's selector matches, as its EndpointSlices would list them. */
export function podsBehindService(service: DemoService | undefined, pods: readonly DemoPod[]): string[] {
  if (service === undefined) return [];
  return pods
    .filter((pod) => isPodReady(pod) && selects(service.spec?.selector, pod.metadata.labels))
    .map((pod) => pod.metadata.name)
    .sort();
}

/**
 * The gateway's routing decision as data: the route's weights (read by the
 * traffic area's reader, the one Gradual's routers are tested with), each
 * destination's Service resolved to its Ready pods. Pure; rebuilt on every
 * watch event of the route, the Services or the pods.
 */
export function resolveRouteTable(input: RouteTableInput): RouteTable {
  const { ref, namespace, routeObject, observedAt } = input;
  const place = `${ref.kind} ${namespace}/${ref.name}`;
  if (routeObject === undefined) return { source: '', destinations: [], problem: `${place} does not exist`, observedAt };
  const read = readRouteWeights(routeObject);
  if (!read.ok) return { source: place, destinations: [], problem: `${place}: ${read.problem.message}`, observedAt };
  const route = selectRoute(read.value, ref.routeName);
  if (route === undefined) {
    const wanted = ref.routeName === undefined ? 'no route' : `no route named "${ref.routeName}"`;
    return { source: place, destinations: [], problem: `${place} has ${wanted}`, observedAt };
  }
  const subset = route.destinations.find((destination) => destination.subset !== undefined);
  if (subset !== undefined) {
    // Subsets need the DestinationRule's labels; the demo routes host-level splits only.
    return {
      source: route.source,
      destinations: [],
      problem: `${route.source}: subset "${subset.subset ?? ''}" — the demo gateway routes host-level splits only`,
      observedAt,
    };
  }
  const destinations: ResolvedDestination[] = route.destinations.map((destination) => {
    const service = input.services.find((candidate) => candidate.metadata.name === destination.service);
    return { service: destination.service, namespace, weight: destination.weight, pods: podsBehindService(service, input.pods) };
  });
  return { source: route.source, destinations, observedAt };
}

/** The backends of a destination's pods that are listening now (a pod just Ready may not have one yet). */
export function backendsOf(
  destination: ResolvedDestination,
  backendFor: (namespace: string, podName: string) => Backend | undefined,
): Backend[] {
  return destination.pods.flatMap((pod) => {
    const backend = backendFor(destination.namespace, pod);
    return backend === undefined ? [] : [backend];
  });
}
