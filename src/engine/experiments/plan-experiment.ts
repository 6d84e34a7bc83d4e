import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { CONTROLLER_INSTANCE_ID_LABEL, SCALE_DOWN_DEADLINE_ANNOTATION } from '../../api/argo-labels.js';
import {
  checkExperimentSpec,
  experimentDefaults,
  parseGoDuration,
  type AnalysisArgument,
  type AnalysisRun,
  type Experiment,
  type ExperimentAnalysis,
  type ExperimentAnalysisRunStatus,
  type ExperimentCondition,
  type ExperimentStatus,
  type ExperimentTemplate,
  type TemplateStatus,
  type TemplateStatusCode,
} from '../../api/index.js';
import { flattenRolloutAnalysis, type AnalysisTemplateCatalog } from '../analysis-templates.js';
import { experimentOwnerReference, experimentReplicaSet, experimentService, templateServicePorts } from './experiment-objects.js';

/*
 * The Experiment controller's pure core: Argo v1.9's experimentContext.reconcile
 * (experiments/experiment.go), a function of the Experiment, the objects it owns, the analysis
 * templates and the injected time. It returns what to write (actions), the whole new status, the
 * Events with Argo's reasons and words, and when to look again. The shell applies the actions in
 * order, then writes the status when it changed.
 */

type Phase = NonNullable<ExperimentStatus['phase']>;

export interface ExperimentObservation {
  experiment: Experiment;
  /** The Experiment's ReplicaSets by template name (controller reference and annotations matched). */
  replicaSets: ReadonlyMap<string, V1ReplicaSet>;
  /** Its Services by template name. */
  services: ReadonlyMap<string, V1Service>;
  /** AnalysisRuns in the namespace by name (the planner tells its own from a stranger's by the owner). */
  analysisRuns: ReadonlyMap<string, AnalysisRun>;
  templates: AnalysisTemplateCatalog;
  now: Date;
}

export type ExperimentAction =
  | { kind: 'createReplicaSet'; replicaSet: V1ReplicaSet; template: string }
  /**
   * `resourceVersion` is the version the planner saw: the scale is conditional on it, as Argo's Update of the
   * ReplicaSet object is, so a pass on a stale copy conflicts instead of scaling (and telling) a second time.
   */
  | { kind: 'scaleReplicaSet'; name: string; replicas: number; template: string; resourceVersion?: string }
  | { kind: 'setScaleDownDeadline'; name: string; deadline: string | null }
  | { kind: 'createService'; service: V1Service; template: string }
  | { kind: 'deleteService'; name: string; template: string }
  | { kind: 'createAnalysisRun'; run: AnalysisRun; analysis: string }
  | { kind: 'terminateAnalysisRun'; name: string };

export interface ExperimentEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ExperimentPlan {
  actions: ExperimentAction[];
  status: ExperimentStatus;
  events: ExperimentEvent[];
  /**
   * Events about the Rollout that owns the Experiment (an experiment step's): each AnalysisRun transition again,
   * as Warning, so the Rollout's subscribers hear of its analysis (Argo v1.9's reconcileAnalysisRun, #4009).
   */
  rolloutEvents: ExperimentEvent[];
  requeueAfterMs?: number;
}

const completedPhases: readonly string[] = ['Successful', 'Failed', 'Error', 'Inconclusive'];
export const isCompletedPhase = (phase: string | undefined): boolean => completedPhases.includes(phase ?? '');
const templateCompleted = (code: TemplateStatusCode | undefined): boolean => code === 'Successful' || code === 'Failed' || code === 'Error';

export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

/** Argo's IsTerminating: asked to, finished, a template failed, a run failed, or the required runs all succeeded. */
export function isTerminating(experiment: Experiment): boolean {
  const status = experiment.status ?? {};
  if (experiment.spec.terminate === true) return true;
  if (isCompletedPhase(status.phase)) return true;
  if ((status.templateStatuses ?? []).some((template) => template.status === 'Failed' || template.status === 'Error')) return true;
  if ((status.analysisRuns ?? []).some((run) => run.phase === 'Failed' || run.phase === 'Error' || run.phase === 'Inconclusive'))
    return true;
  return requiredAnalysisRunsSuccessful(experiment, status);
}

function requiredAnalysisRunsSuccessful(experiment: Experiment, status: ExperimentStatus): boolean {
  const required = (experiment.spec.analyses ?? []).filter((analysis) => analysis.requiredForCompletion === true);
  return (
    required.length > 0 &&
    required.every((analysis) => status.analysisRuns?.find((run) => run.name === analysis.name)?.phase === 'Successful')
  );
}

/** Argo's PassedDurations: whether availableAt + duration is behind `now`, and how far ahead it is otherwise (ms). */
function passedDuration(experiment: Experiment, now: Date): { passed: boolean; remainingMs: number } {
  const { duration } = experiment.spec;
  const availableAt = experiment.status?.availableAt;
  if (duration === undefined || duration === '' || availableAt === undefined) return { passed: false, remainingMs: 0 };
  const seconds = parseGoDuration(duration);
  if (seconds === undefined) return { passed: false, remainingMs: 0 };
  const end = Date.parse(availableAt) + seconds * 1000;
  return { passed: now.getTime() > end, remainingMs: end - now.getTime() };
}

function desiredReplicas(experiment: Experiment, template: ExperimentTemplate): number {
  if (isTerminating(experiment)) return 0;
  const status = experiment.status?.templateStatuses?.find((candidate) => candidate.name === template.name);
  if (templateCompleted(status?.status)) return 0;
  return template.replicas ?? experimentDefaults.replicas;
}

const templateOrder: readonly TemplateStatusCode[] = ['Successful', 'Running', 'Progressing', 'Error', 'Failed'];
const analysisOrder: readonly string[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];
const worse = (order: readonly string[], current: string, next: string | undefined): boolean =>
  Math.max(order.indexOf(next ?? ''), 0) > Math.max(order.indexOf(current), 0);

export function planExperiment(observation: ExperimentObservation): ExperimentPlan {
  const { experiment, now } = observation;
  const actions: ExperimentAction[] = [];
  const events: ExperimentEvent[] = [];
  const rolloutEvents: ExperimentEvent[] = [];
  const wakeUps: number[] = [];
  // Argo's GetRolloutOwnerRef: any owner reference of kind Rollout, controller or not.
  const ownedByRollout = (experiment.metadata?.ownerReferences ?? []).some((owner) => owner.kind === 'Rollout');
  const old = experiment.status ?? {};
  const status: ExperimentStatus = structuredClone(old);
  const nowText = formatTime(now);

  // Argo's VerifyExperimentSpec first: an invalid spec only gets its condition.
  const invalid = checkExperimentSpec(experiment).find((issue) => issue.argo === true);
  if (invalid !== undefined) {
    const previous = old.conditions?.find((condition) => condition.type === 'InvalidSpec');
    const condition: ExperimentCondition =
      previous?.message === invalid.message
        ? { ...previous, lastUpdateTime: nowText }
        : {
            type: 'InvalidSpec',
            status: 'True',
            reason: 'InvalidSpec',
            message: invalid.message,
            lastUpdateTime: nowText,
            lastTransitionTime: nowText,
          };
    status.conditions = [...(old.conditions ?? []).filter((candidate) => candidate.type !== 'InvalidSpec'), condition];
    return { actions, status, events, rolloutEvents };
  }
  const terminating = isTerminating(experiment);
  const replicaSets = new Map(observation.replicaSets);
  const deadlineSeconds = experiment.spec.progressDeadlineSeconds ?? experimentDefaults.progressDeadlineSeconds;

  for (const template of experiment.spec.templates) {
    const previous = old.templateStatuses?.find((candidate) => candidate.name === template.name);
    const current: TemplateStatus = structuredClone(previous ?? { name: template.name });
    const desired = desiredReplicas(experiment, template);
    let rs = replicaSets.get(template.name);
    if (rs === undefined) {
      // Created at zero and scaled up on the next pass, as Argo does (so no NewReplicaSet Event).
      rs = experimentReplicaSet(experiment, template, previous?.collisionCount, 0);
      actions.push({ kind: 'createReplicaSet', replicaSet: rs, template: template.name });
      replicaSets.set(template.name, rs);
      current.lastTransitionTime = nowText;
    } else {
      const service = observation.services.get(template.name);
      if (template.service !== undefined) {
        if (desired !== 0) {
          if (service === undefined && templateServicePorts(rs).length > 0) {
            const created = experimentService(experiment, template, rs);
            actions.push({ kind: 'createService', service: created, template: template.name });
            current.serviceName = created.metadata?.name ?? '';
            current.podTemplateHash = rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '';
          } else if (service !== undefined && (current.serviceName ?? '') === '') {
            // The Service exists but the status does not name it (the pass that created it lost its status write):
            // name it now, or the routers would never send the template its weight.
            current.serviceName = service.metadata?.name ?? '';
            current.podTemplateHash = rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '';
          }
        } else if ((rs.status?.availableReplicas ?? 0) === 0 && service !== undefined) {
          actions.push({ kind: 'deleteService', name: service.metadata?.name ?? '', template: template.name });
          delete current.serviceName;
          delete current.podTemplateHash;
        }
      } else if (service !== undefined) {
        actions.push({ kind: 'deleteService', name: service.metadata?.name ?? '', template: template.name });
        delete current.serviceName;
        delete current.podTemplateHash;
      }
      let deadline = rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION];
      if (desired === 0) {
        const delay = experiment.spec.scaleDownDelaySeconds ?? experimentDefaults.scaleDownDelaySeconds;
        if (delay === 0 && deadline !== undefined) {
          actions.push({ kind: 'setScaleDownDeadline', name: rs.metadata?.name ?? '', deadline: null });
          deadline = undefined;
        } else if (delay !== 0 && (deadline ?? '') === '') {
          deadline = formatTime(new Date(now.getTime() + delay * 1000));
          actions.push({ kind: 'setScaleDownDeadline', name: rs.metadata?.name ?? '', deadline });
        }
      }
      const specReplicas = rs.spec?.replicas ?? 1;
      if (specReplicas !== desired) {
        let target = desired;
        if (desired === 0 && deadline !== undefined && deadline !== '') {
          const remaining = Date.parse(deadline) - now.getTime();
          if (remaining > 0) {
            wakeUps.push(remaining);
            target = template.replicas ?? experimentDefaults.replicas;
          }
        }
        if (target !== specReplicas) {
          const rsName = rs.metadata?.name ?? '';
          const resourceVersion = rs.metadata?.resourceVersion;
          actions.push({
            kind: 'scaleReplicaSet',
            name: rsName,
            replicas: target,
            template: template.name,
            ...(resourceVersion === undefined ? {} : { resourceVersion }),
          });
          const direction = specReplicas < target ? 'up' : 'down';
          events.push({
            type: 'Normal',
            reason: 'ScalingReplicaSet',
            message: `Scaled ${direction} ReplicaSet ${rsName} from ${String(specReplicas)} to ${String(target)}`,
          });
        }
        current.lastTransitionTime = nowText;
      }
    }
    const created = observation.replicaSets.get(template.name) === undefined;
    const counts = {
      replicas: created ? 0 : (rs.status?.replicas ?? 0),
      updatedReplicas: created ? 0 : (rs.status?.replicas ?? 0),
      readyReplicas: created ? 0 : (rs.status?.readyReplicas ?? 0),
      availableReplicas: created ? 0 : (rs.status?.availableReplicas ?? 0),
    };
    if (
      (previous?.replicas ?? 0) !== counts.replicas ||
      (previous?.updatedReplicas ?? 0) !== counts.updatedReplicas ||
      (previous?.readyReplicas ?? 0) !== counts.readyReplicas ||
      (previous?.availableReplicas ?? 0) !== counts.availableReplicas
    )
      current.lastTransitionTime = nowText;
    Object.assign(current, counts);
    if (!templateCompleted(current.status)) {
      if (desired === counts.availableReplicas) {
        current.status = passedDuration(experiment, now).passed || terminating ? 'Successful' : 'Running';
      } else {
        const from = Date.parse(current.lastTransitionTime ?? nowText);
        if (now.getTime() > from + deadlineSeconds * 1000) {
          current.status = 'Failed';
          current.message = `Template '${template.name}' exceeded its progressDeadlineSeconds (${String(deadlineSeconds)})`;
        } else current.status = terminating ? 'Successful' : 'Progressing';
      }
    }
    if (previous?.status !== current.status) {
      const message = `Template '${template.name}' transitioned from ${previous?.status ?? ''} -> ${current.status ?? ''}`;
      events.push({
        type: current.status === 'Failed' || current.status === 'Error' ? 'Warning' : 'Normal',
        reason: `Template${current.status ?? ''}`,
        message: current.message === undefined || current.message === '' ? message : `${message}: ${current.message}`,
      });
    }
    setByName((status.templateStatuses ??= []), current);
  }

  for (const analysis of experiment.spec.analyses ?? []) {
    const previous = old.analysisRuns?.find((candidate) => candidate.name === analysis.name);
    const current: ExperimentAnalysisRunStatus = structuredClone(previous ?? { name: analysis.name });
    const decided = reconcileAnalysis(observation, analysis, previous, current, terminating, replicaSets);
    actions.push(...decided.actions);
    events.push(...decided.events);
    if ((previous?.phase ?? '') !== (current.phase ?? '') && (current.phase ?? '') !== '') {
      const phase = current.phase ?? '';
      const message = `AnalysisRun '${analysis.name}' transitioned from ${previous?.phase ?? ''} -> ${phase}`;
      const event: ExperimentEvent = {
        type: phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive' ? 'Warning' : 'Normal',
        reason: `AnalysisRun${phase}`,
        message: current.message === undefined || current.message === '' ? message : `${message}: ${current.message}`,
      };
      events.push(event);
      // Argo records it on the Rollout as a Warning whatever the phase (its code passes EventTypeWarning).
      if (ownedByRollout) rolloutEvents.push({ ...event, type: 'Warning' });
    }
    // Argo's reconcileAnalysisRun sets the entry on every pass (a deferred SetAnalysisRunStatus), from the first: an
    // analysis not started yet, or a run with no phase yet, is `analysisRun: ''` / `phase: ''`, both of which its CRD
    // requires (omitting one is a 422 on every status write).
    setByName((status.analysisRuns ??= []), { ...current, analysisRun: current.analysisRun ?? '', phase: current.phase ?? '' });
  }

  calculateStatus(experiment, status, now);
  calculateConditions(experiment, status, nowText);
  if ((old.phase ?? '') !== (status.phase ?? '')) {
    const phase = status.phase ?? '';
    events.push({
      type: phase === 'Error' || phase === 'Failed' || phase === 'Inconclusive' ? 'Warning' : 'Normal',
      reason: `Experiment${phase}`,
      message: `Experiment transitioned from ${old.phase ?? ''} -> ${phase}`,
    });
  }
  const enqueue = enqueueAfter({ ...experiment, status }, now);
  if (enqueue !== undefined) wakeUps.push(enqueue);
  const positive = wakeUps.map((ms) => Math.max(ms, 0));
  return { actions, status, events, rolloutEvents, ...(positive.length === 0 ? {} : { requeueAfterMs: Math.min(...positive) + 1 }) };
}

function setByName<T extends { name: string }>(list: T[], item: T): void {
  const index = list.findIndex((candidate) => candidate.name === item.name);
  if (index < 0) list.push(item);
  else list[index] = item;
}

/** What one analysis adds to the Experiment's plan. */
interface AnalysisStep {
  readonly actions: readonly ExperimentAction[];
  readonly events: readonly ExperimentEvent[];
}

const NOTHING: AnalysisStep = { actions: [], events: [] };

/**
 * Argo's reconcileAnalysisRun: verify the template until the templates are available, then create, follow or terminate the run.
 * Updates `current` in place and returns the writes and events it decided.
 */
function reconcileAnalysis(
  observation: ExperimentObservation,
  analysis: ExperimentAnalysis,
  previous: ExperimentAnalysisRunStatus | undefined,
  current: ExperimentAnalysisRunStatus,
  terminating: boolean,
  replicaSets: ReadonlyMap<string, V1ReplicaSet>,
): AnalysisStep {
  const { experiment, templates } = observation;
  const cluster = analysis.clusterScope === true;
  if (experiment.status?.availableAt === undefined) {
    const entry = cluster ? templates.cluster[analysis.templateName] : templates.namespaced[analysis.templateName];
    if (entry === undefined) {
      const kind = cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      current.phase = 'Error';
      current.message = `${kind} verification failed for analysis '${analysis.name}': ${kind.toLowerCase()}.argoproj.io "${analysis.templateName}" not found`;
    }
    return NOTHING;
  }
  if ((previous?.analysisRun ?? '') === '') {
    if (terminating) return NOTHING;
    const created = newAnalysisRun(observation, analysis, replicaSets);
    if (!created.ok) {
      current.phase = 'Error';
      current.message = `Failed to create AnalysisRun for analysis '${analysis.name}': ${created.message}`;
      return NOTHING;
    }
    current.phase = 'Pending';
    current.analysisRun = created.run.metadata?.name ?? '';
    return { actions: [{ kind: 'createAnalysisRun', run: created.run, analysis: analysis.name }], events: [] };
  }
  if (isCompletedPhase(previous?.phase)) return NOTHING;
  const runName = previous?.analysisRun ?? '';
  const run = observation.analysisRuns.get(runName);
  if (run === undefined) {
    current.phase = 'Error';
    current.message = `analysisruns.argoproj.io "${runName}" not found`;
    return NOTHING;
  }
  if (terminating) {
    if (!isCompletedPhase(run.status?.phase) && run.spec.terminate !== true) {
      return {
        actions: [{ kind: 'terminateAnalysisRun', name: runName }],
        events: [{ type: 'Normal', reason: 'AnalysisRunTerminating', message: `Terminating ${analysis.name} (${runName})` }],
      };
    }
    return NOTHING;
  }
  // A run no controller has looked at yet has no phase: Argo copies its empty phase as it is (`''`).
  current.phase = run.status?.phase ?? '';
  if (run.status?.message === undefined || run.status.message === '') delete current.message;
  else current.message = run.status.message;
  return NOTHING;
}

/** Argo's ResolveExperimentArgsValue: `{{templates.<name>.podTemplateHash}}`, `.replicaset.name`, `{{experiment.availableAt}}`, `.finishedAt`. */
export function resolveExperimentArg(
  value: string,
  experiment: Experiment,
  replicaSets: ReadonlyMap<string, V1ReplicaSet>,
): string | Error {
  const values = new Map<string, string>();
  const availableAt = experiment.status?.availableAt;
  if (availableAt !== undefined) {
    values.set('experiment.availableAt', availableAt);
    const seconds = experiment.spec.duration === undefined ? undefined : parseGoDuration(experiment.spec.duration);
    if (seconds !== undefined) values.set('experiment.finishedAt', formatTime(new Date(Date.parse(availableAt) + seconds * 1000)));
  }
  for (const template of experiment.spec.templates) {
    const rs = replicaSets.get(template.name);
    if (rs === undefined) continue;
    values.set(`templates.${template.name}.podTemplateHash`, rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '');
    values.set(`templates.${template.name}.replicaset.name`, rs.metadata?.name ?? '');
  }
  let unresolved: string | undefined;
  const resolved = value.replace(/\{\{(.*?)\}\}/gu, (_whole, tag: string) => {
    const found = values.get(tag.trim());
    if (found === undefined) unresolved ??= tag;
    return found ?? '';
  });
  return unresolved === undefined ? resolved : new Error(`failed to resolve {{${unresolved}}}`);
}

function newAnalysisRun(
  observation: ExperimentObservation,
  analysis: ExperimentAnalysis,
  replicaSets: ReadonlyMap<string, V1ReplicaSet>,
): { ok: true; run: AnalysisRun } | { ok: false; message: string } {
  const { experiment } = observation;
  const args: AnalysisArgument[] = [];
  for (const arg of analysis.args ?? []) {
    if (arg.value === undefined) {
      args.push({ name: arg.name, ...(arg.valueFrom === undefined ? {} : { valueFrom: arg.valueFrom }) });
      continue;
    }
    const value = resolveExperimentArg(arg.value, experiment, replicaSets);
    if (value instanceof Error) return { ok: false, message: value.message };
    args.push({ name: arg.name, value });
  }
  const flattened = flattenRolloutAnalysis(
    {
      templates: [
        { templateName: analysis.templateName, ...(analysis.clusterScope === undefined ? {} : { clusterScope: analysis.clusterScope }) },
      ],
      ...(experiment.spec.dryRun === undefined ? {} : { dryRun: experiment.spec.dryRun }),
      ...(experiment.spec.measurementRetention === undefined ? {} : { measurementRetention: experiment.spec.measurementRetention }),
    },
    ['spec', 'analyses'],
    observation.templates,
    args,
  );
  if (!flattened.ok) return { ok: false, message: flattened.issue.message };
  // Argo's CreateWithCollisionCounter: `<experiment>-<analysis>`, then `-1`, `-2`… past a run someone else owns.
  const base = `${experiment.metadata?.name ?? ''}-${analysis.name}`;
  let runName = base;
  for (let counter = 1; ; counter += 1) {
    const existing = observation.analysisRuns.get(runName);
    const owner = existing?.metadata?.ownerReferences?.find((reference) => reference['controller'] === true);
    if (existing === undefined || (owner?.['uid'] === experiment.metadata?.uid && !isCompletedPhase(existing.status?.phase))) break;
    runName = `${base}.${String(counter)}`;
  }
  const instanceId = experiment.metadata?.labels?.[CONTROLLER_INSTANCE_ID_LABEL];
  const { analysis: spec } = flattened;
  return {
    ok: true,
    run: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name: runName,
        namespace: experiment.metadata?.namespace ?? 'default',
        labels: {
          ...(instanceId === undefined || instanceId === '' ? {} : { [CONTROLLER_INSTANCE_ID_LABEL]: instanceId }),
          ...(experiment.spec.analysisRunMetadata?.labels ?? {}),
        },
        annotations: { ...(experiment.spec.analysisRunMetadata?.annotations ?? {}) },
        ownerReferences: [experimentOwnerReference(experiment)],
      },
      spec: {
        metrics: spec.metrics,
        ...(spec.args.length === 0 ? {} : { args: spec.args }),
        ...(spec.dryRun.length === 0 ? {} : { dryRun: spec.dryRun }),
        ...(spec.measurementRetention.length === 0 ? {} : { measurementRetention: spec.measurementRetention }),
      },
    },
  };
}

function assessTemplates(experiment: Experiment, status: ExperimentStatus): { phase: Phase; message: string } {
  let worst: TemplateStatusCode = 'Successful';
  let message = '';
  for (const template of experiment.spec.templates) {
    const found = status.templateStatuses?.find((candidate) => candidate.name === template.name);
    if (found === undefined) {
      if (worse(templateOrder, worst, 'Progressing')) worst = 'Progressing';
    } else if (worse(templateOrder, worst, found.status)) {
      worst = found.status ?? worst;
      message = found.message ?? '';
    }
  }
  const phase: Phase =
    worst === 'Progressing'
      ? 'Pending'
      : worst === 'Failed'
        ? 'Failed'
        : worst === 'Error'
          ? 'Error'
          : worst === 'Successful'
            ? 'Successful'
            : 'Running';
  return { phase, message };
}

function assessAnalysisRuns(experiment: Experiment, status: ExperimentStatus): { phase: Phase; message: string } {
  let worst = 'Successful';
  let message = '';
  for (const analysis of experiment.spec.analyses ?? []) {
    const found = status.analysisRuns?.find((candidate) => candidate.name === analysis.name);
    if (worse(analysisOrder, worst, found?.phase)) {
      worst = found?.phase ?? worst;
      message = found?.message ?? '';
    }
  }
  if (requiredAnalysisRunsSuccessful(experiment, status) && worse(analysisOrder, worst, 'Running'))
    return { phase: 'Successful', message: 'Required AnalysisRuns completed' };
  return { phase: (worst === 'Pending' ? 'Running' : worst) as Phase, message };
}

/** Argo's calculateStatus: Pending first, then the worst of templates and analyses decides. */
function calculateStatus(experiment: Experiment, status: ExperimentStatus, now: Date): void {
  const set = (result: { phase: Phase; message: string }): void => {
    status.phase = result.phase;
    if (result.message === '') delete status.message;
    else status.message = result.message;
  };
  if (status.phase === undefined) {
    status.phase = 'Pending';
    return;
  }
  if (status.phase !== 'Pending' && status.phase !== 'Running') return;
  const templates = assessTemplates(experiment, status);
  const analyses = assessAnalysisRuns(experiment, status);
  if (templates.phase === 'Running' && status.availableAt === undefined) status.availableAt = formatTime(now);
  if (isCompletedPhase(templates.phase)) {
    const hasRequired = (experiment.spec.analyses ?? []).some((analysis) => analysis.requiredForCompletion === true);
    set(templates.phase === 'Successful' && (isCompletedPhase(analyses.phase) || hasRequired) ? analyses : templates);
  } else if (isCompletedPhase(analyses.phase) && analyses.phase !== 'Successful') set(analyses);
  else if (requiredAnalysisRunsSuccessful(experiment, status)) set(analyses);
  else set(templates);
}

/** Argo's calculateExperimentConditions: Progressing True while templates change or run, False once completed. */
function calculateConditions(experiment: Experiment, status: ExperimentStatus, nowText: string): void {
  const name = experiment.metadata?.name ?? '';
  const conditions = (status.conditions ?? []).filter((condition) => condition.type !== 'InvalidSpec');
  const previous = conditions.find((condition) => condition.type === 'Progressing');
  const put = (condition: ExperimentCondition, keepTransition: boolean): void => {
    const others = conditions.filter((candidate) => candidate.type !== 'Progressing');
    const same = previous?.status === condition.status && previous.reason === condition.reason;
    if (same && !keepTransition) return;
    status.conditions = [
      ...others,
      { ...condition, lastTransitionTime: previous?.status === condition.status ? (previous.lastTransitionTime ?? nowText) : nowText },
    ];
  };
  status.conditions = conditions;
  const oldTemplates = new Map((experiment.status?.templateStatuses ?? []).map((template) => [template.name, template]));
  const progressed =
    (experiment.status?.templateStatuses?.length ?? 0) < (status.templateStatuses?.length ?? 0) ||
    (status.templateStatuses ?? []).some((template) => {
      const before = oldTemplates.get(template.name);
      return (
        before !== undefined &&
        (before.replicas !== template.replicas ||
          before.updatedReplicas !== template.updatedReplicas ||
          before.readyReplicas !== template.readyReplicas ||
          before.availableReplicas !== template.availableReplicas)
      );
    });
  if (status.phase === 'Successful')
    put(
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ExperimentCompleted',
        message: `Experiment "${name}" has successfully ran and completed.`,
        lastUpdateTime: nowText,
      },
      false,
    );
  else if (progressed)
    put(
      {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `Experiment "${name}" is progressing.`,
        lastUpdateTime: nowText,
      },
      true,
    );
  else if (experiment.status?.availableAt !== undefined && !passedDuration(experiment, new Date(Date.parse(nowText))).passed)
    put(
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `Experiment "${name}" is running.`,
        lastUpdateTime: nowText,
      },
      false,
    );
}

/** Argo's calculateEnqueueDuration: the end of the duration, or the earliest template deadline still open. */
function enqueueAfter(experiment: Experiment, now: Date): number | undefined {
  if (isTerminating(experiment)) return undefined;
  let candidate: number | undefined;
  const { passed, remainingMs } = passedDuration(experiment, now);
  if (experiment.status?.availableAt !== undefined && experiment.spec.duration !== undefined && !passed) candidate = remainingMs;
  const deadlineSeconds = experiment.spec.progressDeadlineSeconds ?? experimentDefaults.progressDeadlineSeconds;
  for (const template of experiment.spec.templates) {
    const found = experiment.status?.templateStatuses?.find((candidateStatus) => candidateStatus.name === template.name);
    if (found === undefined || (found.status !== 'Progressing' && found.status !== 'Running')) continue;
    if ((found.availableReplicas ?? 0) !== desiredReplicas(experiment, template) && found.lastTransitionTime !== undefined) {
      const remaining = Date.parse(found.lastTransitionTime) + deadlineSeconds * 1000 - now.getTime();
      if (candidate === undefined || remaining < candidate) candidate = remaining;
    }
  }
  return candidate;
}
