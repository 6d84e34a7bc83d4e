import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { validateRollout, type Rollout, type RolloutIssue, type RolloutStatus } from '../api/index.js';
import type { KubeAction, ReconcilePlan } from './reconcile-types.js';
import { revisionOf } from './replica-set-classification.js';

/*
 * spec.workloadRef, as Argo's template resolver (rollout/templateref.go) and its Deployment
 * scale-down (rollout/replicaset.go reconcileNewReplicaSet, rollout/sync.go promoteStable) read
 * it. Pure: the shell hands over the Deployment from its informer cache.
 *
 * The Rollout is resolved before any planner runs: its template (and its selector, when it has
 * none) replaced by the Deployment's. The planners, the pod-template hash and the ReplicaSets
 * then see an ordinary Rollout and need to know nothing about the reference.
 */

const WORKLOAD_REF_PATH = ['spec', 'workloadRef'];

/** The result of resolving: the Rollout to plan with, or why it cannot be planned. */
export type ResolvedWorkload = { ok: true; rollout: Rollout; deployment?: V1Deployment } | { ok: false; issues: RolloutIssue[] };

/** The group of an apiVersion ("apps/v1" → "apps", "v1" → ""), as Kubernetes' schema.FromAPIVersionAndKind splits it. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether `ref` names an apps Deployment (Argo matches group and kind; the version is not compared). */
export function isDeploymentRef(ref: { apiVersion: string; kind: string }): boolean {
  return groupOf(ref.apiVersion) === 'apps' && ref.kind === 'Deployment';
}

/**
 * The Rollout the planners see. Without a workloadRef it is the Rollout itself. With one, the
 * Deployment must exist (else InvalidSpec naming it, retried: it may be applied after the
 * Rollout, like a Service) and its template, and its selector when the Rollout has none, are
 * taken. The result is checked again as a Rollout of its own (Argo validates after resolving):
 * a Deployment template without containers, or one the Rollout's selector does not match, is
 * refused here rather than by the API server at ReplicaSet creation.
 */
export function resolveWorkloadRef(rollout: Rollout, deployment: V1Deployment | undefined): ResolvedWorkload {
  const ref = rollout.spec.workloadRef;
  if (ref === undefined) return { ok: true, rollout };
  if (!isDeploymentRef(ref)) {
    // Argo also follows ReplicaSets and PodTemplates; Gradual follows Deployments only, and says so.
    return {
      ok: false,
      issues: [
        {
          path: WORKLOAD_REF_PATH,
          message: `workload of type ${groupOf(ref.apiVersion)}/${ref.kind} is not supported: only apps/v1 Deployment`,
        },
      ],
    };
  }
  if (deployment === undefined) return { ok: false, issues: [{ path: WORKLOAD_REF_PATH, message: `deployment "${ref.name}" not found` }] };
  const { workloadRef, ...ownSpec } = rollout.spec;
  const candidate = {
    ...rollout,
    spec: {
      ...ownSpec,
      template: deployment.spec?.template,
      ...(rollout.spec.selector === undefined ? { selector: deployment.spec?.selector } : {}),
    },
  };
  // zod at the boundary: the Deployment's template and selector are parsed as a Rollout's would be.
  const validation = validateRollout(candidate);
  if (!validation.ok) {
    const from = `(the pod template comes from deployment "${ref.name}")`;
    return { ok: false, issues: validation.issues.map((issue) => ({ ...issue, message: `${issue.message} ${from}` })) };
  }
  return { ok: true, rollout: { ...validation.rollout, spec: { ...validation.rollout.spec, workloadRef } }, deployment };
}

/**
 * Argo's status.workloadObservedGeneration: the generation of the referenced Deployment whose
 * template this reconcile used, as a string; absent for a Rollout without a workloadRef.
 * (Argo copies it from the Rollout's workload-generation annotation, which it keeps equal to
 * the Deployment's generation; Gradual reads the generation directly, see the report.)
 */
export function withWorkloadObservedGeneration(status: RolloutStatus, deployment: V1Deployment | undefined): RolloutStatus {
  const generation = deployment?.metadata?.generation;
  if (generation === undefined) {
    if (status.workloadObservedGeneration === undefined) return status;
    const rest = { ...status };
    delete rest.workloadObservedGeneration;
    return rest;
  }
  return { ...status, workloadObservedGeneration: String(generation) };
}

export interface WorkloadScaleDownInput {
  /** The resolved Rollout, with the status observed at the start of the reconcile. */
  rollout: Rollout;
  deployment: V1Deployment;
  /** The ReplicaSet of the Rollout's current template, if it exists yet. */
  newRS: V1ReplicaSet | undefined;
  /** The actions the strategy planned in this reconcile (a scale-down of newRS counts, see below). */
  actions: readonly KubeAction[];
}

/**
 * The replicas the referenced Deployment should be scaled to, or undefined to leave it alone.
 *
 * Like Argo, only the first revision scales the Deployment: workloadRef's scaleDown is a one-time
 * migration from a Deployment to a Rollout, and a later revision (a change of the Deployment's
 * template) leaves the Deployment's replicas as they are. Both modes read the phase and ready
 * replicas the Rollout's status recorded before this reconcile.
 * - never (the default): never.
 * - onsuccess: 0 once the Rollout is Healthy.
 * - progressively: 0 once Healthy; before that spec.replicas minus the Rollout's ready replicas
 *   (never below 0), so the Deployment gives up a pod for each Rollout pod that is ready — and
 *   takes them back if the Rollout's pods stop being ready. Argo only does this once the
 *   Rollout has a ready pod or its new ReplicaSet is being scaled down, and not at all for a
 *   Rollout without spec.replicas.
 */
export function workloadScaleDownReplicas(input: WorkloadScaleDownInput): number | undefined {
  const { rollout, newRS } = input;
  const mode = rollout.spec.workloadRef?.scaleDown ?? 'never';
  if (mode === 'never' || newRS === undefined || revisionOf(newRS) !== 1) return undefined;
  const observed = rollout.status ?? {};
  if (observed.phase === 'Healthy') return 0;
  if (mode !== 'progressively') return undefined;
  const replicas = rollout.spec.replicas;
  if (replicas === undefined) return undefined;
  const ready = observed.readyReplicas ?? 0;
  if (ready > 0 || newRSScaledDown(newRS, input.actions)) return Math.max(0, replicas - ready);
  return undefined;
}

function newRSScaledDown(newRS: V1ReplicaSet, actions: readonly KubeAction[]): boolean {
  const name = newRS.metadata?.name;
  const current = newRS.spec?.replicas ?? 1;
  return actions.some(
    (action) => action.kind === 'updateReplicaSet' && action.name === name && action.replicas !== undefined && action.replicas < current,
  );
}

/** The scaleDeployment action that brings the Deployment to `workloadScaleDownReplicas`, when it is not there already. */
export function planWorkloadScaleDown(input: WorkloadScaleDownInput): KubeAction | undefined {
  const replicas = workloadScaleDownReplicas(input);
  // The API server defaults a Deployment's spec.replicas to 1.
  if (replicas === undefined || replicas === (input.deployment.spec?.replicas ?? 1)) return undefined;
  return {
    kind: 'scaleDeployment',
    name: input.deployment.metadata?.name ?? '',
    resourceVersion: input.deployment.metadata?.resourceVersion ?? '',
    replicas,
  };
}

/** The strategy's plan with what workloadRef adds: the Deployment's scale-down and status.workloadObservedGeneration. */
export function withWorkload(
  plan: ReconcilePlan,
  resolved: { rollout: Rollout; deployment?: V1Deployment },
  newRS: V1ReplicaSet | undefined,
): ReconcilePlan {
  const { rollout, deployment } = resolved;
  const status = withWorkloadObservedGeneration(plan.status, deployment);
  if (deployment === undefined) return status === plan.status ? plan : { ...plan, status };
  const scale = planWorkloadScaleDown({ rollout, deployment, newRS, actions: plan.actions });
  return { ...plan, status, actions: scale === undefined ? plan.actions : [...plan.actions, scale] };
}
