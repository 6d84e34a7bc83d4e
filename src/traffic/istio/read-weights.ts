import type { RouteWeights } from '../types.js';
import { shortHost } from './route-selection.js';
import type { VirtualService } from './schema.js';

/** Every http, tls and tcp route of a VirtualService with its destinations' weights (a missing weight is 0, as Istio reads it). */
export function virtualServiceWeights(virtualService: VirtualService): RouteWeights[] {
  const source = `VirtualService ${virtualService.metadata.namespace ?? ''}/${virtualService.metadata.name}`;
  return (['http', 'tls', 'tcp'] as const).flatMap((kind) =>
    (virtualService.spec[kind] ?? []).map((route, index) => ({
      source: `${source} ${kind}[${index}]${'name' in route && typeof route.name === 'string' ? ` (${route.name})` : ''}`,
      destinations: (route.route ?? []).map((destination) => ({
        service: shortHost(destination),
        ...(destination.destination.subset === undefined ? {} : { subset: destination.destination.subset }),
        ...(destination.destination.port?.number === undefined ? {} : { port: destination.destination.port.number }),
        weight: destination.weight ?? 0,
      })),
    })),
  );
}
