import { planned, problemAt, unchanged } from '../plan.js';
import { parseObject } from '../parse-object.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import { traefikGroup, traefikServiceSchema, traefikVersion } from './schema.js';

/** The weighted TraefikService the Rollout names (weightedTraefikServiceName), in the Rollout's namespace. */
export function traefikServiceRef(rollout: RouterRollout): ObjectRef {
  return {
    group: traefikGroup,
    version: traefikVersion,
    resource: 'traefikservices',
    kind: 'TraefikService',
    namespace: rollout.namespace,
    name: rollout.trafficRouting.traefik?.weightedTraefikServiceName ?? '',
  };
}

export interface TraefikServiceInput {
  rollout: RouterRollout;
  ref: ObjectRef;
  object: JsonObject | undefined;
  desiredWeight: number;
}

/**
 * setWeight with Traefik (Argo's SetWeight in traefik/traefik.go): in
 * spec.weighted.services, the canary Service gets the desired weight and the
 * stable Service 100 minus it; the other services keep theirs. Argo neither
 * creates the TraefikService nor writes additional destinations; neither does
 * this. Written back (services replaced whole, on the resourceVersion read)
 * only when a weight changes.
 */
export function planTraefikService(input: TraefikServiceInput): RouterPlan {
  const { ref, rollout } = input;
  if (input.object === undefined) return problemAt('NotFound', ref, '', `TraefikService \`${ref.name}\` not found`);
  const parsed = parseObject(traefikServiceSchema, input.object, ref);
  if (!parsed.ok) return parsed;
  const services = parsed.value.spec?.weighted?.services;
  if (services === undefined)
    return problemAt('InvalidSpec', ref, 'spec.weighted.services', 'spec.weighted.services was not found in traefik service manifest');
  const desired: Record<string, number> = {
    [rollout.canaryService]: input.desiredWeight,
    [rollout.stableService]: 100 - input.desiredWeight,
  };
  for (const [role, service] of [
    ['canary', rollout.canaryService],
    ['stable', rollout.stableService],
  ] as const) {
    if (!services.some((entry) => entry.name === service))
      return problemAt('InvalidSpec', ref, 'spec.weighted.services', `traefik ${role} service \`${service}\` was not found`);
  }
  const next = services.map((entry) => {
    const weight = desired[entry.name];
    return weight === undefined ? entry : { ...entry, weight };
  });
  if (next.every((entry, index) => entry.weight === services[index]?.weight)) return unchanged;
  return planned([
    {
      verb: 'patch',
      ref,
      patch: { spec: { weighted: { services: next } } },
      resourceVersion: parsed.value.metadata.resourceVersion ?? '',
    },
  ]);
}
