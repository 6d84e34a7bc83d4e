import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * Argo's two endpoints: /metrics for Prometheus and /healthz for the
 * kubelet's probes. One small server each, so a probe never waits behind a
 * scrape; port 0 picks a free port (tests).
 */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<Server> {
  return listen(
    createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (cause: unknown) => response.writeHead(500).end(String(cause)),
      );
    }),
    port,
    host,
  );
}

export async function serveHealthz(
  isHealthy: () => boolean,
  port: number,
  host = '0.0.0.0',
  isReady: () => boolean = isHealthy,
): Promise<Server> {
  return listen(
    createServer((request, response) => {
      // /readyz: whether this replica should be sent traffic (under `gradual start`, only the one that serves webhooks is).
      const check = request.url === '/healthz' ? isHealthy : request.url === '/readyz' ? isReady : undefined;
      if (check === undefined) {
        response.writeHead(404).end();
        return;
      }
      const healthy = check();
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok' : 'not ready');
    }),
    port,
    host,
  );
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(server);
    });
  });
}
