import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../log/index.js';
import { argoCrdDir, ensureArgoRolloutsBinary, startArgoRollouts } from './argo-rollouts.js';
import { ensureControlPlaneBinaries } from './binaries.js';
import { cacheRoot as defaultCacheRoot } from './cache-dir.js';
import { startControlPlane } from './control-plane.js';
import { installCrds } from './crds.js';
import { ensureDebianPackages } from './debian-packages.js';
import { SetupError } from './errors.js';
import { startKwokNodes } from './kwok-nodes.js';
import { ownCliInvocation } from './own-cli.js';
import { gitPushedPath } from './github/local-routes.js';
import { startGithub } from './start-github.js';
import { allocatePorts } from './ports.js';
import { isRunning, startProcess, stopProcess } from './process-supervisor.js';
import {
  debianPrometheusBinary,
  prometheusArgs,
  readPrometheusVersion,
  renderPrometheusConfig,
  waitForPrometheusReady,
} from './prometheus.js';
import { runCommand } from './run-command.js';
import { localEnvironmentSchema, type LocalEnvironment, type ManagedProcess } from './types.js';
import { debianPackages, pinnedVersions } from './versions.js';
import { waitUntil } from './wait-until.js';

export interface LocalUpOptions {
  dir: string;
  nodes?: number;
  /** Ports a person asked for; any left out are chosen free. */
  ports?: { apiServer?: number; prometheus?: number; git?: number; github?: number };
  cacheRoot?: string;
  crdDir?: string;
  /** Where the local GitHub delivers webhooks (the app's webhook URL); none are delivered without it. */
  webhookUrl?: string;
  /** Also build and start the reference Argo Rollouts controller (instance id `argo`), with Argo's own CRDs installed instead of Gradual's. */
  withArgo?: boolean;
  /**
   * Aborting stops at once every process started so far and rejects with an INTERRUPTED SetupError. The
   * processes run in their own process groups (they outlive `local up`), so a SIGINT or SIGTERM to the
   * starting process alone would otherwise leave them running, unrecorded in env.json.
   */
  signal?: AbortSignal;
  logger: Logger;
}

/** The instance id `local up --with-argo` gives Argo's controller; label a Rollout with it to hand it to Argo. */
export const localArgoInstanceId = 'argo';

const envFileName = 'env.json';

export function environmentFile(dir: string): string {
  return join(resolve(dir), envFileName);
}

/**
 * Starts one embedded local environment in `dir`: the control plane, KWOK
 * nodes, the CRDs, Prometheus and the git server, then writes `dir/env.json`.
 * A failure at any step stops everything this call started before it throws,
 * so a failed `up` leaves no process behind.
 */
export async function localUp(options: LocalUpOptions): Promise<LocalEnvironment> {
  const dir = resolve(options.dir);
  const nodeCount = options.nodes ?? 3;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 100) {
    throw new SetupError('INVALID_INPUT', `--nodes must be a whole number from 1 to 100, got ${String(options.nodes)}`);
  }
  const logger = options.logger.child({ environment: dir });
  await mkdir(dir, { recursive: true });
  const previous = await readEnvironment(dir).catch(() => undefined);
  if (previous !== undefined && (await runningProcesses(previous)).length > 0) {
    throw new SetupError(
      'ENVIRONMENT_EXISTS',
      `An environment is already running in ${dir}. Stop it first: gradual local down --dir ${dir}`,
    );
  }

  // Every port first: an occupied port a person asked for fails before anything is built or started.
  const ports = await allocatePorts({
    'the API server (--apiserver-port)': options.ports?.apiServer,
    'Prometheus (--prometheus-port)': options.ports?.prometheus,
    'the git server (--git-port)': options.ports?.git,
    'the local GitHub (--github-port)': options.ports?.github,
    etcdClient: undefined,
    etcdPeer: undefined,
    kwokServer: undefined,
  });
  const apiServerPort = ports['the API server (--apiserver-port)'];
  const prometheusPort = ports['Prometheus (--prometheus-port)'];
  const gitPort = ports['the git server (--git-port)'];
  const githubPort = ports['the local GitHub (--github-port)'];

  const started: ManagedProcess[] = [];
  const startEverything = async (): Promise<LocalEnvironment> => {
    await ensureDebianPackages(debianPackages, logger);
    const binaries = await ensureControlPlaneBinaries({ cacheRoot: options.cacheRoot ?? defaultCacheRoot(), logger });
    const argo =
      options.withArgo === true
        ? await ensureArgoRolloutsBinary({ cacheRoot: options.cacheRoot ?? defaultCacheRoot(), logger })
        : undefined;
    // Both sets define the same kinds under the same names; with Argo running, its own schema decides what is stored.
    const crdDir = argo === undefined ? options.crdDir : argoCrdDir(argo.moduleDir);
    const controlPlane = await startControlPlane({
      dir,
      binaries,
      ports: { apiServer: apiServerPort, etcdClient: ports.etcdClient, etcdPeer: ports.etcdPeer },
      logger,
      started,
    });
    const nodes = await startKwokNodes({
      dir,
      kubeconfig: controlPlane.kubeconfig,
      binaries,
      count: nodeCount,
      serverPort: ports.kwokServer,
      logger,
      started,
    });
    await installCrds({ kubeconfig: controlPlane.kubeconfig, logger, ...(crdDir === undefined ? {} : { dir: crdDir }) });
    const argoRollouts =
      argo === undefined ? undefined : await startLocalArgo(dir, argo.controller, controlPlane.kubeconfig, logger, started);
    const prometheus = await startPrometheus(dir, prometheusPort, logger, started);
    // The git server tells the local GitHub about pushes; the GitHub's port is known before either starts.
    const git = await startGitServer(dir, gitPort, logger, started, `http://127.0.0.1:${String(githubPort)}${gitPushedPath}`);
    const github = await startGithub(dir, githubPort, logger, started, {
      git,
      ...(options.webhookUrl !== undefined && { webhookUrl: options.webhookUrl }),
    });
    return {
      dir,
      startedAt: new Date().toISOString(),
      versions: {
        ...pinnedVersions,
        prometheus: await readPrometheusVersion(),
        git: (await runCommand('git', ['--version'])).stdout.trim().replace(/^git version /, ''),
      },
      kubernetes: { apiServerUrl: controlPlane.apiServerUrl, kubeconfig: controlPlane.kubeconfig, etcdUrl: controlPlane.etcdUrl, nodes },
      prometheus,
      git,
      github,
      ...(argoRollouts === undefined ? {} : { argoRollouts }),
      processes: started,
    };
  };

  const { signal } = options;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(
        new SetupError(
          'INTERRUPTED',
          `Interrupted (${String(signal?.reason ?? 'aborted')}) while starting the local environment in ${dir}; stopped what had started.`,
        ),
      );
    };
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // On an abort the step under way (a build, a wait) is left behind: the caller exits, and whatever it
    // started by then is in `started`, which the clean-up below drains.
    const environment = await Promise.race([startEverything(), interrupted]);
    await writeEnvironment(dir, environment);
    logger.info(
      {
        apiServer: environment.kubernetes.apiServerUrl,
        prometheus: environment.prometheus.url,
        git: environment.git.url,
        github: environment.github?.url,
      },
      'local environment up',
    );
    return environment;
  } catch (cause) {
    logger.error({ err: cause }, 'local environment failed to start; stopping what was started');
    for (let record = started.pop(); record !== undefined; record = started.pop()) await stopProcess(record);
    throw cause;
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

async function startLocalArgo(
  dir: string,
  controller: string,
  kubeconfig: string,
  logger: Logger,
  started: ManagedProcess[],
): Promise<NonNullable<LocalEnvironment['argoRollouts']>> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const running = await startArgoRollouts({
    controller,
    kubeconfig,
    instanceId: localArgoInstanceId,
    logFile: join(dir, 'logs', 'argo-rollouts.log'),
    logger,
    onStart: (record) => started.push(record),
  });
  return { version: pinnedVersions.argoRollouts, instanceId: localArgoInstanceId, metricsUrl: running.metricsUrl };
}

async function startPrometheus(
  dir: string,
  port: number,
  logger: Logger,
  started: ManagedProcess[],
): Promise<LocalEnvironment['prometheus']> {
  const promDir = join(dir, 'prometheus');
  const targetsDir = join(promDir, 'targets');
  await mkdir(targetsDir, { recursive: true });
  const listenAddress = `127.0.0.1:${String(port)}`;
  const configFile = join(promDir, 'prometheus.yml');
  await writeFile(configFile, renderPrometheusConfig({ targetsDir, scrapeIntervalSeconds: 1, selfTarget: listenAddress }));
  const process = startProcess({
    name: 'prometheus',
    command: debianPrometheusBinary,
    args: prometheusArgs({ configFile, dataDir: join(promDir, 'data'), listenAddress }),
    logFile: join(dir, 'logs', 'prometheus.log'),
  });
  started.push(process.record);
  const url = `http://${listenAddress}`;
  const abort = new AbortController();
  try {
    await Promise.race([waitForPrometheusReady(url, { timeoutMs: 180_000, signal: abort.signal }), process.exited]);
  } finally {
    abort.abort();
  }
  logger.info({ component: 'prometheus', url }, 'ready');
  return { url, configFile, targetsDir };
}

async function startGitServer(
  dir: string,
  port: number,
  logger: Logger,
  started: ManagedProcess[],
  notifyUrl: string,
): Promise<LocalEnvironment['git']> {
  const root = join(dir, 'git');
  await mkdir(root, { recursive: true });
  const cli = ownCliInvocation();
  const process = startProcess({
    name: 'git-server',
    command: cli.command,
    args: [...cli.args, 'local', 'serve-git', '--root', root, '--port', String(port), '--notify-url', notifyUrl],
    cwd: cli.cwd,
    logFile: join(dir, 'logs', 'git-server.log'),
  });
  started.push(process.record);
  const url = `http://127.0.0.1:${String(port)}`;
  await waitUntil(
    async () => {
      // Any HTTP answer means the server listens; the root path is not a repository.
      await fetch(`${url}/`);
      return true;
    },
    { what: `the git server at ${url}`, timeoutMs: 120_000, abortOn: [process.exited] },
  );
  logger.info({ component: 'git-server', url }, 'ready');
  return { url, root };
}

export async function readEnvironment(dir: string): Promise<LocalEnvironment> {
  const file = environmentFile(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SetupError(
      'ENVIRONMENT_MISSING',
      `No local environment in ${resolve(dir)} (${file} not found). Start one: gradual local up --dir ${dir}`,
      { cause },
    );
  }
  const parsed = localEnvironmentSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new SetupError('INVALID_INPUT', `${file} is not a valid environment description: ${parsed.error.message}`);
  return parsed.data;
}

export async function writeEnvironment(dir: string, environment: LocalEnvironment): Promise<void> {
  const file = environmentFile(dir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(environment, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

async function runningProcesses(environment: LocalEnvironment): Promise<ManagedProcess[]> {
  const alive = await Promise.all(environment.processes.map(async (record) => ((await isRunning(record)) ? record : undefined)));
  return alive.filter((record): record is ManagedProcess => record !== undefined);
}

/** Stops every process the environment in `dir` started, newest first; its files (etcd data, repositories) stay. */
export async function localDown(options: { dir: string; logger: Logger }): Promise<ManagedProcess[]> {
  const environment = await readEnvironment(options.dir);
  const stopped: ManagedProcess[] = [];
  for (const record of [...environment.processes].reverse()) {
    if (!(await isRunning(record))) continue;
    await stopProcess(record);
    stopped.push(record);
    options.logger.info({ environment: environment.dir, component: record.name, pid: record.pid }, 'stopped');
  }
  return stopped;
}

export interface LocalStatus {
  environment: LocalEnvironment;
  processes: (ManagedProcess & { running: boolean })[];
}

export async function localStatus(options: { dir: string }): Promise<LocalStatus> {
  const environment = await readEnvironment(options.dir);
  const processes = await Promise.all(environment.processes.map(async (record) => ({ ...record, running: await isRunning(record) })));
  return { environment, processes };
}

export async function environmentExists(dir: string): Promise<boolean> {
  return access(environmentFile(dir)).then(
    () => true,
    () => false,
  );
}
