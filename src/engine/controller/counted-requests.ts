import type { RequestCount, RequestCounter, RequestSample } from '../../kube/types.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * Kinds whose objects get a new name per revision or per report: a series per name would never be
 * touched again once its object is gone, and prom-client (as client_golang) keeps every series it
 * ever saw, so the registry grew by ~20 series per rollout cycle for good (the soak's V8 heap rose
 * ~15 KB per cycle). Argo v1.9.1 drops the name for events and replicasets (controller/metrics/
 * client.go, IncKubernetesRequest; PR #2851); analysisruns and experiments are its still-open leak
 * (issue #4571, PR #4631), jobs the job provider's (PR #3929), pods the pod restarts'.
 */
const GENERATED_NAME_KINDS: ReadonlySet<string> = new Set(['events', 'replicasets', 'analysisruns', 'experiments', 'jobs', 'pods']);

/** The `name` label Argo's controller_clientset_k8s_request_total gives a request: "N/A" for lists and generated names. */
export function requestMetricName(sample: RequestSample): string {
  return sample.verb === 'list' || GENERATED_NAME_KINDS.has(sample.kind) ? 'N/A' : sample.name;
}

/**
 * The request counter the controllers record into, also counted in /metrics as Argo's
 * controller_clientset_k8s_request_total (kind, namespace, name, verb, status_code). The metric was
 * declared but nothing counted into it: a 409 storm on a Rollout, or a run of 5xx, never showed.
 * Without a counter of the caller's (a running controller: only the benches and tests read one),
 * requests go to /metrics alone: a counter of its own would keep every object name it ever saw.
 */
export function countedInMetrics(counter: RequestCounter | undefined, metrics: Pick<ControllerMetrics, 'countRequest'>): RequestCounter {
  const countInMetrics = (sample: RequestSample): void => {
    metrics.countRequest({
      kind: sample.kind,
      namespace: sample.namespace,
      name: requestMetricName(sample),
      verb: sample.verb,
      status_code: sample.statusCode,
    });
  };
  if (counter === undefined)
    return {
      record: countInMetrics,
      counts: (): RequestCount[] => [],
      total: () => 0,
      writes: () => 0,
      reset: () => undefined,
    };
  return {
    ...counter,
    record(sample) {
      counter.record(sample);
      countInMetrics(sample);
    },
  };
}
