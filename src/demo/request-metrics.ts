import { Counter, Registry } from 'prom-client';

/** Istio's standard request labels that the demo can fill truthfully. */
export const istioRequestLabelNames = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_version',
  'request_protocol',
  'response_code',
  'response_flags',
] as const;

export type IstioRequestLabels = Record<(typeof istioRequestLabelNames)[number], string>;

export interface RequestOutcome {
  /** The route destination's Service and namespace. */
  service: string;
  namespace: string;
  /** The colour of the backend that answered ('' when none did). */
  color: string;
  /** HTTP status returned to the client. */
  status: number;
  /** Envoy's response flags: `UH` no healthy upstream, `UF` upstream connection failure, `-` none. */
  flags: '-' | 'UH' | 'UF';
}

/**
 * The labels Istio's sidecar would put on `istio_requests_total` for this
 * request, as reported by the destination (the gateway stands for the
 * server-side proxy), so Argo's and Istio's usual success-rate queries —
 * by `destination_service` (FQDN) or `destination_service_name` — work as written.
 */
export function istioRequestLabels(outcome: RequestOutcome): IstioRequestLabels {
  return {
    reporter: 'destination',
    source_workload: 'demo-gateway',
    source_workload_namespace: outcome.namespace,
    destination_service: `${outcome.service}.${outcome.namespace}.svc.cluster.local`,
    destination_service_name: outcome.service,
    destination_service_namespace: outcome.namespace,
    destination_version: outcome.color === '' ? 'unknown' : outcome.color,
    request_protocol: 'http',
    response_code: String(outcome.status),
    response_flags: outcome.flags,
  };
}

export interface RequestMetrics {
  registry: Registry;
  record(outcome: RequestOutcome): void;
}

/** A registry of the gateway's own (not prom-client's global one, so two gateways in one process do not collide). */
export function createRequestMetrics(): RequestMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'istio_requests_total',
    help: 'Requests routed by the demo gateway, labelled as Istio labels them.',
    labelNames: istioRequestLabelNames,
    registers: [registry],
  });
  return {
    registry,
    record(outcome) {
      requests.inc(istioRequestLabels(outcome));
    },
  };
}
