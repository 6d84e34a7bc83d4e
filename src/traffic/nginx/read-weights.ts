import type { RouteWeights } from '../types.js';
import { defaultAnnotationPrefix } from './canary-ingress.js';
import type { Ingress } from './schema.js';

function backendServices(ingress: Ingress): string[] {
  return [
    ...new Set(
      (ingress.spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).flatMap((path) => (path.backend.service === undefined ? [] : [path.backend.service.name])),
      ),
    ),
  ];
}

/**
 * A canary Ingress's split as ingress-nginx applies it: `canary-weight` of
 * `canary-weight-total` (default 100) to its backends, the rest to the
 * stable Ingress's backends. Nothing for an Ingress without the canary annotation.
 */
export function canaryIngressWeights(
  canary: Ingress,
  stable: Ingress | undefined,
  annotationPrefix = defaultAnnotationPrefix,
): RouteWeights[] {
  const annotations = canary.metadata.annotations ?? {};
  if (annotations[`${annotationPrefix}/canary`] !== 'true') return [];
  const weight = Number(annotations[`${annotationPrefix}/canary-weight`] ?? '0');
  const total = Number(annotations[`${annotationPrefix}/canary-weight-total`] ?? '100');
  const stableServices = stable === undefined ? [] : backendServices(stable);
  return [
    {
      source: `Ingress ${canary.metadata.namespace ?? ''}/${canary.metadata.name}`,
      destinations: [
        ...backendServices(canary).map((service) => ({ service, weight })),
        ...stableServices.map((service) => ({ service, weight: total - weight })),
      ],
    },
  ];
}
