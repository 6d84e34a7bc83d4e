import { formatPath, type Rollout, type RolloutIssue, type RolloutStatus } from '../api/index.js';
import {
  checkRouteSteps,
  describeProblem,
  planRouterOperations,
  routerRollout,
  type RouteStep,
  type RouterProblem,
} from '../traffic/index.js';
import { flattenRolloutAnalysis, rolloutAnalyses } from './analysis-templates.js';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import { planBlueGreen } from './blue-green-planner.js';
import { planCanary } from './canary-planner.js';
import { CONDITION_TYPES, MESSAGES, REASONS, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import type { ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import { releaseServices } from './service-references.js';
import { releaseDestinationRules } from './destination-rule-references.js';
import { calculateRolloutPhase } from './rollout-phase.js';
import { newReconcileContext, type ReconcileContext } from './reconcile-context.js';
import { withWorkload } from './workload-ref.js';

/** Argo requeues an invalid Rollout every 20 s: the cause may be timing (a Service applied after the Rollout). */
const INVALID_SPEC_REQUEUE_MS = 20_000;

/**
 * One reconcile of one Rollout: refuse an invalid spec (only the InvalidSpec condition, as
 * Argo's createInvalidRolloutCondition), else resolve its workloadRef (the referenced
 * Deployment's template stands in for its own) and run its strategy's planner on the result.
 */
export function planRollout(observation: RolloutObservation): ReconcilePlan {
  const plan = planRolloutSpec(observation);
  const problem = routerProblem(observation, plan);
  if (problem !== undefined) return planTrafficProblem(observation, problem);
  const releases = [...releaseServices(observation), ...releaseDestinationRules(observation)];
  return releases.length === 0 ? plan : { ...plan, actions: [...releases, ...plan.actions] };
}

function planRolloutSpec(observation: RolloutObservation): ReconcilePlan {
  // Built once: validated (reusing the shell's validation), workloadRef resolved, defaults applied, ReplicaSets classified.
  const built = newReconcileContext(observation, observation.validation);
  if (!built.ok) return planInvalidSpec(observation, built.issues);
  const { context } = built;
  // Spec checks (Argo's validation.go) before the references to other objects.
  const trafficIssues = trafficRoutingIssues(context.rollout);
  if (trafficIssues.length > 0) return planInvalidSpec(observation, trafficIssues);
  const serviceIssues = referencedServiceIssues(context);
  if (serviceIssues.length > 0) return planInvalidSpec(observation, serviceIssues);
  const analysisIssues = referencedAnalysisIssues(context);
  if (analysisIssues.length > 0) return planInvalidSpec(observation, analysisIssues);
  const plan = context.rollout.spec.strategy?.canary !== undefined ? planCanary(context) : planBlueGreen(context);
  return withWorkload(
    plan,
    { rollout: context.rollout, ...(context.workload === undefined ? {} : { deployment: context.workload }) },
    context.replicaSets.newRS,
  );
}

/**
 * Argo's ValidateRolloutReferencedResources for Services: each Service the strategy names must
 * exist (refused and retried, since it may simply be applied after the Rollout), select only
 * labels the pod template carries (besides the pod-template hash Gradual injects), and not be
 * managed by another Rollout. Fields the engine does not act on yet are refused earlier, by
 * validateRollout's not-yet-supported list, which lint shares.
 */
function referencedServiceIssues(context: ReconcileContext): RolloutIssue[] {
  const { rollout, observation } = context;
  const { strategy } = rollout.spec;
  const named: [path: string[], name: string | undefined][] = [
    [['spec', 'strategy', 'canary', 'canaryService'], strategy?.canary?.canaryService],
    [['spec', 'strategy', 'canary', 'stableService'], strategy?.canary?.stableService],
    [['spec', 'strategy', 'canary', 'pingPong', 'pingService'], strategy?.canary?.pingPong?.pingService],
    [['spec', 'strategy', 'canary', 'pingPong', 'pongService'], strategy?.canary?.pingPong?.pongService],
    // Argo's getReferencedServices: the active Service first, then the preview one.
    [['spec', 'strategy', 'blueGreen', 'activeService'], strategy?.blueGreen?.activeService],
    [['spec', 'strategy', 'blueGreen', 'previewService'], strategy?.blueGreen?.previewService],
  ];
  const templateLabels = rollout.spec.template?.metadata?.labels ?? {};
  const issues: RolloutIssue[] = [];
  for (const [path, name] of named) {
    if (name === undefined || name === '') continue;
    const service = observation.services[name];
    if (service === undefined) {
      issues.push({ path, message: `service "${name}" not found` });
      continue;
    }
    for (const [key, value] of Object.entries(service.spec?.selector ?? {})) {
      if (key !== POD_TEMPLATE_HASH_LABEL && templateLabels[key] !== value)
        issues.push({ path, message: `Service "${name}" has unmatch label "${key}" in rollout` });
    }
    const manager = service.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION];
    if (manager !== undefined && manager !== rollout.metadata?.name)
      issues.push({ path, message: `Service "${name}" is managed by another Rollout` });
  }
  return issues;
}

/**
 * Argo's getReferencedRolloutAnalyses and ValidateAnalysisTemplatesWithType: every analysis the
 * Rollout names must resolve to templates that exist, combine without clashes, get every
 * argument a value, and carry conditions that parse — checked before anything moves, so an
 * analysis that could never run holds the Rollout where it is (InvalidSpec) rather than
 * failing it halfway.
 */
function referencedAnalysisIssues(context: ReconcileContext): RolloutIssue[] {
  const catalog = context.analysisTemplates;
  const issues: RolloutIssue[] = [];
  for (const { analysis, path } of rolloutAnalyses(context.rollout)) {
    // Only the presence of values matters here: the hashes they may name are not known before the ReplicaSets exist.
    const values = (analysis.args ?? []).map((arg) => ({ name: arg.name, value: arg.value ?? '' }));
    const result = flattenRolloutAnalysis(analysis, path, catalog, values);
    if (!result.ok) issues.push(result.issue);
  }
  return issues;
}

/**
 * The traffic routing a router can be built from (src/traffic routerRollout: the
 * config parsed, canary and stable Services set and different) and route steps
 * the routers support and managedRoutes lists (checkRouteSteps). The router
 * objects themselves are checked once the strategy has planned (routerProblem).
 */
function trafficRoutingIssues(rollout: Rollout): RolloutIssue[] {
  if (rollout.spec.strategy?.canary?.trafficRouting === undefined) return [];
  const parsed = routerRollout(rollout);
  if (!parsed.ok) return [issueOfProblem(parsed.problem)];
  const canary = rollout.spec.strategy.canary;
  // Argo's requireCanaryStableServices: every router splits between the two Services, except Istio splitting by
  // DestinationRule subsets, whose destinations are the subsets. Argo checks stableService first, in its words.
  const subsetLevel = canary.trafficRouting?.istio?.destinationRule !== undefined;
  // Argo's requireCanaryStableServices: with ping-pong (ALB, Istio) the ping and pong Services take their place.
  const pingPong =
    canary.pingPong !== undefined && (canary.trafficRouting?.alb !== undefined || canary.trafficRouting?.istio !== undefined);
  if (!subsetLevel && !pingPong) {
    for (const field of ['stableService', 'canaryService'] as const) {
      if ((canary[field] ?? '') === '')
        return [
          {
            path: ['spec', 'strategy', 'canary', field],
            message: 'Canary service and Stable service must to be set to use Traffic Routing',
          },
        ];
    }
  }
  const steps: RouteStep[] = (canary.steps ?? []).flatMap((step, index): RouteStep[] => [
    ...(step.setHeaderRoute === undefined
      ? []
      : [{ index, kind: 'setHeaderRoute' as const, name: step.setHeaderRoute.name, match: step.setHeaderRoute.match }]),
    ...(step.setMirrorRoute === undefined ? [] : [{ index, kind: 'setMirrorRoute' as const, name: step.setMirrorRoute.name }]),
  ]);
  return checkRouteSteps(parsed.value, steps).map(issueOfProblem);
}

/**
 * A router object that cannot take the plan (a VirtualService or its route missing, an object another controller
 * owns), found before anything is written, as Argo's ValidateRolloutReferencedResources does: the plan's router calls
 * decided on the cached objects, or, without a routeTraffic action, the weight held now. A plan that already refuses
 * the spec (no actions, InvalidSpec) says why itself.
 */
function routerProblem(observation: RolloutObservation, plan: ReconcilePlan): RouterProblem | undefined {
  const { rollout, routerObjects } = observation;
  if (routerObjects === undefined || rollout.spec.strategy?.canary?.trafficRouting === undefined) return undefined;
  const refused =
    plan.actions.length === 0 && (plan.status.conditions ?? []).some((condition) => condition.type === CONDITION_TYPES.invalidSpec);
  if (refused) return undefined;
  const parsed = routerRollout(rollout);
  if (!parsed.ok) return parsed.problem;
  const routed = plan.actions.find((action) => action.kind === 'routeTraffic');
  const operations = routed?.operations ?? [{ op: 'setWeight' as const, weight: rollout.status?.canary?.weights?.canary.weight ?? 0 }];
  const decided = planRouterOperations(parsed.value, operations, routerObjects);
  return decided.ok ? undefined : decided.problem;
}

/** A problem on the Rollout at its field; one on a router object under trafficRouting, the object and its field in the message. */
function issueOfProblem(problem: RouterProblem): RolloutIssue {
  if (problem.kind === 'Rollout') {
    const path = problem.field
      .replace(/\[(\d+)\]/gu, '.$1')
      .split('.')
      .filter((segment) => segment !== '')
      .map((segment) => (/^\d+$/u.test(segment) ? Number(segment) : segment));
    return { path, message: problem.message };
  }
  return { path: ['spec', 'strategy', 'canary', 'trafficRouting'], message: describeProblem(problem) };
}

/**
 * A router object that cannot be used as it is (a VirtualService or its route
 * missing, an object owned by another controller), found on the cached objects
 * before any write: the InvalidSpec condition naming the object and field,
 * nothing modified, retried as any invalid spec.
 */
export function planTrafficProblem(observation: RolloutObservation, problem: RouterProblem): ReconcilePlan {
  return planInvalidSpec(observation, [issueOfProblem(problem)]);
}

/** Longest error text a condition carries: the status stays small and the PR report readable. */
const MAX_ERROR_TEXT = 500;

/**
 * A reconcile that threw on the Rollout's own content (the planner or the observation failed on
 * something validateRollout let through): Argo's InvalidSpec condition with the error, nothing
 * written but the status, and no requeue — the shell tries again when the Rollout changes, not
 * in a loop.
 */
export function planUnplannable(observation: RolloutObservation, cause: unknown): ReconcilePlan {
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  const error = text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
  const plan = planInvalidSpec(observation, [
    { path: [], message: `the controller cannot plan this Rollout (${error}); it tries again when the Rollout changes` },
  ]);
  return { actions: plan.actions, status: plan.status, events: plan.events };
}

function planInvalidSpec(observation: RolloutObservation, issues: readonly RolloutIssue[]): ReconcilePlan {
  const { rollout, now } = observation;
  const observed: RolloutStatus = rollout.status ?? {};
  const first = issues[0];
  const place = first === undefined ? '' : formatPath(first.path);
  const detail = first === undefined ? 'invalid' : first.unplaced === true || place === '' ? first.message : `${place}: ${first.message}`;
  const message = MESSAGES.invalidSpec(rollout.metadata?.name ?? '', detail);
  const previous = getCondition(observed.conditions, CONDITION_TYPES.invalidSpec);
  // The message says why; a new reason to be invalid replaces the condition even with the same status and reason.
  const base =
    previous !== undefined && previous.message !== message
      ? removeCondition(observed.conditions, CONDITION_TYPES.invalidSpec)
      : observed.conditions;
  const conditions = setCondition(
    base,
    newCondition(CONDITION_TYPES.invalidSpec, 'True', REASONS.invalidSpec, message, now),
    now,
  ).conditions;
  const status: RolloutStatus = { ...observed, conditions, observedGeneration: String(rollout.metadata?.generation ?? 0) };
  const { phase, message: phaseMessage } = calculateRolloutPhase(rollout.spec, status);
  const withPhase: RolloutStatus = { ...status, phase };
  if (phaseMessage === '') delete withPhase.message;
  else withPhase.message = phaseMessage;
  return { actions: [], status: withPhase, events: [], requeueAfterMs: INVALID_SPEC_REQUEUE_MS };
}
