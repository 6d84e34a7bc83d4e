import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Job,
  type V1Secret,
} from '@kubernetes/client-node';
import { analysisRunSchema, type AnalysisRun, type AnalysisRunStatus } from '../../api/index.js';
import {
  createController,
  createManager,
  makeCountedApiClient,
  createEventRecorder,
  systemClock,
  watch,
  type Clock,
  type KeyQueue,
  type Manager,
  type RequestCounter,
} from '../../kube/index.js';
import { isHandledByInstance } from '../../api/argo-labels.js';
import { canonicalJson } from '../../api/canonical-json.js';
import { registerSecretValue, type Logger } from '../../log/index.js';
import { ANALYSIS_RUN_UID_LABEL, jobProvider } from '../../providers/job/job-provider.js';
import { influxdbProvider } from '../../providers/influxdb/influxdb-provider.js';
import { defaultProviders, providerFor } from '../../providers/registry.js';
import type { MetricProvider } from '../../providers/provider.js';
import { outboundPolicy, type OutboundPolicy } from '../../providers/outbound/outbound-request.js';
import type { AnalysisEvent } from '../assess-analysis-run.js';
import type { AnalysisMetrics } from './analysis-metrics.js';
import { finishAnalysisRun, formatTime, planAnalysisRun, type TakenMeasurement } from '../reconcile-analysis-run.js';
import { argumentValues } from '../../providers/resolve-args.js';
import type { ProviderSecrets, SecretRead } from '../../providers/provider-secrets.js';
import { readFileSync } from 'node:fs';

/*
 * The AnalysisRun controller shell: an informer over AnalysisRuns enqueues their keys; a
 * reconcile reads the run from the cache, asks the pure planner which measurements are due,
 * resolves the args (reading Secrets for secretKeyRef args, whose values are then redacted
 * from every message), calls the providers in parallel, folds the answers in with the pure
 * finisher, writes the run back with its resourceVersion, records Events, and asks the queue
 * to return at the next measurement's instant. It never sleeps or polls.
 */

export interface AnalysisRunControllerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  namespace?: string;
  /** Argo's --instance-id: handle only runs labelled with it (or only unlabelled ones when absent), as for Rollouts. */
  instanceId?: string;
  workers?: number;
  clock?: Clock;
  providers?: ReadonlyMap<string, MetricProvider>;
  /** The HTTP providers' outbound policy (--allow-metadata-addresses, --max-metric-response-bytes); safe defaults when absent. */
  outbound?: Partial<OutboundPolicy>;
  requestCounter?: RequestCounter;
  metrics?: AnalysisMetrics;
  /** The cluster's manager, whose informers this controller shares (`gradual start`); one of its own when absent. */
  manager?: Manager;
  /** Where the providers read their own Secrets (datadog, newRelic, wavefront, influxdb; Argo's: POD_NAMESPACE, else the service account's, else argo-rollouts). */
  controllerNamespace?: string;
}

/** Argo's defaults.Namespace(). */
function ownNamespace(): string {
  const fromEnv = process.env.POD_NAMESPACE;
  if (fromEnv !== undefined) return fromEnv;
  try {
    const fromAccount = readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
    if (fromAccount !== '') return fromAccount;
  } catch {
    // Not in a pod.
  }
  return 'argo-rollouts';
}

export interface AnalysisRunController {
  start(): Promise<void>;
  stop(): Promise<void>;
  queue: KeyQueue;
}

const api = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' } as const;

type SecretValues = { ok: true; values: Map<string, string> } | { ok: false; message: string };

export function createAnalysisRunController(options: AnalysisRunControllerOptions): AnalysisRunController {
  const { kubeConfig, namespace } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: 'analysis-run-controller' });
  const counter = options.requestCounter;
  const custom =
    counter === undefined ? kubeConfig.makeApiClient(CustomObjectsApi) : makeCountedApiClient(kubeConfig, CustomObjectsApi, counter);
  const core = counter === undefined ? kubeConfig.makeApiClient(CoreV1Api) : makeCountedApiClient(kubeConfig, CoreV1Api, counter);
  const manager =
    options.manager ?? createManager({ kubeConfig, clock, logger, ...(counter === undefined ? {} : { requestCounter: counter }) });
  const runs = manager.informer<KubernetesObject>(
    { group: 'argoproj.io', version: 'v1alpha1', resource: 'analysisruns', namespace },
    'analysisruns',
  );
  // Jobs the job provider created (labelled with their run's uid): a Job finishing wakes its run, so nothing polls.
  const jobs = manager.informer<V1Job & { metadata: object }>(
    { group: 'batch', version: 'v1', resource: 'jobs', namespace, labelSelector: ANALYSIS_RUN_UID_LABEL },
    'analysisruns',
  );
  const batch = counter === undefined ? kubeConfig.makeApiClient(BatchV1Api) : makeCountedApiClient(kubeConfig, BatchV1Api, counter);
  const providerSecrets: ProviderSecrets = {
    controllerNamespace: options.controllerNamespace ?? ownNamespace(),
    env: process.env,
    async read(secretNamespace, name): Promise<SecretRead> {
      let secret: V1Secret;
      try {
        secret = await core.readNamespacedSecret({ name, namespace: secretNamespace });
      } catch (cause) {
        if (cause instanceof ApiException && cause.code === 404) return { ok: false, message: `secrets "${name}" not found` };
        if (cause instanceof ApiException) return { ok: false, message: `secret "${name}": HTTP ${String(cause.code)}` };
        throw cause;
      }
      const data: Record<string, string> = {};
      for (const [key, encoded] of Object.entries(secret.data ?? {})) {
        const value = Buffer.from(encoded, 'base64').toString('utf8');
        data[key] = value;
        // Keys and tokens are masked in this process's every log line from now on, as secretKeyRef arguments are; addresses stay readable.
        if (!/^(address|region|account-id|base-url-.*)$/u.test(key)) registerSecretValue(value);
      }
      return { ok: true, data };
    },
  };
  const providers =
    options.providers ??
    defaultProviders(
      [
        jobProvider({ batch, cachedJob: (jobNamespace, name) => jobs.get(jobNamespace, name) }),
        influxdbProvider({
          readSecret: (name) => providerSecrets.read(providerSecrets.controllerNamespace, name),
          policy: outboundPolicy(options.outbound),
        }),
      ],
      outboundPolicy(options.outbound),
      providerSecrets,
    );
  const runKeys = (object: KubernetesObject): string[] =>
    isHandledByInstance(object.metadata?.labels, options.instanceId)
      ? [`${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`]
      : [];
  const ownerRunKeys = (job: V1Job, event: string): string[] => {
    // A Job's deletion says nothing its run needs (the run deleted it, or the run is gone).
    if (event === 'delete') return [];
    const owner = job.metadata?.ownerReferences?.find((reference) => reference.controller === true && reference.kind === 'AnalysisRun');
    return owner === undefined ? [] : [`${job.metadata?.namespace ?? 'default'}/${owner.name}`];
  };

  /** The values of secretKeyRef args; a missing Secret or key is the run's Error, naming both. */
  async function secretValues(run: AnalysisRun, runNamespace: string): Promise<SecretValues> {
    const values = new Map<string, string>();
    for (const arg of run.spec.args ?? []) {
      const ref = arg.valueFrom?.secretKeyRef;
      if (ref === undefined) continue;
      let secret: V1Secret;
      try {
        secret = await core.readNamespacedSecret({ name: ref.name, namespace: runNamespace });
      } catch (cause) {
        if (cause instanceof ApiException && cause.code === 404)
          return { ok: false, message: `arg "${arg.name}": secret "${ref.name}" not found` };
        throw cause;
      }
      const encoded = secret.data?.[ref.key];
      if (encoded === undefined)
        return { ok: false, message: `arg "${arg.name}": key '${ref.key}' does not exist in secret '${ref.name}'` };
      const value = Buffer.from(encoded, 'base64').toString('utf8');
      // Masked in this process's every log line from now on (raw, percent-encoded, base64), not only in measurements.
      registerSecretValue(value);
      values.set(arg.name, value);
    }
    return { ok: true, values };
  }

  /** Writes the status when it changed; a reconcile that only finds the next measurement not yet due writes nothing. */
  async function write(run: AnalysisRun, raw: KubernetesObject, status: AnalysisRunStatus): Promise<boolean> {
    if (canonicalJson(run.status ?? {}) === canonicalJson(status)) return false;
    // AnalysisRuns have no status subresource (as in Argo): the whole object goes back, with the resourceVersion it was read at.
    await custom.replaceNamespacedCustomObject({
      ...api,
      namespace: raw.metadata?.namespace ?? 'default',
      name: raw.metadata?.name ?? '',
      body: { ...raw, status },
    });
    return true;
  }

  const eventRecorder = createEventRecorder(core);
  function recordEvents(raw: KubernetesObject, events: readonly AnalysisEvent[]): void {
    eventRecorder.record({ ...raw, apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' }, events, new Date(clock.now()), logger);
  }

  async function reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const [runNamespace = 'default', name = ''] = key.split('/');
    const raw = runs.get(runNamespace, name);
    if (raw === undefined) {
      options.metrics?.forgetRun(runNamespace, name);
      return undefined;
    }
    if (!isHandledByInstance(raw.metadata?.labels, options.instanceId)) return undefined;
    const log = logger.child({ analysisRun: name, namespace: runNamespace });
    const parsed = analysisRunSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'AnalysisRun does not match the schema; not reconciled');
      return undefined;
    }
    const run = parsed.data;
    options.metrics?.observeRun(run);
    const now = new Date(clock.now());
    const plan = planAnalysisRun(run, now);
    if (plan.kind === 'completed') return undefined;
    if (plan.kind === 'invalid') {
      await write(run, raw, plan.status);
      recordEvents(raw, plan.events);
      log.warn({ message: plan.status.message }, 'AnalysisRun invalid');
      return undefined;
    }
    const secrets = await secretValues(run, runNamespace);
    if (!secrets.ok) {
      const status: AnalysisRunStatus = {
        ...(run.status ?? {}),
        phase: 'Error',
        message: `Unable to resolve metric arguments: ${secrets.message}`,
        startedAt: run.status?.startedAt ?? formatTime(now),
        completedAt: formatTime(now),
      };
      await write(run, raw, status);
      recordEvents(raw, [{ type: 'Warning', reason: 'AnalysisRunError', message: 'Analysis Completed. Result: Error' }]);
      return undefined;
    }
    const args = argumentValues(run.spec.args, secrets.values);
    const context = { namespace: runNamespace, name, uid: raw.metadata?.uid ?? '', startedAt: run.status?.startedAt };
    const taken: TakenMeasurement[] = await Promise.all(
      plan.tasks.map(async (task): Promise<TakenMeasurement> => {
        const startedAt = formatTime(new Date(clock.now()));
        const lookup = providerFor(task.metric, providers);
        if (!lookup.ok) return { task, startedAt, answer: { kind: 'error', message: lookup.message } };
        const result = run.status?.metricResults?.find((candidate) => candidate.name === task.metric.name);
        const measurementsTaken = (result?.count ?? 0) + (result?.error ?? 0);
        const measurementContext = { metric: task.metric, args, run: context, measurementsTaken, now: new Date(clock.now()) };
        const answer =
          task.kind === 'resume' && lookup.provider.resume !== undefined
            ? await lookup.provider.resume(measurementContext, task.measurement.metadata ?? {})
            : await lookup.provider.run(measurementContext);
        return { task, startedAt, answer };
      }),
    );
    const outcome = finishAnalysisRun(run, taken, plan, new Date(clock.now()), [...secrets.values.values()]);
    options.metrics?.observeRun({ ...run, status: outcome.status });
    await write(run, raw, outcome.status);
    recordEvents(raw, outcome.events);
    if (taken.length > 0 || outcome.events.length > 0)
      log.info(
        { measurements: taken.length, phase: outcome.status.phase, events: outcome.events.map((event) => event.reason) },
        'reconciled',
      );
    return outcome.requeueAfterMs === undefined ? undefined : { requeueAfterMs: outcome.requeueAfterMs };
  }

  const controller = createController({
    name: 'analysisruns',
    logger,
    watches: [watch(runs, runKeys), watch(jobs, ownerRunKeys)],
    queue: { clock, workers: options.workers ?? 10, minDelayMs: 10 },
    beforeRun() {
      logger.info({ namespace: options.namespace ?? '(all)', analysisRuns: runs.list().length }, 'caches synced; reconciling');
    },
    async reconcile(key) {
      const [runNamespace = 'default', name = ''] = key.split('/');
      const startedAt = clock.now();
      let failed = false;
      try {
        return await reconcile(key);
      } catch (cause) {
        failed = true;
        if (cause instanceof ApiException && cause.code === 409)
          logger.debug({ key, status: 409 }, 'write conflict; reconciling again on fresh state');
        else logger.warn({ key, err: cause }, 'reconcile failed; retrying with backoff');
        throw cause;
      } finally {
        // Not for a deleted run: its series were just forgotten, and recording this pass would bring them back for good.
        if (runs.get(runNamespace, name) !== undefined)
          options.metrics?.observeReconcile(runNamespace, name, (clock.now() - startedAt) / 1000, failed);
      }
    },
    afterStop: () => eventRecorder.flush(),
  });
  return controller;
}
