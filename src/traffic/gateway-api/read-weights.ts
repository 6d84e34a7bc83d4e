import type { RouteWeights } from '../types.js';
import type { HttpRoute } from './schema.js';

/** Each HTTPRoute rule's backendRefs and weights (Gateway API's default weight is 1). */
export function httpRouteWeights(route: HttpRoute): RouteWeights[] {
  return (route.spec.rules ?? []).map((rule, index) => ({
    source: `HTTPRoute ${route.metadata.namespace ?? ''}/${route.metadata.name} rules[${index}]${rule.name === undefined ? '' : ` (${rule.name})`}`,
    destinations: (rule.backendRefs ?? []).map((backendRef) => ({
      service: backendRef.name,
      ...(backendRef.port === undefined ? {} : { port: backendRef.port }),
      weight: backendRef.weight ?? 1,
    })),
  }));
}
