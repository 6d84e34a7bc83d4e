import type { CanaryStrategy, PathSegment } from './types.js';

/** Argo's messages (pkg/apis/rollouts/validation/validation.go, v1.9.1). */
export const experimentWeightWithoutTrafficRouting = 'Experiment template weight cannot be set unless TrafficRouting is enabled';
export const experimentWeightRouterUnsupported =
  'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time';

/** The routers whose objects take the experiment's additional destinations (Argo's SMI, ALB and Istio reconcilers). */
const weightedRouters = ['alb', 'smi', 'istio'] as const;
/** The routers that would drop them (Argo's NGINX, Traefik, Apisix, Ambassador, App Mesh and Gradual's Gateway API). */
const ignoringRouters = ['nginx', 'gatewayAPI', 'plugins', 'ambassador', 'apisix', 'appMesh', 'traefik'] as const;

type Report = (path: PathSegment[], message: string) => void;

/**
 * Experiment template weights (a canary `experiment` step's templates[*].weight), as Argo's
 * validation refuses them — without trafficRouting, or with none of SMI, ALB and Istio — and
 * where Gradual refuses more than Argo, because the weight would be silently dropped or written
 * wrong: Argo accepts any plugin, but Gradual's one plugin (the Gateway API) takes no
 * additional destinations; a router beside SMI/ALB/Istio (NGINX with SMI, say) would ignore
 * them; and a weight below 0, or weights that with the setWeight in force exceed
 * maxTrafficWeight, would give the stable Service a negative weight (Argo writes it as it is to
 * SMI and ALB, and clamps it to 0 for Istio).
 */
export function checkExperimentWeights(canary: CanaryStrategy, report: Report): void {
  const routing = canary.trafficRouting;
  const configuredMax = routing?.maxTrafficWeight;
  const maxWeight = typeof configuredMax === 'number' ? configuredMax : 100;
  let setWeight = 0;
  (canary.steps ?? []).forEach((step, stepIndex) => {
    if (step.setWeight !== undefined) setWeight = step.setWeight;
    let total = setWeight;
    (step.experiment?.templates ?? []).forEach((template, templateIndex) => {
      const weight = template.weight;
      if (weight === undefined) return;
      const message =
        routerProblem(routing) ?? (weight < 0 ? `must be between 0 and ${String(maxWeight)} (got ${String(weight)})` : undefined);
      total += Math.max(weight, 0);
      const over =
        total > maxWeight
          ? `the experiment's template weights and setWeight ${String(setWeight)} sum to ${String(total)}, over ${String(maxWeight)}: the stable Service would get a negative weight`
          : undefined;
      const problem = message ?? over;
      if (problem !== undefined)
        report(['spec', 'strategy', 'canary', 'steps', stepIndex, 'experiment', 'templates', templateIndex, 'weight'], problem);
    });
  });
}

/** Why the Rollout's routers cannot give an experiment template its weight; undefined when they can. */
function routerProblem(routing: CanaryStrategy['trafficRouting']): string | undefined {
  if (routing === undefined) return experimentWeightWithoutTrafficRouting;
  if (!weightedRouters.some((router) => routing[router] !== undefined)) {
    const plugin = routing.gatewayAPI !== undefined || routing.plugins !== undefined;
    return plugin
      ? 'not yet supported by Gradual: weight with the Gateway API plugin (its HTTPRoutes take no additional destinations)'
      : experimentWeightRouterUnsupported;
  }
  const ignoring = ignoringRouters.filter((router) => routing[router] !== undefined);
  if (ignoring.length === 0) return undefined;
  const names = ignoring.join(', ');
  return `not yet supported by Gradual: weight with ${names} beside SMI, ALB or Istio (${names} would not send the experiment its share)`;
}
