import type { CoreV1Api, KubeConfig, KubernetesObject, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { CoreV1Api as CoreApi } from '@kubernetes/client-node';
import {
  EXPERIMENT_NAME_ANNOTATION,
  EXPERIMENT_TEMPLATE_NAME_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  isHandledByInstance,
} from '../../api/argo-labels.js';
import { canonicalJson } from '../../api/canonical-json.js';
import { experimentSchema, validateExperiment, type AnalysisRun, type Experiment, type ExperimentStatus } from '../../api/index.js';
import {
  apiPath,
  createController,
  createControllerIndex,
  createEventRecorder,
  createManager,
  createRestClient,
  isConflict,
  makeCountedApiClient,
  statusCodeOf,
  systemClock,
  watch,
  type Clock,
  type KeyQueue,
  type Manager,
  type RequestCounter,
} from '../../kube/index.js';
import type { Logger } from '../../log/index.js';
import { planExperiment, type ExperimentAction, type ExperimentPlan } from '../experiments/plan-experiment.js';
import { observeAnalysis } from './observe-analysis.js';

/*
 * The Experiment controller's shell, the Rollout controller's pattern: shared informers over
 * Experiments and what they own (ReplicaSets, Services, AnalysisRuns) → key queue → the pure
 * planner → actions applied in order (creates, scales, annotations, run termination) → the whole
 * Experiment written back with its resourceVersion when the status changed (no status subresource,
 * as Argo's CRD) → Events → requeue at the planner's next deadline. A write the API server refuses
 * for the template (a pod template it rejects) becomes that template's Error, as in Argo.
 */

export interface ExperimentControllerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  namespace?: string;
  instanceId?: string;
  workers?: number;
  clock?: Clock;
  requestCounter?: RequestCounter;
  manager?: Manager;
}

export interface ExperimentController {
  start(): Promise<void>;
  stop(): Promise<void>;
  queue: KeyQueue;
}

type Raw = KubernetesObject & { metadata?: { ownerReferences?: { uid: string; kind?: string; name?: string; controller?: boolean }[] } };

const argo = { group: 'argoproj.io', version: 'v1alpha1' };

function ownerExperimentKeys(object: Raw, event: string): string[] {
  if (event === 'delete' && object.kind === 'AnalysisRun') return [];
  const owner = object.metadata?.ownerReferences?.find((reference) => reference.controller === true && reference.kind === 'Experiment');
  return owner?.name === undefined ? [] : [`${object.metadata?.namespace ?? 'default'}/${owner.name}`];
}

export function createExperimentController(options: ExperimentControllerOptions): ExperimentController {
  const { kubeConfig, namespace } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'experiment-controller' });
  const counter = options.requestCounter;
  const rest = createRestClient(kubeConfig, counter === undefined ? {} : { requestCounter: counter });
  const core: CoreV1Api = counter === undefined ? kubeConfig.makeApiClient(CoreApi) : makeCountedApiClient(kubeConfig, CoreApi, counter);
  const manager =
    options.manager ?? createManager({ kubeConfig, clock, logger, ...(counter === undefined ? {} : { requestCounter: counter }) });
  const informer = <T extends KubernetesObject>(spec: { group?: string; version: string; resource: string; labelSelector?: string }) =>
    manager.informer<T>({ ...spec, namespace }, 'experiments');
  const experiments = informer<KubernetesObject>({ ...argo, resource: 'experiments' });
  // The same selector as the Rollout controller's: one shared cache (an Experiment's ReplicaSets carry the hash label too).
  const replicaSets = informer<V1ReplicaSet & { metadata: object }>({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    labelSelector: POD_TEMPLATE_HASH_LABEL,
  });
  const services = informer<V1Service & { metadata: object }>({ version: 'v1', resource: 'services' });
  const analysisRuns = informer<KubernetesObject>({ ...argo, resource: 'analysisruns' });
  const analysisTemplates = informer<KubernetesObject>({ ...argo, resource: 'analysistemplates' });
  const clusterAnalysisTemplates = manager.informer<KubernetesObject>({ ...argo, resource: 'clusteranalysistemplates' }, 'experiments');
  const replicaSetsByController = createControllerIndex(replicaSets);
  const servicesByController = createControllerIndex(services);
  const runsByController = createControllerIndex(analysisRuns);
  const eventRecorder = createEventRecorder(core);

  function experimentKeys(object: KubernetesObject): string[] {
    return isHandledByInstance(object.metadata?.labels, options.instanceId)
      ? [`${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`]
      : [];
  }

  /** Argo's getReplicaSetsForExperiment / getServicesForExperiment: owned, annotated with this Experiment and a template it has. */
  function byTemplate<T extends Raw>(owned: readonly T[], experiment: Experiment): Map<string, T> {
    const names = new Set(experiment.spec.templates.map((template) => template.name));
    const found = new Map<string, T>();
    for (const object of owned) {
      const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
      if (annotations?.[EXPERIMENT_NAME_ANNOTATION] !== experiment.metadata?.name) continue;
      const template = annotations?.[EXPERIMENT_TEMPLATE_NAME_ANNOTATION] ?? '';
      if (names.has(template)) found.set(template, object);
    }
    return found;
  }

  /** Applies one action; a refusal that is the template's (not a conflict) is returned as its message. */
  async function apply(experiment: Experiment, action: ExperimentAction, written: Set<string>): Promise<string | undefined> {
    const ns = experiment.metadata?.namespace ?? 'default';
    try {
      switch (action.kind) {
        case 'createReplicaSet':
          await rest.request({
            method: 'POST',
            path: apiPath({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: ns }),
            body: action.replicaSet,
          });
          return undefined;
        case 'scaleReplicaSet': {
          // Conditional on the version the planner saw (a merge patch naming metadata.resourceVersion is refused
          // with 409 when it moved), unless this pass itself moved it (its scale-down deadline, just written).
          const seen = written.has(action.name) ? undefined : action.resourceVersion;
          await rest.request({
            method: 'PATCH',
            path: apiPath({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: ns, name: action.name }),
            body: { ...(seen === undefined ? {} : { metadata: { resourceVersion: seen } }), spec: { replicas: action.replicas } },
            contentType: 'application/merge-patch+json',
          });
          written.add(action.name);
          return undefined;
        }
        case 'setScaleDownDeadline':
          written.add(action.name);
          await rest.request({
            method: 'PATCH',
            path: apiPath({ group: 'apps', version: 'v1', resource: 'replicasets', namespace: ns, name: action.name }),
            body: { metadata: { annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: action.deadline } } },
            contentType: 'application/merge-patch+json',
          });
          return undefined;
        case 'createService':
          await rest.request({
            method: 'POST',
            path: apiPath({ version: 'v1', resource: 'services', namespace: ns }),
            body: action.service,
          });
          return undefined;
        case 'deleteService':
          await rest.request({
            method: 'DELETE',
            path: apiPath({ version: 'v1', resource: 'services', namespace: ns, name: action.name }),
          });
          return undefined;
        case 'createAnalysisRun':
          await rest.request({ method: 'POST', path: apiPath({ ...argo, resource: 'analysisruns', namespace: ns }), body: action.run });
          return undefined;
        case 'terminateAnalysisRun':
          await rest.request({
            method: 'PATCH',
            path: apiPath({ ...argo, resource: 'analysisruns', namespace: ns, name: action.name }),
            body: { spec: { terminate: true } },
            contentType: 'application/merge-patch+json',
          });
          return undefined;
      }
    } catch (cause) {
      const code = statusCodeOf(cause);
      // Already there (a cache behind our own create) or gone: the next pass sees the truth.
      if ((code === 409 && action.kind.startsWith('create')) || (code === 404 && action.kind === 'deleteService')) return undefined;
      if (isConflict(cause) || code === undefined || code >= 500 || code === 429) throw cause;
      const detail = (cause as { body?: { message?: string } }).body?.message ?? (cause instanceof Error ? cause.message : String(cause));
      switch (action.kind) {
        case 'createReplicaSet':
          return `Failed to create ReplicaSet for template '${action.template}': ${detail}`;
        case 'createService':
          return `Failed to create Service ${action.service.metadata?.name ?? ''} for template '${action.template}': ${detail}`;
        case 'scaleReplicaSet':
          return `Unable to scale ReplicaSet for template '${action.template}' to desired replica count '${String(action.replicas)}': ${detail}`;
        default:
          throw cause;
      }
    }
  }

  /** The Event the planner wrote for a write (a scale or a run's termination), by the names its message carries. */
  function eventOfAction(action: ExperimentAction, event: { reason: string; message?: string }): boolean {
    const message = event.message ?? '';
    if (action.kind === 'scaleReplicaSet')
      return event.reason === 'ScalingReplicaSet' && message.includes(`ReplicaSet ${action.name} from `);
    if (action.kind === 'terminateAnalysisRun') return event.reason === 'AnalysisRunTerminating' && message.endsWith(`(${action.name})`);
    return false;
  }

  function templateOf(action: ExperimentAction): string | undefined {
    return 'template' in action ? action.template : undefined;
  }

  /** A template's refusal: its status Error with Argo's message (the experiment turns Error on the next pass). */
  function withTemplateErrors(status: ExperimentStatus, errors: ReadonlyMap<string, string>): ExperimentStatus {
    if (errors.size === 0) return status;
    return {
      ...status,
      templateStatuses: (status.templateStatuses ?? []).map((template) => {
        const message = errors.get(template.name);
        return message === undefined ? template : { ...template, status: 'Error', message };
      }),
    };
  }

  async function reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [ns = 'default', name = ''] = key.split('/');
    const raw = experiments.get(ns, name);
    if (raw === undefined || !isHandledByInstance(raw.metadata?.labels, options.instanceId)) return undefined;
    if ((raw.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp !== undefined) return undefined;
    const log = logger.child({ experiment: name, namespace: ns });
    const validated = validateExperiment(raw);
    // The schema's refusal is the one case without an Experiment to plan on: reported in the log, like an unreadable AnalysisRun.
    const parsed = validated.ok ? validated.experiment : experimentSchema.safeParse(raw).data;
    if (parsed === undefined) {
      log.warn({ issues: validated.ok ? [] : validated.issues.slice(0, 3) }, 'Experiment does not match the schema; not reconciled');
      return undefined;
    }
    const uid = raw.metadata?.uid;
    const owned = <T extends Raw>(index: { controlledBy(uid: string | undefined): readonly T[] }): T[] => [...index.controlledBy(uid)];
    // The templates only (no runs are passed, so the owner the function filters runs by does not matter).
    const { analysisTemplates: templates } = observeAnalysis({
      rollout: { metadata: { uid: '' } } as never,
      analysisRuns: [],
      analysisTemplates: analysisTemplates.list().filter((template) => template.metadata?.namespace === ns),
      clusterAnalysisTemplates: clusterAnalysisTemplates.list(),
    });
    const runs = new Map<string, AnalysisRun>();
    for (const run of analysisRuns.list()) {
      if (run.metadata?.namespace !== ns) continue;
      runs.set(run.metadata.name ?? '', run as unknown as AnalysisRun);
    }
    for (const run of owned(runsByController)) runs.set(run.metadata?.name ?? '', run as unknown as AnalysisRun);
    const plan: ExperimentPlan = planExperiment({
      experiment: parsed,
      replicaSets: byTemplate(owned(replicaSetsByController), parsed),
      services: byTemplate(owned(servicesByController), parsed),
      analysisRuns: runs,
      templates,
      now: new Date(clock.now()),
    });
    const errors = new Map<string, string>();
    /** ReplicaSets this pass has already written (their version has moved under the plan). */
    const written = new Set<string>();
    const subject = { ...raw, apiVersion: 'argoproj.io/v1alpha1', kind: 'Experiment' };
    // The Events go out in the planner's order, Argo's (per template: its scaling, then its transition), once the
    // status that records the transitions is written. A later write that fails (a conflict: this pass ran on a stale
    // copy) must not lose the Events of writes already made, since the next pass finds the ReplicaSet scaled and
    // would not tell again: those go out before the error is rethrown.
    const done: ExperimentAction[] = [];
    const ofDone = (event: { reason: string; message?: string }): boolean => done.some((action) => eventOfAction(action, event));
    for (const action of plan.actions) {
      const template = templateOf(action);
      if (template !== undefined && errors.has(template)) continue;
      let refused: string | undefined;
      try {
        refused = await apply(parsed, action, written);
      } catch (cause) {
        eventRecorder.record(subject, plan.events.filter(ofDone), new Date(clock.now()), log);
        throw cause;
      }
      if (refused !== undefined && template !== undefined) {
        errors.set(template, refused);
        log.warn({ template, message: refused }, 'a write for the template was refused');
      } else done.push(action);
    }
    const status = withTemplateErrors(plan.status, errors);
    if (canonicalJson(parsed.status ?? {}) !== canonicalJson(status)) {
      try {
        // No status subresource (Argo's CRD has none): the whole object, at the resourceVersion it was read.
        await rest.request({
          method: 'PUT',
          path: apiPath({ ...argo, resource: 'experiments', namespace: ns, name }),
          body: { ...raw, status },
        });
      } catch (cause) {
        eventRecorder.record(subject, plan.events.filter(ofDone), new Date(clock.now()), log);
        throw cause;
      }
    }
    eventRecorder.record(subject, plan.events, new Date(clock.now()), log);
    // An experiment step's AnalysisRun transitions, told to its Rollout too (Argo reads the Rollout for them; the
    // owner reference names it and its uid, all an Event's involvedObject needs).
    const rolloutOwner = raw.metadata?.ownerReferences?.find((owner) => owner.kind === 'Rollout');
    if (rolloutOwner !== undefined && plan.rolloutEvents.length > 0)
      eventRecorder.record(
        {
          apiVersion: rolloutOwner.apiVersion,
          kind: 'Rollout',
          metadata: { name: rolloutOwner.name, namespace: ns, uid: rolloutOwner.uid },
        },
        plan.rolloutEvents,
        new Date(clock.now()),
        log,
      );
    if (plan.actions.length > 0 || plan.events.length > 0)
      log.info(
        { phase: status.phase, actions: plan.actions.map((action) => action.kind), events: plan.events.map((event) => event.reason) },
        'reconciled',
      );
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  return createController({
    name: 'experiments',
    logger,
    watches: [
      watch(experiments, experimentKeys),
      watch(replicaSets, (object, event) => ownerExperimentKeys(object as Raw, event)),
      watch(services, (object, event) => ownerExperimentKeys(object as Raw, event)),
      watch(analysisRuns, (object, event) => ownerExperimentKeys({ ...object, kind: 'AnalysisRun' }, event)),
    ],
    reads: [analysisTemplates, clusterAnalysisTemplates] as never,
    queue: { clock, workers: options.workers ?? 10, minDelayMs: 10 },
    beforeRun() {
      logger.info({ namespace: options.namespace ?? '(all)', experiments: experiments.list().length }, 'caches synced; reconciling');
    },
    async reconcile(key) {
      try {
        return await reconcile(key);
      } catch (cause) {
        if (isConflict(cause)) logger.debug({ key, status: 409 }, 'write conflict; reconciling again on fresh state');
        else logger.warn({ key, err: cause }, 'reconcile failed; retrying with backoff');
        throw cause;
      }
    },
    afterStop: () => eventRecorder.flush(),
  });
}
