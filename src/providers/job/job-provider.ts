import { ApiException, type BatchV1Api, type V1Job, type V1JobSpec } from '@kubernetes/client-node';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import type { MetricProvider } from '../provider.js';

/*
 * The job provider (Argo's metricproviders/job): a measurement is a Kubernetes Job made from
 * the metric's template, owned by the AnalysisRun (so it goes when the run goes). Running
 * while the Job runs; Successful when it completes, Failed when it fails. The controller
 * watches Jobs and wakes the run when one changes, so nothing polls.
 */

export const JOB_NAME_METADATA = 'job-name';
export const JOB_NAMESPACE_METADATA = 'job-namespace';
export const ANALYSIS_RUN_UID_LABEL = 'analysisrun.argoproj.io/uid';
export const ANALYSIS_RUN_NAME_ANNOTATION = 'analysisrun.argoproj.io/name';
export const ANALYSIS_RUN_METRIC_ANNOTATION = 'analysisrun.argoproj.io/metric-name';

/** The Job's verdict from its conditions, as Argo reads them. Pure. */
export function jobVerdict(job: V1Job | undefined): ProviderAnswer {
  if (job === undefined) return { kind: 'error', message: 'job not found' };
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((condition) => condition.type === 'Failed' && condition.status === 'True');
  if (failed !== undefined)
    return { kind: 'verdict', phase: 'Failed', message: failed.message ?? `job ${job.metadata?.name ?? ''} failed` };
  if (
    conditions.some(
      (condition) => (condition.type === 'Complete' || condition.type === 'SuccessCriteriaMet') && condition.status === 'True',
    )
  ) {
    return { kind: 'verdict', phase: 'Successful' };
  }
  // No resumeAt: the Job informer wakes the run when the Job changes.
  return { kind: 'running' };
}

/** Argo's job name: the run's uid, the metric and the measurement's number. */
export function jobName(runUid: string, metric: string, measurementNumber: number): string {
  return `${runUid}.${metric}.${String(measurementNumber)}`;
}

export interface JobProviderDependencies {
  batch: BatchV1Api;
  /** The Job informer's cache, read on resume instead of a GET. */
  cachedJob: (namespace: string, name: string) => V1Job | undefined;
}

export function jobProvider(dependencies: JobProviderDependencies): MetricProvider {
  return {
    type: 'job',
    async run(context) {
      const settings = context.metric.provider.job;
      if (settings === undefined) return { kind: 'error', message: 'metric has no job provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const name = jobName(context.run.uid, context.metric.name, context.measurementsTaken + 1);
      const body: V1Job = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name,
          namespace: context.run.namespace,
          labels: { ...(resolved.value.metadata?.labels ?? {}), [ANALYSIS_RUN_UID_LABEL]: context.run.uid },
          annotations: {
            ...(resolved.value.metadata?.annotations ?? {}),
            [ANALYSIS_RUN_NAME_ANNOTATION]: context.run.name,
            [ANALYSIS_RUN_METRIC_ANNOTATION]: context.metric.name,
          },
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'AnalysisRun',
              name: context.run.name,
              uid: context.run.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        // The JobSpec is the user's, as written; the API server validates it when the Job is created.
        spec: resolved.value.spec as unknown as V1JobSpec,
      };
      try {
        await dependencies.batch.createNamespacedJob({ namespace: context.run.namespace, body });
      } catch (cause) {
        // Already there: a reconcile that created it did not get to record the measurement; carry on with it.
        if (!(cause instanceof ApiException && cause.code === 409)) {
          const status = cause instanceof ApiException ? `HTTP ${String(cause.code)}` : String(cause);
          return { kind: 'error', message: `job ${name}: could not be created: ${status}` };
        }
      }
      return { kind: 'running', metadata: { [JOB_NAME_METADATA]: name, [JOB_NAMESPACE_METADATA]: context.run.namespace } };
    },
    resume(context, metadata) {
      const name = metadata[JOB_NAME_METADATA];
      if (name === undefined) return Promise.resolve({ kind: 'error', message: 'the measurement does not name its job' });
      const answer = jobVerdict(dependencies.cachedJob(metadata[JOB_NAMESPACE_METADATA] ?? context.run.namespace, name));
      return Promise.resolve(answer.kind === 'error' ? answer : { ...answer, metadata: { ...metadata } });
    },
  };
}
