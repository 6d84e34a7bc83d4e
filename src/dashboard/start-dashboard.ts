import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRestClient, statusCodeOf } from '../kube/index.js';
import { registerSecretValue } from '../log/index.js';
import { actionHeader, decideActionRequest } from './action-guard.js';
import { loadAssets } from './assets.js';
import { checkBind, decideHost, isLoopbackHost } from './bind-policy.js';
import { createDashboardCache } from './dashboard-cache.js';
import { createEventStreams } from './event-streams.js';
import { renderPage, securityHeaders } from './page.js';
import { DashboardActionError, runDashboardAction } from './rollout-actions.js';
import { dashboardActions, type Dashboard, type DashboardAction, type DashboardEvent, type DashboardOptions } from './types.js';

const rolloutApiPath = /^\/api\/rollouts\/([^/]+)\/([^/]+)$/u;
const actionPath = /^\/api\/rollouts\/([^/]+)\/([^/]+)\/actions\/([^/]+)$/u;
const pagePath = /^\/(?:rollouts\/[^/]+\/[^/]+)?$/u;
const assetPath = /^\/assets\/([a-z0-9.-]+)$/u;

function isAction(value: string): value is DashboardAction {
  return (dashboardActions as readonly string[]).includes(value);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders });
  response.end(JSON.stringify(body));
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(part: string): string {
  return decodeURIComponent(part);
}

/**
 * `gradual dashboard`: the rollouts list and each rollout's page, kept live
 * by server-sent events that the dashboard's informers feed (a change in the
 * cluster is pushed; nothing polls), with the rollout verbs as buttons when
 * `enableActions` is set. Resolves once the caches synced (or 30 s passed)
 * and the port is bound.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  checkBind(options);
  const logger = options.logger.child({ component: 'dashboard' });
  const assets = await loadAssets();
  const cache = createDashboardCache(options.kubeConfig, { namespace: options.namespace, logger, manager: options.manager });
  const rest = createRestClient(options.kubeConfig);
  const streams = createEventStreams();
  const page = renderPage({ enableActions: options.enableActions });
  const loopbackOnly = isLoopbackHost(options.host);
  const actionToken = options.enableActions ? (options.actionToken ?? randomBytes(16).toString('base64url')) : undefined;
  // Never in a log line, whichever logger meets it.
  registerSecretValue(actionToken);
  const hostPolicy = { bound: options.host, allowedHosts: options.allowedHosts };
  cache.onChange(() => {
    streams.publish();
  });

  function rolloutEvent(namespace: string, name: string): DashboardEvent {
    const view = cache.view(namespace, name);
    return view === undefined ? { event: 'gone', data: { namespace, name } } : { event: 'rollout', data: view };
  }

  async function handleAction(
    request: IncomingMessage,
    response: ServerResponse,
    namespace: string,
    name: string,
    action: string,
  ): Promise<void> {
    const decision = decideActionRequest(
      {
        method: request.method ?? '',
        action,
        host: header(request, 'host'),
        origin: header(request, 'origin'),
        secFetchSite: header(request, 'sec-fetch-site'),
        actionHeader: header(request, actionHeader),
        authorization: header(request, 'authorization'),
        namespace,
      },
      {
        enableActions: options.enableActions,
        loopbackOnly,
        token: actionToken ?? '',
        namespaces: options.namespace === undefined ? undefined : [options.namespace],
      },
    );
    if (!decision.allowed) {
      logger.warn(
        { namespace, name, action, status: decision.status, reason: decision.reason, remote: request.socket.remoteAddress },
        'action refused',
      );
      sendJson(response, decision.status, { error: decision.reason });
      return;
    }
    if (!isAction(action)) {
      sendJson(response, 404, { error: `unknown action ${action}; one of ${dashboardActions.join(', ')}` });
      return;
    }
    try {
      const message = await runDashboardAction(rest, { namespace, name }, action, new Date());
      logger.info({ namespace, name, action, remote: request.socket.remoteAddress }, message);
      sendJson(response, 200, { message });
    } catch (error) {
      const status = error instanceof DashboardActionError ? error.status : 502;
      const detail = error instanceof Error ? error.message : String(error);
      logger.warn({ err: error, namespace, name, action, kubeStatus: statusCodeOf(error) }, 'action failed');
      sendJson(response, status, { error: `${action} of ${namespace}/${name} failed: ${detail}` });
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const hostDecision = decideHost(header(request, 'host'), hostPolicy);
    if (!hostDecision.allowed) {
      logger.warn(
        { host: header(request, 'host'), method: request.method, status: hostDecision.status, remote: request.socket.remoteAddress },
        'request for a host not served',
      );
      sendJson(response, hostDecision.status, { error: hostDecision.reason });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    const action = actionPath.exec(path);
    if (action !== null) {
      await handleAction(request, response, decode(action[1] ?? ''), decode(action[2] ?? ''), decode(action[3] ?? ''));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: 'only GET here; actions are POST /api/rollouts/NS/NAME/actions/ACTION' });
      return;
    }
    if (pagePath.test(path)) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders });
      response.end(page);
      return;
    }
    const asset = assetPath.exec(path);
    const found = asset === null ? undefined : assets.get(asset[1] ?? '');
    if (found !== undefined) {
      response.writeHead(200, { 'content-type': found.contentType, 'cache-control': 'no-cache', ...securityHeaders });
      response.end(found.body);
      return;
    }
    if (path === '/api/rollouts') {
      sendJson(response, 200, cache.summaries());
      return;
    }
    const rollout = rolloutApiPath.exec(path);
    if (rollout !== null) {
      const view = cache.view(decode(rollout[1] ?? ''), decode(rollout[2] ?? ''));
      if (view === undefined)
        sendJson(response, 404, { error: `rollout ${decode(rollout[1] ?? '')}/${decode(rollout[2] ?? '')} not found` });
      else sendJson(response, 200, view);
      return;
    }
    if (path === '/api/events') {
      const target = url.searchParams.get('rollout');
      const [namespace, name] = target === null ? [] : target.split('/');
      if (namespace !== undefined && name !== undefined) streams.open(response, () => rolloutEvent(namespace, name));
      else streams.open(response, () => ({ event: 'rollouts', data: cache.summaries() }));
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    sendJson(response, 404, { error: `no page at ${path}` });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error, path: request.url?.split('?')[0] }, 'dashboard request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.end();
    });
  });

  await cache.start(30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (cause) {
    await cache.stop();
    throw new Error(
      `The dashboard cannot listen on ${options.host}:${String(options.port)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${String(address.port)}`;
  logger.info({ url, enableActions: options.enableActions, namespace: options.namespace ?? '(all)' }, 'dashboard listening');
  return {
    url,
    actionToken,
    openUrl: actionToken === undefined ? url : `${url}/#token=${actionToken}`,
    async stop() {
      streams.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      await cache.stop();
    },
  };
}
