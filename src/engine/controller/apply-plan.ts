import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { AnalysisRun, Experiment, Rollout } from '../../api/index.js';
import { sameExperimentSpec } from '../canary-experiment.js';
import { isCompletedPhase } from '../experiments/plan-experiment.js';
import { isCompleted } from '../../analysis/assess-analysis-run.js';
import { createEventRecorder, makeCountedApiClient, type EventSubject, type RequestCounter } from '../../kube/index.js';
import type { Logger } from '../../log/index.js';
import { sameStatus } from '../rollout-status.js';
import type { KubeAction, PodTemplateChanges, ReconcilePlan, RolloutEvent } from '../reconcile-types.js';
import { REVISION_ANNOTATION } from '../../api/argo-labels.js';
import type { WriteRefusal } from '../write-refused.js';
import type { TrafficApplier } from './apply-traffic.js';
import { TerminalError } from '../../errors/terminal-error.js';

export { eventSourceComponent } from '../../kube/index.js';

export interface PlanApplier {
  /** Writes the plan's actions and status; its Events are queued and written after (see flushEvents). */
  apply(rollout: Rollout, plan: ReconcilePlan): Promise<ApplyResult>;
  /** Queues Events about the Rollout that no plan decided (RolloutAddedToInformer), in order with the plans' Events. */
  recordEvents(rollout: EventSubject, events: readonly RolloutEvent[]): void;
  /** Resolves when every Event of the plans applied so far is written. */
  flushEvents(): Promise<void>;
}

export interface ApplyResult {
  actions: number;
  statusWritten: boolean;
  /**
   * The Rollout's resourceVersions this apply's writes made stale (the cached one, and the one a revision
   * annotation write produced when the status was written after it): a cached copy still at one of them
   * predates these writes.
   */
  supersededVersions: string[];
  events: number;
  /** Writes the traffic routers sent (0 when their objects already held the plan's weights and routes). */
  routerWrites: number;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ANALYSIS_RUNS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' } as const;
const EXPERIMENTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'experiments' } as const;
const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;
const DESTINATION_RULES = { group: 'networking.istio.io', version: 'v1alpha3', plural: 'destinationrules' } as const;

/**
 * Events that report an action of the plan (a ReplicaSet created or scaled, a Service switched),
 * as opposed to those the new status implies (a step completed, paused, completed). Argo records
 * the former the moment it acts.
 */
const SWITCH_SERVICE = 'SwitchService';
const ACTION_EVENT_REASONS: ReadonlySet<string> = new Set(['RolloutUpdated', 'NewReplicaSetCreated', 'ScalingReplicaSet', SWITCH_SERVICE]);

/**
 * The imperative half of a reconcile: writes a plan to the API server. Every
 * write carries the resourceVersion the plan was decided on, so a concurrent
 * change fails with 409 and the reconcile is retried on fresh state instead
 * of overwriting it. The status is written only when it differs, which is
 * what lets a settled rollout cost zero writes.
 */
export function createPlanApplier(
  kubeConfig: KubeConfig,
  logger: Logger,
  requestCounter?: RequestCounter,
  traffic?: TrafficApplier,
): PlanApplier {
  // Counted clients let tests and /metrics see every write a reconcile makes.
  const apps =
    requestCounter === undefined ? kubeConfig.makeApiClient(AppsV1Api) : makeCountedApiClient(kubeConfig, AppsV1Api, requestCounter);
  const core =
    requestCounter === undefined ? kubeConfig.makeApiClient(CoreV1Api) : makeCountedApiClient(kubeConfig, CoreV1Api, requestCounter);
  const custom =
    requestCounter === undefined
      ? kubeConfig.makeApiClient(CustomObjectsApi)
      : makeCountedApiClient(kubeConfig, CustomObjectsApi, requestCounter);

  /**
   * A ReplicaSet or Service write the API server refuses as malformed (400, 422) came from the Rollout's content and
   * would be refused again: it is raised as a WriteRefusedError for the controller to report on the Rollout.
   * Conflicts, absences, quota (403) and throttling stay ordinary errors, retried (see writeFailure).
   */
  async function applyAction(namespace: string, action: KubeAction): Promise<void> {
    try {
      await applyOne(namespace, action);
    } catch (cause) {
      throw writeFailure(action, cause);
    }
  }

  async function applyOne(namespace: string, action: KubeAction): Promise<void> {
    switch (action.kind) {
      case 'createReplicaSet':
        await apps.createNamespacedReplicaSet({ namespace, body: action.replicaSet });
        return;
      case 'updateReplicaSet': {
        const spec = {
          ...(action.replicas === undefined ? {} : { replicas: action.replicas }),
          ...(action.minReadySeconds === undefined ? {} : { minReadySeconds: action.minReadySeconds }),
          ...(action.template === undefined ? {} : { template: podTemplatePatch(action.template) }),
        };
        const body: Record<string, unknown> = {
          metadata: {
            resourceVersion: action.resourceVersion,
            ...(action.annotations === undefined ? {} : { annotations: action.annotations }),
            ...(action.labels === undefined ? {} : { labels: action.labels }),
          },
          ...(Object.keys(spec).length === 0 ? {} : { spec }),
        };
        await apps.patchNamespacedReplicaSet({ name: action.name, namespace, body }, mergePatch);
        return;
      }
      case 'updatePodMetadata': {
        // Only metadata, and only the keys that change: a merge patch cannot touch the pod's spec or status.
        const body = {
          metadata: {
            resourceVersion: action.resourceVersion,
            ...(action.labels === undefined ? {} : { labels: action.labels }),
            ...(action.annotations === undefined ? {} : { annotations: action.annotations }),
          },
        };
        await core.patchNamespacedPod({ name: action.name, namespace, body }, mergePatch);
        return;
      }
      case 'deleteReplicaSet':
        await apps.deleteNamespacedReplicaSet({
          name: action.name,
          namespace,
          body: { preconditions: { resourceVersion: action.resourceVersion }, propagationPolicy: 'Background' },
        });
        return;
      case 'updateServiceSelector':
        await core.patchNamespacedService(
          {
            name: action.name,
            namespace,
            body: {
              metadata: {
                resourceVersion: action.resourceVersion,
                ...(action.annotations === undefined ? {} : { annotations: action.annotations }),
              },
              spec: { selector: action.selector },
            },
          },
          mergePatch,
        );
        return;
      case 'releaseDestinationRule':
        // Argo's cleanDestRule: an update on the resourceVersion it read; a merge patch here, of exactly what changes.
        await custom.patchNamespacedCustomObject(
          {
            ...DESTINATION_RULES,
            namespace,
            name: action.name,
            body: {
              metadata: { resourceVersion: action.resourceVersion, annotations: action.annotations },
              ...(action.subsets === undefined ? {} : { spec: { subsets: action.subsets } }),
            },
          },
          mergePatch,
        );
        return;
      case 'evictPod':
        try {
          await core.createNamespacedPodEviction({ name: action.name, namespace, body: { metadata: { name: action.name, namespace } } });
        } catch (cause) {
          // Already gone (the cache lagged) is what the eviction wanted; a PodDisruptionBudget's 429 is retried at the restart's next check, as Argo does.
          if (!(cause instanceof ApiException) || (cause.code !== 404 && cause.code !== 429)) throw cause;
          logger.warn(
            { pod: action.name, namespace, status: cause.code },
            cause.code === 404 ? 'pod to evict is already gone' : 'eviction refused by a PodDisruptionBudget; will retry',
          );
        }
        return;
      case 'createAnalysisRun':
        await createAnalysisRun(namespace, action.run);
        return;
      case 'terminateAnalysisRun':
        // Argo's cancelAnalysisRuns: a merge patch of spec.terminate; the run's own controller then stops it.
        await ignoreNotFound(
          custom.patchNamespacedCustomObject(
            { ...ANALYSIS_RUNS, namespace, name: action.name, body: { spec: { terminate: true } } },
            mergePatch,
          ),
          action.name,
        );
        return;
      case 'deleteAnalysisRun':
        await ignoreNotFound(custom.deleteNamespacedCustomObject({ ...ANALYSIS_RUNS, namespace, name: action.name }), action.name);
        return;
      case 'createExperiment':
        await createExperiment(namespace, action.experiment);
        return;
      case 'terminateExperiment':
        // Argo's experimentutil.Terminate: a merge patch of spec.terminate; the Experiment controller then ends it.
        await ignoreNotFound(
          custom.patchNamespacedCustomObject(
            { ...EXPERIMENTS, namespace, name: action.name, body: { spec: { terminate: true } } },
            mergePatch,
          ),
          action.name,
        );
        return;
      case 'deleteExperiment':
        await ignoreNotFound(custom.deleteNamespacedCustomObject({ ...EXPERIMENTS, namespace, name: action.name }), action.name);
        return;
      case 'routeTraffic':
        throw new Error(`routeTraffic in ${namespace} is applied with its Rollout (apply), not alone`);
      case 'setRolloutRevision':
        throw new Error(`setRolloutRevision in ${namespace} is applied with its Rollout (apply), not alone`);
      case 'scaleDeployment':
        // Through the scale subresource: the controller may change a referenced Deployment's replicas and nothing
        // else of it (deploy/cluster-role.yaml grants patch on deployments/scale only). The resourceVersion makes a
        // concurrent change (someone scaling or editing the Deployment) fail with 409.
        await apps.patchNamespacedDeploymentScale(
          {
            name: action.name,
            namespace,
            body: { metadata: { resourceVersion: action.resourceVersion }, spec: { replicas: action.replicas } },
          },
          mergePatch,
        );
        return;
    }
  }

  async function ignoreNotFound(write: Promise<unknown>, name: string): Promise<void> {
    try {
      await write;
    } catch (cause) {
      if (!(cause instanceof ApiException) || cause.code !== 404) throw cause;
      logger.debug({ object: name }, 'already gone');
    }
  }

  /**
   * The planner chose a name no cached run has; a 409 means the cache lagged behind a run this
   * controller created a moment ago (Argo's CreateWithCollisionCounter case). That run is
   * accepted when the same Rollout owns it and it is unfinished; anything else is an error and
   * the reconcile is retried on fresh state, where the planner picks the next name.
   */
  async function createAnalysisRun(namespace: string, run: AnalysisRun): Promise<void> {
    try {
      await custom.createNamespacedCustomObject({ ...ANALYSIS_RUNS, namespace, body: run });
    } catch (cause) {
      if (!(cause instanceof ApiException) || cause.code !== 409) throw cause;
      const name = run.metadata?.name ?? '';
      const existing = (await custom.getNamespacedCustomObject({ ...ANALYSIS_RUNS, namespace, name })) as AnalysisRun;
      const ownerUid = run.metadata?.ownerReferences?.[0]?.uid;
      const ours = (existing.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === ownerUid);
      if (!ours || isCompleted(existing.status?.phase)) throw cause;
      logger.debug({ analysisRun: name, namespace }, 'AnalysisRun already created (stale cache)');
    }
  }

  /**
   * As createAnalysisRun: a 409 is the cache lagging behind an Experiment created a moment ago. It is accepted when
   * the same Rollout owns it, it is unfinished and its spec is the one wanted (Argo's createExperimentWithCollisionHandling);
   * anything else is an error and the reconcile is retried on fresh state, where the planner picks the next name.
   */
  async function createExperiment(namespace: string, experiment: Experiment): Promise<void> {
    try {
      await custom.createNamespacedCustomObject({ ...EXPERIMENTS, namespace, body: experiment });
    } catch (cause) {
      if (!(cause instanceof ApiException) || cause.code !== 409) throw cause;
      const name = experiment.metadata?.name ?? '';
      const existing = (await custom.getNamespacedCustomObject({ ...EXPERIMENTS, namespace, name })) as Experiment;
      const ownerUid = experiment.metadata?.ownerReferences?.[0]?.uid;
      const ours = (existing.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === ownerUid);
      if (!ours || isCompletedPhase(existing.status?.phase) || !sameExperimentSpec(existing.spec, experiment.spec)) throw cause;
      logger.debug({ experiment: name, namespace }, 'Experiment already created (stale cache)');
    }
  }

  /**
   * Set once the API server refused the revision annotation write (403): a role without `patch` on rollouts
   * (deploy/cluster-role.yaml grants only the status subresource) then costs one refused request per
   * process, not one per reconcile. The annotation is informational; the rollout goes on without it.
   */
  let revisionWriteDenied = false;

  /** Argo's setRolloutRevision; answers the Rollout's resourceVersion after the write (undefined when nothing was written). */
  async function setRolloutRevision(rollout: Rollout, revision: string, resourceVersion: string, log: Logger): Promise<string | undefined> {
    if (revisionWriteDenied) return undefined;
    const { name, namespace } = identityOf(rollout);
    try {
      const patched = (await custom.patchNamespacedCustomObject(
        { ...ROLLOUTS, namespace, name, body: { metadata: { resourceVersion, annotations: { [REVISION_ANNOTATION]: revision } } } },
        mergePatch,
      )) as Rollout;
      return patched.metadata?.resourceVersion;
    } catch (cause) {
      if (!(cause instanceof ApiException) || cause.code !== 403) throw cause;
      revisionWriteDenied = true;
      log.warn(
        { status: 403, annotation: REVISION_ANNOTATION },
        'the role may not patch Rollouts: their revision annotation is not written (grant patch on argoproj.io rollouts to have it)',
      );
      return undefined;
    }
  }

  const eventRecorder = createEventRecorder(core);
  function recordEvents(rollout: Rollout, events: readonly RolloutEvent[], log: Logger): void {
    eventRecorder.record(rollout, events, new Date(), log);
  }

  return {
    async apply(rollout, plan) {
      const { name, namespace } = identityOf(rollout);
      const log = logger.child({ rollout: name, namespace });
      let routerWrites = 0;
      // The Rollout as the status write must send it: its resourceVersion moves on when the revision annotation is written first.
      let current = rollout;
      const superseded = new Set<string>();
      // Events recorded with an action rather than after the status (see the routeTraffic case).
      const recordedEarly = new Set<RolloutEvent>();
      for (const action of plan.actions) {
        if (action.kind === 'setRolloutRevision') {
          const version = await setRolloutRevision(current, action.revision, action.resourceVersion, log);
          if (version !== undefined) {
            if (action.resourceVersion !== '') superseded.add(action.resourceVersion);
            current = { ...current, metadata: { ...current.metadata, resourceVersion: version } };
          }
          log.debug({ action: action.kind, revision: action.revision, written: version !== undefined }, 'applied');
          continue;
        }
        if (action.kind === 'routeTraffic') {
          if (traffic === undefined) throw new Error(`Rollout ${namespace}/${name}: a routeTraffic action but no traffic applier`);
          // The Service switches planned before the routers have landed: their SwitchService Events go first, as Argo's
          // reconcileStableAndCanaryService records them before reconcileTrafficRouting writes (and reports) the routers.
          const switched = plan.events.filter((event) => event.reason === SWITCH_SERVICE && !recordedEarly.has(event));
          if (plan.actions.indexOf(action) > 0 && switched.length > 0) {
            recordEvents(rollout, switched, log);
            for (const event of switched) recordedEarly.add(event);
          }
          const outcome = await traffic.apply(rollout, action.operations);
          routerWrites += outcome.writes;
          // The routers' Events ('Updated VirtualService', ...) report writes that landed: recorded now, as Argo's routers do.
          recordEvents(rollout, outcome.events, log);
          log.debug({ action: action.kind, writes: outcome.writes }, 'applied');
          continue;
        }
        await applyAction(namespace, action);
        log.debug({ action: action.kind, target: targetName(action) }, 'applied');
      }
      let statusWritten = false;
      if (!sameStatus(plan.status, rollout.status ?? {})) {
        // PUT on the status subresource: the whole status is replaced (a merge patch could not remove fields),
        // and the resourceVersion in the body makes a stale write fail with 409.
        try {
          await custom.replaceNamespacedCustomObjectStatus({
            group: 'argoproj.io',
            version: 'v1alpha1',
            namespace,
            plural: 'rollouts',
            name,
            body: { ...current, status: plan.status },
          });
        } catch (cause) {
          // Every action has landed and the next reconcile will not repeat them, so their Events would be lost with
          // this status; the Events the status implies are planned again from fresh state and wait for it.
          const actionEvents = plan.events.filter((event) => ACTION_EVENT_REASONS.has(event.reason) && !recordedEarly.has(event));
          recordEvents(rollout, actionEvents, log);
          throw cause;
        }
        statusWritten = true;
        for (const version of [rollout.metadata?.resourceVersion, current.metadata?.resourceVersion])
          if (version !== undefined) superseded.add(version);
      }
      recordEvents(
        rollout,
        plan.events.filter((event) => !recordedEarly.has(event)),
        log,
      );
      return { actions: plan.actions.length, statusWritten, supersededVersions: [...superseded], events: plan.events.length, routerWrites };
    },
    recordEvents(rollout, events) {
      eventRecorder.record(
        rollout,
        events,
        new Date(),
        logger.child({ rollout: rollout.metadata?.name, namespace: rollout.metadata?.namespace }),
      );
    },
    flushEvents: () => eventRecorder.flush(),
  };
}

/**
 * Thrown by apply when the API server refused a write for the Rollout's content (see planWriteRefused). Terminal:
 * the same content gets the same refusal, so after the controller has reported it on the Rollout the key queue
 * forgets the key instead of backing off forever; the Rollout's next change queues it again.
 */
export class WriteRefusedError extends TerminalError {
  readonly refusal: WriteRefusal;
  constructor(refusal: WriteRefusal, cause: unknown) {
    super(`${refusal.object}: HTTP ${String(refusal.status)}: ${refusal.message}`, { cause, code: 'WRITE_REFUSED' });
    this.refusal = refusal;
  }
}

/**
 * What a failed write of an action is to the key queue: a WriteRefusedError (terminal) when the API server refused
 * it as malformed (400, 422) for a write the Rollout's content shapes; the error itself, retried with backoff,
 * otherwise (a 409 conflict is the optimistic-concurrency check, and the next reconcile reads fresh state).
 */
export function writeFailure(action: KubeAction, cause: unknown): unknown {
  const refused = refusalOf(action, cause);
  return refused === undefined ? cause : new WriteRefusedError(refused, cause);
}

/** The refusal an API error is, for the writes a Rollout's content shapes; undefined for any other error. */
function refusalOf(action: KubeAction, cause: unknown): WriteRefusal | undefined {
  if (!(cause instanceof ApiException) || (cause.code !== 400 && cause.code !== 422)) return undefined;
  let object: string;
  let name: string;
  if (action.kind === 'createReplicaSet')
    [object, name] = [`ReplicaSet "${action.replicaSet.metadata?.name ?? ''}"`, action.replicaSet.metadata?.name ?? ''];
  else if (action.kind === 'updateReplicaSet') [object, name] = [`ReplicaSet "${action.name}"`, action.name];
  else if (action.kind === 'updateServiceSelector') [object, name] = [`Service "${action.name}"`, action.name];
  else return undefined;
  const causes = statusCauses(cause);
  return { action, object, name, status: cause.code, message: statusMessage(cause), ...(causes.length === 0 ? {} : { causes }) };
}

function statusBody(cause: ApiException<unknown>): Record<string, unknown> | undefined {
  const body: unknown = typeof cause.body === 'string' ? safeJson(cause.body) : cause.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
}

/** Status.details.causes with a field and a message (the API server's field errors, in its order). */
function statusCauses(cause: ApiException<unknown>): { field: string; message: string }[] {
  const details = statusBody(cause)?.['details'];
  const causes: unknown = typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['causes'] : undefined;
  if (!Array.isArray(causes)) return [];
  return causes.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { field, message } = entry as Record<string, unknown>;
    return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
  });
}

/** The Status.message of an API error's body, or its status line when the body is not a Status. */
function statusMessage(cause: ApiException<unknown>): string {
  const message = statusBody(cause)?.['message'];
  return typeof message === 'string' && message !== '' ? message : `HTTP ${String(cause.code)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Where a Rollout from the informer cache lives; the API server always sets these. */
export function identityOf(rollout: Rollout): { name: string; namespace: string; uid?: string; resourceVersion?: string } {
  const metadata = rollout.metadata ?? {};
  return {
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? 'default',
    ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
    ...(metadata.resourceVersion === undefined ? {} : { resourceVersion: metadata.resourceVersion }),
  };
}

/** The merge patch of spec.template an updateReplicaSet carries: its metadata maps (null removes a key) and its affinity patch. */
function podTemplatePatch(changes: PodTemplateChanges): Record<string, unknown> {
  const metadata = {
    ...(changes.labels === undefined ? {} : { labels: changes.labels }),
    ...(changes.annotations === undefined ? {} : { annotations: changes.annotations }),
  };
  return {
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
    ...(changes.affinity === undefined ? {} : { spec: { affinity: changes.affinity } }),
  };
}

function targetName(action: KubeAction): string {
  if (action.kind === 'createReplicaSet') return action.replicaSet.metadata?.name ?? '';
  if (action.kind === 'routeTraffic') return action.operations.map((operation) => operation.op).join(',');
  if (action.kind === 'createAnalysisRun') return action.run.metadata?.name ?? '';
  if (action.kind === 'createExperiment') return action.experiment.metadata?.name ?? '';
  if (action.kind === 'setRolloutRevision') return action.revision;
  return action.name;
}
