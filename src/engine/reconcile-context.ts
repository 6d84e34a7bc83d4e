import type { V1Deployment } from '@kubernetes/client-node';
import {
  validateRollout,
  withDefaults,
  type AnalysisRun,
  type Rollout,
  type RolloutIssue,
  type RolloutSpecWithDefaults,
  type ValidateRolloutResult,
} from '../api/index.js';
import { EMPTY_TEMPLATE_CATALOG, type AnalysisTemplateCatalog } from './analysis-templates.js';
import type { RolloutObservation } from './reconcile-types.js';
import { classifyReplicaSets, type ReplicaSetClassification } from './replica-set-classification.js';
import { tolerantPodTemplate } from './tolerant-template.js';
import { resolveWorkloadRef } from './workload-ref.js';

/**
 * Everything one reconcile of one Rollout reads, built once and handed to each step (Argo's
 * rolloutContext, rollout/context.go): the Rollout validated (once: the shell's validation is
 * reused) and as Argo reads it (workloadRef resolved, pod template decoded tolerantly), its spec
 * with defaults, its ReplicaSets classified, its AnalysisRuns and templates, the router objects
 * and `now`. Steps that change what later steps see (the pod-restart stage's restartedAt, the
 * FoundNewReplicaSet condition) derive a new context with withRollout.
 */
export interface ReconcileContext {
  /** The observation the context was built from, with `rollout` as Argo reads it. */
  readonly observation: RolloutObservation;
  readonly rollout: Rollout;
  readonly spec: RolloutSpecWithDefaults;
  readonly replicaSets: ReplicaSetClassification;
  /** The Deployment spec.workloadRef names (its template stands in for the Rollout's), when it has one. */
  readonly workload: V1Deployment | undefined;
  readonly analysisRuns: readonly AnalysisRun[];
  readonly analysisTemplates: AnalysisTemplateCatalog;
  readonly now: Date;
}

export type NewReconcileContext = { ok: true; context: ReconcileContext } | { ok: false; issues: RolloutIssue[] };

/**
 * The context of one reconcile, or why the Rollout cannot be reconciled (its spec, or the
 * Deployment its workloadRef names, invalid). `validation` is the shell's validateRollout of the
 * same object, when it has one, so a reconcile validates the Rollout once.
 */
export function newReconcileContext(
  observation: RolloutObservation,
  validation: ValidateRolloutResult = validateRollout(observation.rollout),
): NewReconcileContext {
  if (!validation.ok) return { ok: false, issues: validation.issues };
  const resolved = resolveWorkloadRef(asArgoReadsIt(observation.rollout), observation.workload);
  if (!resolved.ok) return { ok: false, issues: resolved.issues };
  const rollout = resolved.rollout;
  return {
    ok: true,
    context: {
      observation: { ...observation, rollout },
      rollout,
      spec: withDefaults(rollout.spec),
      replicaSets: classifyReplicaSets(rollout, observation.replicaSets),
      workload: resolved.deployment,
      analysisRuns: observation.analysisRuns ?? [],
      analysisTemplates: observation.analysisTemplates ?? EMPTY_TEMPLATE_CATALOG,
      now: observation.now,
    },
  };
}

/** The same reconcile with the Rollout as an earlier step left it (status fields only: the spec and ReplicaSets are unchanged). */
export function withRollout(context: ReconcileContext, rollout: Rollout): ReconcileContext {
  return { ...context, rollout, observation: { ...context.observation, rollout } };
}

/**
 * The Rollout with its pod template as Argo's tolerant informer decodes it: a resource quantity
 * that does not parse ends the decoding there (src/engine/tolerant-template.ts), and Argo creates
 * the ReplicaSet from what was kept instead of one the API server refuses.
 */
function asArgoReadsIt(rollout: Rollout): Rollout {
  const { template, stoppedAt } = tolerantPodTemplate(rollout.spec.template);
  if (stoppedAt === undefined) return rollout;
  return { ...rollout, spec: { ...rollout.spec, template: template as NonNullable<Rollout['spec']['template']> } };
}
