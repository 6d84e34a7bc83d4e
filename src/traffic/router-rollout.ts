import type { Rollout } from '../api/index.js';
import { trafficRoutingSchema } from '../api/traffic-routing.js';
import { parseObject, type Parsed } from './parse-object.js';
import { problemAt } from './plan.js';
import type { RouterRollout } from './types.js';

const canaryPath = 'spec.strategy.canary';
/** Argo's routers that Gradual has no folder for yet (the API keeps them; see not-yet-supported.ts). */
const unsupportedRouters = ['ambassador', 'appMesh'] as const;

/**
 * What the routers need from a Rollout, checked: trafficRouting parsed by
 * its strict schema (a field of a router Gradual lacks is named), and the
 * canary and stable Services set and different (Argo's validation:
 * DuplicatedServicesCanaryMessage). Problems are placed on the Rollout.
 */
export function routerRollout(rollout: Rollout): Parsed<RouterRollout> {
  const place = { kind: 'Rollout', namespace: rollout.metadata?.namespace ?? '', name: rollout.metadata?.name ?? '' };
  const canary = rollout.spec.strategy?.canary;
  if (canary?.trafficRouting === undefined)
    return problemAt('InvalidSpec', place, `${canaryPath}.trafficRouting`, 'no traffic routing configured');
  const parsed = parseObject(trafficRoutingSchema, canary.trafficRouting, place);
  if (!parsed.ok)
    return { ok: false, problem: { ...parsed.problem, field: `${canaryPath}.trafficRouting.${parsed.problem.field}`.replace(/\.$/u, '') } };
  // Argo's other routers are kept by the schema (so the CRD stores them) but have no router here yet.
  const unsupported = unsupportedRouters.find((key) => parsed.value[key] !== undefined);
  if (unsupported !== undefined)
    return problemAt('InvalidSpec', place, `${canaryPath}.trafficRouting`, `not yet supported by Gradual: ${unsupported}`);
  const canaryService = canary.canaryService ?? '';
  const stableService = canary.stableService ?? '';
  if (canaryService !== '' && canaryService === stableService) {
    return problemAt(
      'InvalidSpec',
      place,
      `${canaryPath}.stableService`,
      'This rollout uses the same service for the stable and canary services, but two different services are required.',
    );
  }
  const stepRouteNames = (canary.steps ?? []).flatMap((step) => {
    const names: string[] = [];
    for (const route of [step.setHeaderRoute, step.setMirrorRoute]) if (typeof route?.['name'] === 'string') names.push(route['name']);
    return names;
  });
  return {
    ok: true,
    value: {
      name: place.name,
      namespace: place.namespace,
      uid: rollout.metadata?.uid ?? '',
      canaryService,
      stableService,
      trafficRouting: parsed.value,
      stepRouteNames,
    },
  };
}
