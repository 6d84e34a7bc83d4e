// Shared by the side-by-side benches (issue 5, item 3): each controller as its own process, alone on
// the cluster, talking to the API server through a counting proxy of the bench's, so every request
// it sends is counted by the same code for both (the local control plane has no audit log, and
// apiserver_request_total has no user-agent label: kube-controller-manager's and KWOK's requests
// would be mixed in).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { argoCrdDir, ensureArgoRolloutsBinary, startArgoRollouts } from '../src/local/argo-rollouts.js';
import { cacheRoot } from '../src/local/cache-dir.js';
import { installCrds } from '../src/local/crds.js';
import { createRestClient } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { repositoryRoot } from '../src/local/own-cli.js';
import { allocatePorts } from '../src/local/ports.js';
import { startProcess, stopProcess } from '../src/local/process-supervisor.js';
import type { ManagedProcess } from '../src/local/types.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { kubeConfigOf } from './local-environment.js';
import { row } from './report.js';

export type ControllerName = 'gradual' | 'argo';
export const instanceLabel = 'argo-rollouts.argoproj.io/controller-instance-id';

/** One request as the API server's own metrics would name it: verb (Kubernetes' verbs, watch apart from list) and resource. */
export interface CountedRequest {
  verb: string;
  resource: string;
  userAgent: string;
}

export interface CountingProxy {
  /** A kubeconfig whose server is the proxy (plain HTTP on loopback; the proxy holds the admin credentials). */
  kubeconfigPath: string;
  /** Requests seen since the last reset (a watch counts once, when it opens, as apiserver_request_total counts it). */
  requests(): CountedRequest[];
  reset(): void;
  close(): Promise<void>;
}

const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
export const isWrite = (request: CountedRequest): boolean => writeVerbs.has(request.verb);

/** `/api/v1/namespaces/ns/pods/name/status` → { resource: 'pods/status', named: true }. */
export function resourceOf(path: string): { resource: string; named: boolean } {
  const parts =
    path
      .split('?')[0]
      ?.split('/')
      .filter((part) => part !== '') ?? [];
  // /api/v1/... or /apis/<group>/<version>/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const scoped = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  const [resource = '', name, subresource] = scoped;
  return { resource: subresource === undefined ? resource : `${resource}/${subresource}`, named: name !== undefined };
}

export function verbOf(method: string, url: string): string {
  const { named } = resourceOf(url);
  const query = new URL(url, 'http://proxy.local').searchParams;
  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/**
 * A loopback HTTP proxy in front of the API server: forwards every request
 * with the kubeconfig's credentials, streams the answer (watches included),
 * and records verb and resource. One proxy per controller, so the counts are
 * that controller's alone.
 */
export async function startCountingProxy(kubeConfig: KubeConfig, dir: string, name: string): Promise<CountingProxy> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('counting proxy: the kubeconfig has no current cluster');
  const upstream = new URL(cluster.server);
  const tls: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(tls);
  let counted: CountedRequest[] = [];
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const url = incoming.url ?? '/';
    const { resource } = resourceOf(url);
    if (url.startsWith('/api') && resource !== '')
      counted.push({ verb: verbOf(incoming.method ?? 'GET', url), resource, userAgent: incoming.headers['user-agent'] ?? '' });
    const headers = { ...incoming.headers, host: upstream.host };
    const forwarded = httpsRequest(
      { ...tls, hostname: upstream.hostname, port: upstream.port, method: incoming.method, path: url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        // Node holds the head until the first body byte; a watch that has no event yet has none, and a
        // client waiting for the head (client-node's Watch awaits fetch's response before the informer
        // counts as synced) would wait until the first event. Send it now, as the API server did.
        outgoing.flushHeaders();
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (cause) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(String(cause));
    });
    incoming.on('aborted', () => forwarded.destroy());
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeconfigPath = join(dir, `kubeconfig-counting-${name}`);
  await writeFile(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // Plain HTTP on loopback: no TLS to verify (client-node refuses http:// unless told so).
      clusters: [{ name: 'counted', cluster: { server: `http://127.0.0.1:${String(port)}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'counted', user: {} }],
      contexts: [{ name: 'counted', context: { cluster: 'counted', user: 'counted' } }],
      'current-context': 'counted',
    }),
    { mode: 0o600 },
  );
  return {
    kubeconfigPath,
    requests: () => [...counted],
    reset: () => {
      counted = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface RunningController {
  name: ControllerName;
  process: ManagedProcess;
  /** Its Prometheus endpoint (both expose their runtime's heap figures there). */
  metricsUrl: string;
  stop(): Promise<void>;
}

/** The heap a controller's runtime reports: Go's heap in use and obtained from the OS, Node's V8 heap used and total. */
export async function heapMiB(controller: RunningController): Promise<{ usedMiB: number; totalMiB: number }> {
  const text = await (await fetch(controller.metricsUrl)).text();
  const value = (name: string): number => {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (match?.[1] === undefined) throw new Error(`${controller.name}'s metrics have no ${name}`);
    return Number(match[1]) / 2 ** 20;
  };
  return controller.name === 'argo'
    ? { usedMiB: value('go_memstats_heap_inuse_bytes'), totalMiB: value('go_memstats_heap_sys_bytes') }
    : { usedMiB: value('nodejs_heap_size_used_bytes'), totalMiB: value('nodejs_heap_size_total_bytes') };
}

let compiling: Promise<string> | undefined;

/**
 * Gradual as its image runs it (deploy/Dockerfile): the compiled dist/ under plain node with
 * NODE_ENV=production. Not through tsx: its loader alone adds ~90 MiB of RSS and start-up CPU that
 * no installation carries. Compiled once per bench process, from the sources as they are.
 */
function compiledGradual(logger: Logger): Promise<string> {
  compiling ??= (async () => {
    const started = performance.now();
    await rm(join(repositoryRoot, 'dist'), { recursive: true, force: true });
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: repositoryRoot });
    logger.info({ seconds: Math.round((performance.now() - started) / 1000) }, 'bench: Gradual compiled to dist/');
    return join(repositoryRoot, 'dist', 'cli', 'main.js');
  })();
  return compiling;
}

/**
 * Starts one controller as a process with its instance id, against `kubeconfigPath` (the counting
 * proxy's or the admin one): Gradual through the compiled `gradual controller` (Rollouts and AnalysisRuns, as
 * Argo's one binary runs both), Argo's binary built from its module. Neither uses leader election.
 */
export async function startController(
  name: ControllerName,
  environment: LocalEnvironment,
  kubeconfigPath: string,
  instanceId: string,
  logger: Logger,
  /** Node options before the entry point (Gradual only), e.g. the soak's --heapsnapshot-signal. */
  nodeArgs: readonly string[] = [],
): Promise<RunningController> {
  if (name === 'argo') {
    const binary = await ensureArgoRolloutsBinary({ cacheRoot: cacheRoot(), logger });
    const argo = await startArgoRollouts({
      controller: binary.controller,
      kubeconfig: kubeconfigPath,
      instanceId,
      logFile: join(environment.dir, 'logs', `argo-${instanceId}.log`),
      logger,
    });
    return { name, process: argo.record, metricsUrl: argo.metricsUrl, stop: () => stopProcess(argo.record) };
  }
  const entry = await compiledGradual(logger);
  const ports = await allocatePorts({ metrics: undefined, healthz: undefined });
  const args = [
    ...nodeArgs,
    entry,
    'controller',
    '--kubeconfig',
    kubeconfigPath,
    '--instance-id',
    instanceId,
    '--no-leader-elect',
    '--metrics-port',
    String(ports.metrics),
    '--healthz-port',
    String(ports.healthz),
  ];
  const started = startProcess({
    name: 'gradual-controller',
    command: process.execPath,
    args,
    cwd: repositoryRoot,
    env: { ...process.env, NODE_ENV: 'production' },
    logFile: join(environment.dir, 'logs', `gradual-${instanceId}.log`),
  });
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(ports.healthz)}/healthz`)).ok, {
    what: "Gradual's controller healthz",
    timeoutMs: 60_000,
    abortOn: [started.exited],
  });
  return {
    name,
    process: started.record,
    metricsUrl: `http://127.0.0.1:${String(ports.metrics)}/metrics`,
    stop: () => stopProcess(started.record),
  };
}

/** Argo's CRDs for the duration of `task` (both controllers read them; Argo's schema is the reference), Gradual's put back after. */
export async function withArgoCrds<T>(environment: LocalEnvironment, logger: Logger, task: () => Promise<T>): Promise<T> {
  const binary = await ensureArgoRolloutsBinary({ cacheRoot: cacheRoot(), logger });
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, dir: argoCrdDir(binary.moduleDir), logger });
  // Right after a CRD changes, the API server may answer 429 "storage is (re)initializing" for a while;
  // a controller started then would count (and wait out) failed lists that have nothing to do with it.
  const rest = createRestClient(kubeConfigOf(environment));
  for (const plural of ['rollouts', 'analysisruns', 'analysistemplates']) {
    await waitUntil(
      async () =>
        Array.isArray(
          (await rest.request<{ items?: unknown }>({ method: 'GET', path: `/apis/argoproj.io/v1alpha1/${plural}`, query: { limit: '1' } }))
            .items,
        ),
      {
        what: `the ${plural} API to answer a list on Argo's CRDs`,
        timeoutMs: 60_000,
      },
    );
  }
  try {
    return await task();
  } finally {
    await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, logger });
  }
}

/** One figure per controller. */
export type SideBySide<T> = Record<ControllerName, T>;

export function ratio(gradual: number, argo: number): string {
  return argo === 0 || !Number.isFinite(argo) || !Number.isFinite(gradual) ? 'n/a' : (gradual / argo).toFixed(2);
}

/** One line: Gradual's figure, Argo's, and their ratio (Gradual / Argo; below 1 is Gradual smaller). */
export function rowSideBySide(label: string, figures: SideBySide<number>, digits = 0): void {
  row(
    `${label}, Gradual | Argo | ratio`,
    `${figures.gradual.toFixed(digits)} | ${figures.argo.toFixed(digits)} | ${ratio(figures.gradual, figures.argo)}`,
  );
}

/** Picks one number out of both controllers' results. */
export function pick<T>(figures: SideBySide<T>, field: (figure: T) => number): SideBySide<number> {
  return { gradual: field(figures.gradual), argo: field(figures.argo) };
}

/** Deletes a bench namespace and waits until it is gone (its Rollouts, ReplicaSets and pods with it), so the next controller is alone. */
export async function deleteNamespaceAndWait(environment: LocalEnvironment, namespace: string, timeoutMs = 600_000): Promise<void> {
  const rest = createRestClient(kubeConfigOf(environment));
  await rest.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` }).catch((cause: unknown) => {
    if ((cause as { code?: number }).code !== 404) throw cause;
  });
  await waitUntil(
    async () => {
      try {
        await rest.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}` });
        return false;
      } catch (cause) {
        return (cause as { code?: number }).code === 404;
      }
    },
    { what: `namespace ${namespace} deleted`, timeoutMs, intervalMs: 1_000 },
  );
}
