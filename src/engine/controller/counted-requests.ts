import type { RequestCounter } from '../../kube/types.js';
import type { ControllerMetrics } from './metrics.js';

/**
 * The request counter the controllers record into, also counted in /metrics as Argo's
 * controller_clientset_k8s_request_total (kind, namespace, name, verb, status_code). The metric was
 * declared but nothing counted into it: a 409 storm on a Rollout, or a run of 5xx, never showed.
 */
export function countedInMetrics(counter: RequestCounter, metrics: Pick<ControllerMetrics, 'countRequest'>): RequestCounter {
  return {
    ...counter,
    record(sample) {
      counter.record(sample);
      metrics.countRequest({
        kind: sample.kind,
        namespace: sample.namespace,
        name: sample.name,
        verb: sample.verb,
        status_code: sample.statusCode,
      });
    },
  };
}
