import type { Rollout } from '../api/index.js';
import { pingPongServices } from '../api/ping-pong.js';
import { trafficRoutingSchema } from '../api/traffic-routing.js';
import { parseObject, type Parsed } from './parse-object.js';
import { problemAt } from './plan.js';
import type { RouterProblem, RouterRollout } from './types.js';
import type { TrafficRouting } from '../api/traffic-routing.js';

const canaryPath = 'spec.strategy.canary';

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
  const pingPongProblem = checkPingPong(canary, parsed.value, place);
  if (pingPongProblem !== undefined) return pingPongProblem;
  const pingPong = pingPongServices(canary, rollout.status);
  // Istio reads ping/pong only when neither canaryService nor stableService is set (Argo's GetStableAndCanaryServices(r, false)).
  const pingPongOnly = pingPong !== undefined && (canary.canaryService ?? '') === '' && (canary.stableService ?? '') === '';
  const canaryService = pingPongOnly ? pingPong.canary : (canary.canaryService ?? '');
  const stableService = pingPongOnly ? pingPong.stable : (canary.stableService ?? '');
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
      // ALB always forwards to ping/pong when it is on (GetStableAndCanaryServices(r, true)).
      ...(pingPong === undefined || parsed.value.alb === undefined ? {} : { pingPong }),
      stepRouteNames,
    },
  };
}

/** Argo's ping-pong validation (validation.go: PingPongWithRouterOnlyMessage, InvalidPingPongProvidedMessage, ...), at Argo's fields. */
function checkPingPong(
  canary: NonNullable<NonNullable<Rollout['spec']['strategy']>['canary']>,
  routing: TrafficRouting,
  place: { kind: string; namespace: string; name: string },
): { ok: false; problem: RouterProblem } | undefined {
  const pingPong = canary.pingPong;
  if (pingPong === undefined) return undefined;
  if (routing.alb === undefined && routing.istio === undefined)
    return problemAt(
      'InvalidSpec',
      place,
      `${canaryPath}.trafficRouting.alb`,
      'Ping-pong feature works with the ALB and Istio traffic routers only',
    );
  for (const field of ['pingService', 'pongService'] as const)
    if (pingPong[field] === '')
      return problemAt(
        'InvalidSpec',
        place,
        `${canaryPath}.pingPong.${field}`,
        'Ping service and Pong service must to be set to use Ping-Pong feature',
      );
  if (pingPong.pingService === pingPong.pongService)
    return problemAt(
      'InvalidSpec',
      place,
      `${canaryPath}.pingPong.pingService`,
      'This rollout uses the same service for the ping and pong services, but two different services are required.',
    );
  if (routing.alb !== undefined && (routing.alb.rootService ?? '') === '')
    return problemAt(
      'InvalidSpec',
      place,
      `${canaryPath}.trafficRouting.alb.rootService`,
      'Root service field is required for the configuration with ALB and ping-pong feature enabled',
    );
  return undefined;
}
