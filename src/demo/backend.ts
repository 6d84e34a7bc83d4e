import { createServer, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { close, listen, urlOf } from './listen.js';
import { readJsonBody } from './read-json-body.js';
import { backendErrorRateBodySchema, errorRateSchema, type ColorResponse } from './schema.js';
import type { Backend, RandomSource } from './types.js';

export interface BackendOptions {
  color: string;
  /** Named in responses, so the page and tests can tell replicas apart. */
  pod?: string;
  errorRate?: number;
  host?: string;
  port?: number;
  random?: RandomSource;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * The demo's stand-in for a pod's container (Argo's rollouts-demo image):
 * `GET /color` answers its colour, or HTTP 500 for the share of requests set
 * by the error rate; `PUT /error-rate {"errorRate": 0.3}` changes it at run
 * time; `GET /healthz` answers 200.
 */
export async function startBackend(options: BackendOptions): Promise<Backend> {
  const host = options.host ?? '127.0.0.1';
  const random = options.random ?? Math.random;
  let errorRate = errorRateSchema.parse(options.errorRate ?? 0);
  let served = 0;
  const identity = options.pod === undefined ? { color: options.color } : { color: options.color, pod: options.pod };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method === 'GET' && path === '/color') {
      served += 1;
      const failed = random() < errorRate;
      send(response, failed ? 500 : 200, (failed ? { ...identity, error: true } : identity) satisfies ColorResponse);
      return;
    }
    if (request.method === 'GET' && path === '/healthz') {
      send(response, 200, { ok: true });
      return;
    }
    if (request.method === 'PUT' && path === '/error-rate') {
      readJsonBody(request)
        .then((body) => {
          const parsed = backendErrorRateBodySchema.safeParse(body);
          if (!parsed.success) {
            send(response, 400, { error: `PUT /error-rate: ${z.prettifyError(parsed.error)}` });
            return;
          }
          errorRate = parsed.data.errorRate;
          send(response, 200, { ...identity, errorRate });
        })
        .catch((error: unknown) => {
          send(response, 400, { error: `PUT /error-rate: ${error instanceof Error ? error.message : String(error)}` });
        });
      return;
    }
    send(response, 404, { error: `${request.method ?? ''} ${path ?? ''} not found` });
  });
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, options.port ?? 0, host);

  return {
    color: options.color,
    url: urlOf(host, port),
    port,
    errorRate: () => errorRate,
    setErrorRate(rate) {
      errorRate = errorRateSchema.parse(rate);
    },
    served: () => served,
    stop: () => close(server),
  };
}
