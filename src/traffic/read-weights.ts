import { httpRouteSchema } from './gateway-api/schema.js';
import { httpRouteWeights } from './gateway-api/read-weights.js';
import { virtualServiceWeights } from './istio/read-weights.js';
import { virtualServiceSchema } from './istio/schema.js';
import { canaryIngressWeights } from './nginx/read-weights.js';
import { ingressSchema } from './nginx/schema.js';
import { parseObject, type Parsed } from './parse-object.js';
import { trafficSplitWeights } from './smi/read-weights.js';
import { trafficSplitSchema } from './smi/schema.js';
import type { JsonObject, RouteWeights } from './types.js';

/**
 * The weights a router object holds now, per route and destination — what
 * a gateway honouring the object would do. Pure, for the demo gateway and
 * for tests: VirtualService, TrafficSplit, HTTPRoute, and a canary Ingress
 * (with its stable Ingress for the rest of the traffic).
 */
export function readRouteWeights(
  object: JsonObject,
  options: { stableIngress?: JsonObject; annotationPrefix?: string } = {},
): Parsed<RouteWeights[]> {
  const metadata = typeof object['metadata'] === 'object' && object['metadata'] !== null ? (object['metadata'] as JsonObject) : {};
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const place = {
    kind,
    namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '',
    name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
  };
  switch (kind) {
    case 'VirtualService': {
      const parsed = parseObject(virtualServiceSchema, object, place);
      return parsed.ok ? { ok: true, value: virtualServiceWeights(parsed.value) } : parsed;
    }
    case 'TrafficSplit': {
      const parsed = parseObject(trafficSplitSchema, object, place);
      return parsed.ok ? { ok: true, value: trafficSplitWeights(parsed.value) } : parsed;
    }
    case 'HTTPRoute': {
      const parsed = parseObject(httpRouteSchema, object, place);
      return parsed.ok ? { ok: true, value: httpRouteWeights(parsed.value) } : parsed;
    }
    case 'Ingress': {
      const canary = parseObject(ingressSchema, object, place);
      if (!canary.ok) return canary;
      const stable =
        options.stableIngress === undefined
          ? undefined
          : parseObject(ingressSchema, options.stableIngress, { ...place, name: 'stable Ingress' });
      if (stable !== undefined && !stable.ok) return stable;
      return { ok: true, value: canaryIngressWeights(canary.value, stable?.value, options.annotationPrefix) };
    }
    default:
      return {
        ok: false,
        problem: {
          code: 'InvalidSpec',
          ...place,
          field: 'kind',
          message: `no traffic router reads ${kind === '' ? 'an object without kind' : kind}`,
        },
      };
  }
}
