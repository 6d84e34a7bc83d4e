import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The metric backend a differential scenario controls: `GET /<metric>` answers
 * `{"value": <the value the scenario last set>}` (404 before any), the same
 * answer to both controllers, so a `web` metric measures what the scenario's
 * `set-metric` steps say. Loopback only: both controllers run on this machine.
 */
export interface MetricServer {
  /** `http://127.0.0.1:<port>`: replaces `$METRIC_SERVER` in the scenario's objects. */
  url: string;
  set(metric: string, value: unknown): void;
  /** How many times each metric was asked for (a run that never measured shows 0). */
  requests(metric: string): number;
  close(): Promise<void>;
}

export async function startMetricServer(): Promise<MetricServer> {
  const values = new Map<string, unknown>();
  const counts = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const metric = decodeURIComponent(new URL(request.url ?? '/', 'http://metric.local').pathname.slice(1));
    counts.set(metric, (counts.get(metric) ?? 0) + 1);
    response.setHeader('content-type', 'application/json');
    if (!values.has(metric)) {
      response.statusCode = 404;
      response.end(JSON.stringify({ error: `no value set for metric "${metric}"` }));
      return;
    }
    response.end(JSON.stringify({ value: values.get(metric) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    set(metric, value) {
      values.set(metric, value);
    },
    requests: (metric) => counts.get(metric) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The placeholder scenario files write for the metric server's address. */
export const metricServerPlaceholder = '$METRIC_SERVER';

/** Replaces the placeholder in every string of a manifest (a deep copy; the scenario stays as read). */
export function withMetricServer<T>(manifest: T, url: string): T {
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(metricServerPlaceholder).join(url);
    if (Array.isArray(value)) return value.map(replace);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replace(item)]));
    return value;
  };
  return replace(manifest) as T;
}
