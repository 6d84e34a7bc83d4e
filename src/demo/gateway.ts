import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { createInformerCache, type InformerCache, type KubeObject } from '../kube/index.js';
import { rootLogger } from '../log/index.js';
import type { JsonObject } from '../traffic/index.js';
import { demoPageHtml, demoPageScript } from './demo-page.js';
import { close, listen, urlOf } from './listen.js';
import { createPodInformer } from './pod-informer.js';
import { readJsonBody } from './read-json-body.js';
import { createRequestMetrics, type RequestOutcome } from './request-metrics.js';
import { backendsOf, resolveRouteTable } from './resolve-route-table.js';
import { demoPodSchema, demoServiceSchema, gatewayErrorRateBodySchema } from './schema.js';
import type { Gateway, GatewayOptions, RouteObjectRef, RouteTable } from './types.js';
import { chooseUniform, chooseWeighted } from './weighted-choice.js';

const defaultApiVersions: Record<RouteObjectRef['kind'], string> = {
  VirtualService: 'networking.istio.io/v1alpha3',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
};

/** The collection path of the route object's kind in the namespace. */
export function routeCollectionPath(ref: RouteObjectRef, namespace: string): string {
  const apiVersion = ref.apiVersion ?? defaultApiVersions[ref.kind];
  const plural = ref.kind === 'VirtualService' ? 'virtualservices' : 'httproutes';
  return `/apis/${apiVersion}/namespaces/${namespace}/${plural}`;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/**
 * The demo's ingress: an HTTP proxy that splits requests between the route's
 * destinations by the weights Gradual writes to the VirtualService or
 * HTTPRoute, sends each to a backend of the Ready pods behind the chosen
 * Service, and counts every request as Istio's sidecar would
 * (`istio_requests_total` on `/metrics`). The route is kept current by
 * watches on the route object, the Services and the pods, never by polling.
 * It also serves the demo app page on `/` and its sliders' API.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { namespace, route, backends } = options;
  const logger = (options.logger ?? rootLogger()).child({ component: 'demo-gateway', namespace, route: `${route.kind}/${route.name}` });
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const metrics = createRequestMetrics();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const routeObjects = createInformerCache<KubeObject>(options.kubeConfig, {
    path: routeCollectionPath(route, namespace),
    fieldSelector: `metadata.name=${route.name}`,
    logger,
  });
  const services = createInformerCache<KubeObject>(options.kubeConfig, { path: `/api/v1/namespaces/${namespace}/services`, logger });
  const ownsPods = options.pods === undefined;
  const pods: InformerCache<KubeObject> = options.pods ?? createPodInformer(options.kubeConfig, namespace, logger);

  const tableHandlers = new Set<(table: RouteTable) => void>();
  let table: RouteTable = { source: '', destinations: [], problem: 'not synced yet', observedAt: now() };

  function rebuild(): void {
    const routeObject = routeObjects.get(namespace, route.name) as JsonObject | undefined;
    table = resolveRouteTable({
      ref: route,
      namespace,
      routeObject,
      services: services.list(namespace).flatMap((object) => {
        const parsed = demoServiceSchema.safeParse(object);
        return parsed.success ? [parsed.data] : [];
      }),
      pods: pods.list(namespace).flatMap((object) => {
        const parsed = demoPodSchema.safeParse(object);
        return parsed.success ? [parsed.data] : [];
      }),
      observedAt: now(),
    });
    logger.debug(
      {
        source: table.source,
        problem: table.problem,
        destinations: table.destinations.map((d) => `${d.service}:${String(d.weight)} (${String(d.pods.length)} pods)`),
      },
      'route table rebuilt',
    );
    for (const handler of tableHandlers) handler(table);
  }
  const unsubscribe = [routeObjects, services, pods].flatMap((informer: InformerCache<KubeObject>) => [
    informer.onAdd(rebuild),
    informer.onUpdate(rebuild),
    informer.onDelete(rebuild),
  ]);

  function proxy(request: IncomingMessage, response: ServerResponse): void {
    const current = table;
    const destination = chooseWeighted(current.destinations, random);
    if (destination === undefined) {
      sendJson(response, 503, { error: current.problem ?? `${current.source}: no destination has weight` });
      return;
    }
    const backend = chooseUniform(backendsOf(destination, backends.backendFor.bind(backends)), random);
    const outcome: Omit<RequestOutcome, 'status' | 'flags'> = { service: destination.service, namespace, color: backend?.color ?? '' };
    if (backend === undefined) {
      metrics.record({ ...outcome, status: 503, flags: 'UH' });
      sendJson(response, 503, {
        error: `no healthy upstream: Service ${namespace}/${destination.service} has ${String(destination.pods.length)} Ready pods and none has a backend yet`,
      });
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: backend.port, method: request.method, path: request.url, headers: request.headers, agent },
      (answer) => {
        const status = answer.statusCode ?? 502;
        metrics.record({ ...outcome, status, flags: '-' });
        response.writeHead(status, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      metrics.record({ ...outcome, status: 502, flags: 'UF' });
      if (!response.headersSent) sendJson(response, 502, { error: `upstream ${backend.url} (${destination.service}): ${error.message}` });
      else response.destroy(error);
    });
    request.pipe(upstream);
  }

  async function setErrorRate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = gatewayErrorRateBodySchema.safeParse(await readJsonBody(request));
    if (!parsed.success) {
      sendJson(response, 400, { error: `PUT /api/error-rate: ${z.prettifyError(parsed.error)}` });
      return;
    }
    backends.setErrorRate(parsed.data.color, parsed.data.errorRate);
    logger.info({ color: parsed.data.color, errorRate: parsed.data.errorRate }, 'error rate set');
    sendJson(response, 200, { colors: backends.colors() });
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(demoPageHtml);
    } else if (method === 'GET' && path === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(demoPageScript);
    } else if (method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => {
          sendJson(response, 500, { error: `metrics: ${String(error)}` });
        },
      );
    } else if (method === 'GET' && path === '/api/colors') {
      sendJson(response, 200, { colors: backends.colors() });
    } else if (method === 'GET' && path === '/api/route') {
      sendJson(response, 200, table);
    } else if (method === 'PUT' && path === '/api/error-rate') {
      setErrorRate(request, response).catch((error: unknown) => {
        sendJson(response, 400, { error: `PUT /api/error-rate: ${error instanceof Error ? error.message : String(error)}` });
      });
    } else {
      proxy(request, response);
    }
  });

  await Promise.all([routeObjects.start(), services.start(), ownsPods ? pods.start() : Promise.resolve()]);
  await Promise.all([routeObjects.waitForSync(), services.waitForSync(), pods.waitForSync()]);
  rebuild();
  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host);
  } catch (error) {
    await Promise.all([routeObjects.stop(), services.stop(), ownsPods ? pods.stop() : Promise.resolve()]);
    throw new Error(
      `demo gateway could not listen on ${host}:${String(options.port ?? 0)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const url = urlOf(host, port);
  logger.info({ url }, 'demo gateway listening');

  return {
    url,
    metricsUrl: `${url}/metrics`,
    hostPort: `${host.includes(':') ? `[${host}]` : host}:${String(port)}`,
    routeTable: () => table,
    onRouteTable(handler) {
      tableHandlers.add(handler);
      return () => tableHandlers.delete(handler);
    },
    async stop() {
      for (const off of unsubscribe) off();
      tableHandlers.clear();
      await close(server);
      agent.destroy();
      await Promise.all([routeObjects.stop(), services.stop(), ownsPods ? pods.stop() : Promise.resolve()]);
    },
  };
}
