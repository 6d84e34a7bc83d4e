import {
  ApiException,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
  type V1Service,
} from '@kubernetes/client-node';
import { experimentSchema, validateRollout, type Experiment, type Rollout } from '../../api/index.js';
import {
  createController,
  createControllerIndex,
  createManager,
  createRestClient,
  systemClock,
  watch,
  type Clock,
  type InformerEvent,
  type InformerSpec,
  type KeyQueue,
  type Manager,
  type RequestCounter,
  type SharedInformer,
} from '../../kube/index.js';
import { createCachedTrafficKube, createTrafficKube, routerObjectRefs, routerRollout, type RouterObjects } from '../../traffic/index.js';
import type { Logger } from '../../log/index.js';
import { isHandledByInstance, MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../../api/argo-labels.js';
import { planRollout, planUnplannable } from '../plan-rollout.js';
import type { ReconcilePlan, RolloutObservation } from '../reconcile-types.js';
import { hasMalformedQuantity } from '../tolerant-template.js';
import { planWriteRefused } from '../write-refused.js';
import { WriteRefusedError, createPlanApplier } from './apply-plan.js';
import { createTrafficApplier } from './apply-traffic.js';
import { createTrafficInformers } from './traffic-informers.js';
import type { ControllerMetrics } from './metrics.js';
import { observeAnalysis, usesAnalysis } from './observe-analysis.js';
import { createInformerMembership } from './informer-membership.js';
import { observeRollout, referencedDeploymentName, referencedServiceNames } from './observe-rollout.js';
import { createNotifier, type NotifierSettings } from '../../notifications/index.js';

export interface RolloutControllerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Watch one namespace only; all namespaces when absent. */
  namespace?: string;
  /** Argo's --instance-id: handle only Rollouts labelled with it (or only unlabelled ones when absent). */
  instanceId?: string;
  workers?: number;
  clock?: Clock;
  metrics?: ControllerMetrics;
  requestCounter?: RequestCounter;
  /** The pure decision; injectable so tests can drive the shell with a planner of their own. */
  planner?: (observation: RolloutObservation) => ReconcilePlan;
  /** The cluster's manager, whose informers this controller shares (`gradual start`); one of its own when absent. */
  manager?: Manager;
  /** Argo's notifications (argo-rollouts-notification-configmap in this namespace); off when absent. */
  notifications?: NotifierSettings;
}

export interface RolloutController {
  /** Starts the informers, waits for their first sync, then runs the workers until stop(). */
  start(): Promise<void>;
  stop(): Promise<void>;
  queue: KeyQueue;
}

function keyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}

/**
 * The controller shell: informers fill caches, their events enqueue Rollout
 * keys, and each reconcile reads the newest cached objects (never a queued
 * copy), asks the pure planner, applies the plan, and asks the queue to come
 * back at the plan's next deadline. It never sleeps or polls.
 */
export function createRolloutController(options: RolloutControllerOptions): RolloutController {
  const { kubeConfig, namespace, instanceId } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'rollout-controller', ...(instanceId === undefined ? {} : { instanceId }) });
  const planner = options.planner ?? planRollout;
  const counting = options.requestCounter === undefined ? {} : { requestCounter: options.requestCounter };
  const rest = createRestClient(kubeConfig, counting);
  const notifier =
    options.notifications === undefined
      ? undefined
      : createNotifier({
          ...options.notifications,
          rest,
          logger,
          now: () => clock.now(),
          ...(options.metrics === undefined ? {} : { registry: options.metrics.registry }),
          recordEvent: (rollout, event) => {
            applier.recordEvents(rollout, [event]);
          },
        });
  const manager = options.manager ?? createManager({ kubeConfig, clock, logger, ...counting });
  const informer = <T extends KubernetesObject>(spec: InformerSpec): SharedInformer<T> =>
    manager.informer<T>({ ...spec, namespace }, 'rollouts');
  const argo = { group: 'argoproj.io', version: 'v1alpha1' };
  const rollouts = informer<KubernetesObject>({ ...argo, resource: 'rollouts' });
  // Only ReplicaSets and pods carrying the pod-template-hash label a Rollout's ReplicaSets are made with, filtered by
  // the API server as Argo's ReplicaSet informer is: a Deployment's or a Job's pods are not cached (a cluster may hold
  // thousands), and Argo, seeing none without the label, claims none either.
  const ownedByRollouts = { labelSelector: POD_TEMPLATE_HASH_LABEL };
  const replicaSets = informer<V1ReplicaSet & { metadata: object }>({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    ...ownedByRollouts,
  });
  const services = informer<V1Service & { metadata: object }>({ version: 'v1', resource: 'services' });
  const pods = informer<V1Pod & { metadata: object }>({ version: 'v1', resource: 'pods', ...ownedByRollouts });
  // The Deployments workloadRefs name: a change of one's template is a new revision of the Rollouts that reference it.
  const deployments = informer<V1Deployment & { metadata: object }>({ group: 'apps', version: 'v1', resource: 'deployments' });
  const analysisRuns = informer<KubernetesObject>({ ...argo, resource: 'analysisruns' });
  const analysisTemplates = informer<KubernetesObject>({ ...argo, resource: 'analysistemplates' });
  // The Experiments of canary experiment steps (the Experiment controller watches the same cache).
  const experiments = informer<KubernetesObject>({ ...argo, resource: 'experiments' });
  // Cluster-scoped: watched whole even when the controller watches one namespace.
  const clusterAnalysisTemplates = manager.informer<KubernetesObject>({ ...argo, resource: 'clusteranalysistemplates' }, 'rollouts');
  // A reconcile reads its own Rollout's ReplicaSets, their pods and its AnalysisRuns, not the namespace's.
  const replicaSetsByController = createControllerIndex(replicaSets);
  const podsByController = createControllerIndex(pods);
  const analysisRunsByController = createControllerIndex(analysisRuns);

  function rolloutKeys(object: KubernetesObject): string[] {
    return isHandledByInstance(object.metadata?.labels, instanceId) ? [keyOf(object.metadata?.namespace, object.metadata?.name)] : [];
  }

  function ownerRolloutOf(object: {
    metadata?: { namespace?: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  }): string | undefined {
    const owner = object.metadata?.ownerReferences?.find((ref) => ref.controller === true && ref.kind === 'Rollout');
    return owner === undefined ? undefined : keyOf(object.metadata?.namespace, owner.name);
  }

  function ownerOf(object: KubernetesObject): string[] {
    const key = ownerRolloutOf(object);
    return key === undefined ? [] : [key];
  }

  function ownerOfPod(pod: V1Pod): string[] {
    const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller === true && ref.kind === 'ReplicaSet');
    if (owner === undefined) return [];
    const replicaSet = replicaSets.get(pod.metadata?.namespace ?? 'default', owner.name);
    return replicaSet === undefined ? [] : ownerOf(replicaSet);
  }

  function rolloutsNaming(service: V1Service): string[] {
    const serviceNamespace = service.metadata?.namespace ?? 'default';
    return rollouts.list(serviceNamespace).flatMap((rollout) => {
      const validation = validateRollout(rollout);
      return validation.ok && referencedServiceNames(validation.rollout).includes(service.metadata?.name ?? '') ? rolloutKeys(rollout) : [];
    });
  }

  // The generation each Deployment had when last seen. A Deployment's status changes many times while its own
  // controller scales it; only its spec (generation: template, replicas) matters to a Rollout, and a reconcile
  // per status change would mostly race the Rollout's own status write (409) for nothing.
  const deploymentGenerations = new Map<string, number | undefined>();

  function rolloutsReferencing(deployment: V1Deployment, event: InformerEvent): string[] {
    const key = keyOf(deployment.metadata?.namespace, deployment.metadata?.name);
    const generation = deployment.metadata?.generation;
    const unchanged = event === 'update' && deploymentGenerations.has(key) && deploymentGenerations.get(key) === generation;
    if (event === 'delete') deploymentGenerations.delete(key);
    else deploymentGenerations.set(key, generation);
    if (unchanged) return [];
    const deploymentNamespace = deployment.metadata?.namespace ?? 'default';
    return rollouts.list(deploymentNamespace).flatMap((rollout) => {
      const validation = validateRollout(rollout);
      return validation.ok && referencedDeploymentName(validation.rollout) === deployment.metadata?.name ? rolloutKeys(rollout) : [];
    });
  }

  /** A template appearing, changing or going can make a Rollout valid or invalid: wake the ones that use analysis. */
  function rolloutsUsingAnalysis(template: KubernetesObject): string[] {
    const templateNamespace = template.metadata?.namespace;
    return rollouts.list(templateNamespace).flatMap((rollout) => {
      const validation = validateRollout(rollout);
      return validation.ok && usesAnalysis(validation.rollout) ? rolloutKeys(rollout) : [];
    });
  }

  /**
   * A router object changed (by us or by hand): the Rollouts of its namespace that route traffic reconcile, and put it
   * back if needed; so does the Rollout it says manages it (a DestinationRule it may have to release, as Argo's
   * syncDestinationRule is enqueued for every rule change).
   */
  function enqueueRolloutsRouting(object: KubernetesObject): void {
    const managing = object.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION];
    for (const rollout of rollouts.list(object.metadata?.namespace)) {
      const validation = validateRollout(rollout);
      if ((validation.ok && validation.rollout.spec.strategy?.canary?.trafficRouting !== undefined) || rollout.metadata?.name === managing)
        for (const key of rolloutKeys(rollout)) controller.queue.add(key);
    }
  }
  // On the cluster's manager like the other kinds: one cache per router kind, whoever else reads it.
  const trafficInformers = createTrafficInformers(rest, {
    informer: (spec) => informer<KubernetesObject>(spec),
    logger,
    namespace,
    onChange: enqueueRolloutsRouting,
  });
  // The routers read the router informers' caches, and live only what our own writes have made stale.
  const routerKube = createCachedTrafficKube(createTrafficKube(rest), trafficInformers);
  const traffic = createTrafficApplier(routerKube);
  const applier = createPlanApplier(kubeConfig, logger, options.requestCounter, traffic);

  // Argo's RolloutAddedToInformer: recorded as the Rollout enters this instance's view, before its first reconcile's Events.
  const membership = createInformerMembership();
  function noteMembership(object: KubernetesObject, event: InformerEvent): void {
    const key = keyOf(object.metadata?.namespace, object.metadata?.name);
    if (event === 'delete') {
      membership.forget(key);
      return;
    }
    const added = membership.seen(key, isHandledByInstance(object.metadata?.labels, instanceId));
    // Argo records it only for a Rollout its strict conversion reads: not for one with a malformed quantity.
    if (added === undefined || hasMalformedQuantity(object)) return;
    applier.recordEvents(object, [added]);
    options.metrics?.countEvent(object.metadata?.namespace ?? 'default', object.metadata?.name ?? '', added.type, added.reason);
  }

  function abortPending(object: KubernetesObject): boolean {
    const status = (object as { status?: { abort?: unknown; phase?: unknown } }).status;
    return status?.abort === true && status.phase !== 'Degraded';
  }

  function analysisRunConcluded(object: KubernetesObject): boolean {
    const phase = (object as { status?: { phase?: unknown } }).status?.phase;
    return phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
  }

  /** An Experiment as the planner reads it; one that does not parse keeps its name (taken) and phase, with no templates to equal. */
  function readExperiment(raw: KubernetesObject): Experiment {
    const parsed = experimentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const status = (raw as { status?: Experiment['status'] }).status;
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Experiment',
      metadata: raw.metadata as Experiment['metadata'],
      spec: { templates: [] },
      ...(status === undefined ? {} : { status }),
    };
  }

  const watches = [
    watch(
      rollouts,
      (object, event) => {
        // Before the enqueue's reconcile can record anything: Argo's AddFunc records it as it enqueues.
        noteMembership(object, event);
        return rolloutKeys(object);
      },
      // An abort asked for and not yet carried out (the canary still takes traffic): ahead of the queue.
      (object) => abortPending(object),
    ),
    // A failed or inconclusive run aborts or pauses its Rollout: ahead of the queue.
    watch(analysisRuns, ownerOf, (object) => analysisRunConcluded(object)),
    // An Experiment that ends moves its Rollout's step on, or aborts it.
    watch(experiments, ownerOf, (object) => analysisRunConcluded(object)),
    watch(analysisTemplates, rolloutsUsingAnalysis),
    watch(clusterAnalysisTemplates, rolloutsUsingAnalysis),
    watch(replicaSets, ownerOf),
    watch(pods, ownerOfPod),
    watch(services, rolloutsNaming),
    watch(deployments, rolloutsReferencing),
  ];

  /**
   * The resourceVersions each Rollout had before this controller last wrote it (its status, and the
   * revision annotation written just before). The writes succeeded with those versions as their
   * preconditions, so a cached copy still at one of them predates our own writes: deciding on it would repeat the last reconcile's creations (an AnalysisRun the stale status
   * does not name yet would be created a second time under the next name). The watch event of the
   * write is on its way and enqueues the Rollout again.
   */
  const statusWrittenFrom = new Map<string, ReadonlySet<string>>();

  /** The InvalidSpec message last written for a Rollout its reconcile could not plan: logged once, not per event. */
  const unplannable = new Map<string, string>();

  async function reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [rolloutNamespace = 'default', name = ''] = key.split('/');
    const raw = rollouts.get(rolloutNamespace, name);
    if (raw === undefined) {
      // Deleted: its ReplicaSets go with it through their ownerReferences (garbage collection).
      options.metrics?.forgetRollout(rolloutNamespace, name);
      statusWrittenFrom.delete(key);
      unplannable.delete(key);
      return undefined;
    }
    if (!isHandledByInstance(raw.metadata?.labels, instanceId)) return undefined;
    const cachedVersion = raw.metadata?.resourceVersion;
    if (cachedVersion !== undefined && statusWrittenFrom.get(key)?.has(cachedVersion) === true) {
      logger.debug(
        { rollout: name, namespace: rolloutNamespace, resourceVersion: cachedVersion },
        'cache predates our status write; waiting for its watch event',
      );
      // A safety net only: the watch event normally comes first.
      return { requeueAfterMs: 1000 };
    }
    statusWrittenFrom.delete(key);
    const startedAt = clock.now();
    const log = logger.child({ rollout: name, namespace: rolloutNamespace });
    let failed = false;
    // A write the API server refused for this Rollout's content, once reported on it (see below).
    let refused: WriteRefusedError | undefined;
    try {
      const validation = validateRollout(raw);
      // An invalid spec still gets a plan (its InvalidSpec condition); planRollout validates again and says why.
      const rollout = validation.ok ? validation.rollout : (raw as unknown as Rollout);
      const now = new Date(clock.now());
      const routerObjects = validation.ok ? await routerObjectsOf(rollout) : undefined;
      // The validation travels with the observation: the planner reuses it instead of validating the Rollout again.
      let observation: RolloutObservation = {
        rollout,
        validation,
        replicaSets: [],
        services: {},
        pods: [],
        now,
        ...(routerObjects === undefined ? {} : { routerObjects }),
      };
      let plan: ReconcilePlan;
      try {
        const ownReplicaSets = replicaSetsByController.controlledBy(raw.metadata?.uid);
        const observed = observeRollout({
          rollout,
          replicaSets: ownReplicaSets,
          services: services.list(rolloutNamespace),
          pods: ownReplicaSets.flatMap((replicaSet) => podsByController.controlledBy(replicaSet.metadata.uid)),
          deployments: deployments.list(rolloutNamespace),
          destinationRules: trafficInformers.list('destinationrules', rolloutNamespace),
          now,
        });
        observation = {
          ...observed,
          validation,
          ...(routerObjects === undefined ? {} : { routerObjects }),
          experiments: experiments.list(rolloutNamespace).map(readExperiment),
          ...observeAnalysis({
            rollout,
            analysisRuns: analysisRunsByController.controlledBy(raw.metadata?.uid),
            analysisTemplates: analysisTemplates.list(rolloutNamespace),
            clusterAnalysisTemplates: clusterAnalysisTemplates.list(),
          }),
        };
        plan = planner(observation);
        unplannable.delete(key);
      } catch (cause) {
        // Observing and planning are pure: what throws there is the Rollout's content (or what it references), and
        // would throw again on every retry. It becomes the InvalidSpec condition, and nothing is requeued: the next
        // watch event (the Rollout, its template or its workload changing) plans again, and a fixed spec proceeds.
        plan = planUnplannable(observation, cause);
        const reported = plan.status.conditions?.find((condition) => condition.type === 'InvalidSpec')?.message ?? '';
        if (unplannable.get(key) !== reported)
          log.error({ err: cause, generation: raw.metadata?.generation }, 'cannot plan this Rollout; InvalidSpec until it changes');
        unplannable.set(key, reported);
      }
      let result;
      try {
        result = await applier.apply(rollout, plan);
      } catch (cause) {
        if (!(cause instanceof WriteRefusedError)) throw cause;
        // The API server will refuse the same write for the same content: reported on the Rollout (a condition and,
        // for a ReplicaSet create, Argo's Warning Event), then thrown as the TerminalError it is, so the key queue
        // forgets the key instead of backing off forever (Argo requeues it with backoff); the next watch event plans again.
        refused = cause;
        log.warn(
          { status: cause.refusal.status, object: cause.refusal.object, reason: cause.refusal.message },
          'the API server refused a write made from this Rollout; reported on it',
        );
        plan = planWriteRefused(observation, cause.refusal);
        result = await applier.apply(rollout, plan);
      }
      if (result.supersededVersions.length > 0) statusWrittenFrom.set(key, new Set(result.supersededVersions));
      for (const event of plan.events) options.metrics?.countEvent(rolloutNamespace, name, event.type, event.reason);
      // Argo sends notifications from its Event recorder, with the Rollout the reconcile read: the Events this
      // reconcile recorded fire their triggers, and templates see the status before this reconcile's write
      // (on-rollout-step-completed's "step number {{add .rollout.status.currentStepIndex 1}}" is the step just completed).
      notifier?.notify(raw, (raw as { status?: unknown }).status, plan.events);
      options.metrics?.observeRollout({ ...rollout, status: plan.status });
      if (result.actions + result.events > 0 || result.statusWritten) {
        log.info(
          {
            actions: result.actions,
            statusWritten: result.statusWritten,
            events: plan.events.map((e) => e.reason),
            phase: plan.status.phase,
            step: plan.status.currentStepIndex,
          },
          'reconciled',
        );
      }
      if (refused !== undefined) throw refused;
      return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
    } catch (cause) {
      failed = true;
      // A refused write was logged where it was reported, and is not retried.
      if (cause === refused) throw cause;
      // A conflict is the optimistic-concurrency check doing its job: the next reconcile reads fresh state.
      if (cause instanceof ApiException && cause.code === 409)
        log.debug({ status: 409 }, 'write conflict; reconciling again on fresh state');
      else log.warn({ err: cause }, 'reconcile failed; retrying with backoff');
      throw cause;
    } finally {
      // Not for a deleted Rollout: its series were just forgotten, and recording this pass would bring them back.
      if (rollouts.get(rolloutNamespace, name) !== undefined)
        options.metrics?.observeReconcile(rolloutNamespace, name, (clock.now() - startedAt) / 1000, failed);
    }
  }

  /** The Rollout's router objects as the planner sees them: the caches, read live only where our writes made them stale. */
  async function routerObjectsOf(rollout: Rollout): Promise<RouterObjects | undefined> {
    if (rollout.spec.strategy?.canary?.trafficRouting === undefined) return undefined;
    const parsed = routerRollout(rollout);
    return routerKube.snapshot(parsed.ok ? routerObjectRefs(parsed.value) : []);
  }

  const controller = createController({
    name: 'rollouts',
    logger,
    watches,
    reconcile,
    // Timed pauses and scale-down delays are planned to the second; a long floor would blur them.
    // Argo's --rollout-threads defaults to 10; reconciles mostly wait on the API server, so more than the core count pays.
    queue: { clock, workers: options.workers ?? 10, minDelayMs: 10 },
    async beforeRun() {
      await trafficInformers.start();
      logger.info({ namespace: namespace ?? '(all)', rollouts: rollouts.list().length }, 'caches synced; reconciling');
    },
    async afterStop() {
      await notifier?.idle();
      await applier.flushEvents();
      await trafficInformers.stop();
    },
  });
  return controller;
}
