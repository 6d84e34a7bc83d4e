import type { RouteWeights } from '../types.js';
import type { TrafficSplit } from './schema.js';

/** A TrafficSplit's backends and weights (v1alpha1 quantities read as numbers). */
export function trafficSplitWeights(split: TrafficSplit): RouteWeights[] {
  return [
    {
      source: `TrafficSplit ${split.metadata.namespace ?? ''}/${split.metadata.name} (${split.spec?.service ?? ''})`,
      destinations: (split.spec?.backends ?? []).map((backend) => ({ service: backend.service, weight: Number(backend.weight ?? 0) })),
    },
  ];
}
