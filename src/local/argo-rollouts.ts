import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { infraModulesDir } from './binaries.js';
import { ensureGoBuild } from './go-build.js';
import { allocatePorts } from './ports.js';
import { startProcess, type StartedProcess } from './process-supervisor.js';
import { runCommand } from './run-command.js';
import type { ManagedProcess } from './types.js';
import { pinnedVersions } from './versions.js';
import { waitUntil } from './wait-until.js';

/** The Go module of the reference controller; its wrapper lives next to the control plane's. */
export const argoRolloutsModule = 'github.com/argoproj/argo-rollouts';
export const argoRolloutsWrapperDir = join(infraModulesDir, 'argo-rollouts');

/** Argo's version package reports what its Makefile would stamp; without it the controller logs v99.99.99. */
function argoLdflags(version: string): string[] {
  return [
    '-s',
    '-w',
    `-X ${argoRolloutsModule}/utils/version.version=${version.replace(/^v/, '')}`,
    `-X ${argoRolloutsModule}/utils/version.gitTag=${version}`,
  ];
}

export interface ArgoRolloutsBinary {
  /** The `rollouts-controller` executable. */
  controller: string;
  /** The module's source folder in the Go module cache (manifests/crds/*.yaml live there). */
  moduleDir: string;
}

/**
 * Builds (once, cached like the control plane and under the same lock
 * mechanism) Argo Rollouts' controller at the pinned version, and locates its
 * module source so tests can read Argo's own CRDs from it instead of
 * committing a copy.
 */
export async function ensureArgoRolloutsBinary(options: { cacheRoot: string; logger: Logger }): Promise<ArgoRolloutsBinary> {
  const version = pinnedVersions.argoRollouts;
  const binDir = await ensureGoBuild(
    {
      name: 'argo-rollouts',
      version,
      moduleDir: argoRolloutsWrapperDir,
      packages: [`${argoRolloutsModule}/cmd/rollouts-controller`],
      ldflags: argoLdflags(version),
    },
    options,
  );
  return { controller: join(binDir, 'rollouts-controller'), moduleDir: await argoRolloutsModuleDir() };
}

/** The plugin's wrapper: the controller's replaces, plus the go.sum lines of the plugin's own dependencies (a separate module keeps the controller's build key). */
export const argoRolloutsPluginWrapperDir = join(infraModulesDir, 'argo-rollouts-plugin');

/**
 * Builds (once, cached) Argo's kubectl plugin, `kubectl-argo-rollouts`, from the same pinned
 * module as the controller, so tests can run Argo's own CLI against Gradual's objects.
 */
export async function ensureArgoRolloutsPlugin(options: { cacheRoot: string; logger: Logger }): Promise<string> {
  const version = pinnedVersions.argoRollouts;
  const binDir = await ensureGoBuild(
    {
      name: 'kubectl-argo-rollouts',
      version,
      moduleDir: argoRolloutsPluginWrapperDir,
      packages: [`${argoRolloutsModule}/cmd/kubectl-argo-rollouts`],
      ldflags: argoLdflags(version),
    },
    options,
  );
  return join(binDir, 'kubectl-argo-rollouts');
}

/** Argo's CRDs as its module ships them (read at run time, never committed here). */
export function argoCrdDir(moduleDir: string): string {
  return join(moduleDir, 'manifests', 'crds');
}

/** Where the Go module cache holds the pinned Argo source (downloaded by the build, or on demand here). */
export async function argoRolloutsModuleDir(): Promise<string> {
  const listed = await runCommand('go', ['list', '-m', '-f', '{{.Dir}}', argoRolloutsModule], {
    cwd: argoRolloutsWrapperDir,
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  });
  const dir = listed.stdout.trim();
  if (listed.code !== 0 || dir === '')
    throw new Error(`go list -m ${argoRolloutsModule} in ${argoRolloutsWrapperDir} failed: ${listed.stderr.trim()}`);
  return dir;
}

export interface StartArgoRolloutsOptions {
  controller: string;
  kubeconfig: string;
  /** Argo's --instance-id: it only touches objects labelled `argo-rollouts.argoproj.io/controller-instance-id: <id>`. */
  instanceId: string;
  logFile: string;
  logger: Logger;
  /** Called with the process record as soon as it exists, so a failed start can still be stopped by the caller. */
  onStart?: (record: ManagedProcess) => void;
}

export interface RunningArgoRollouts extends StartedProcess {
  metricsUrl: string;
  healthzUrl: string;
}

/**
 * Starts Argo's controller against a control plane with the admin kubeconfig
 * (as Gradual's tests run Gradual), on free ports, without leader election
 * (one replica; a Lease would need Argo's own namespace), and waits for its
 * healthz. The caller stops it with stopProcess(record).
 */
export async function startArgoRollouts(options: StartArgoRolloutsOptions): Promise<RunningArgoRollouts> {
  const ports = await allocatePorts({ metrics: undefined, healthz: undefined });
  const started = startProcess({
    name: 'argo-rollouts',
    command: options.controller,
    args: [
      '--kubeconfig',
      options.kubeconfig,
      '--instance-id',
      options.instanceId,
      '--leader-elect=false',
      `--metricsPort=${String(ports.metrics)}`,
      `--healthzPort=${String(ports.healthz)}`,
      '--logformat=json',
    ],
    logFile: options.logFile,
    // Argo reads its own namespace from here (notification ConfigMap, leases); the default namespace is harmless.
    env: { ...process.env, POD_NAMESPACE: 'default' },
  });
  options.onStart?.(started.record);
  const healthzUrl = `http://127.0.0.1:${String(ports.healthz)}/healthz`;
  const metricsUrl = `http://127.0.0.1:${String(ports.metrics)}/metrics`;
  await waitUntil(async () => (await fetch(healthzUrl)).ok, {
    what: `Argo Rollouts' healthz at ${healthzUrl}`,
    timeoutMs: 180_000,
    abortOn: [started.exited],
  });
  options.logger.info(
    { component: 'argo-rollouts', instanceId: options.instanceId, pid: started.record.pid, metricsUrl, logFile: options.logFile },
    'ready',
  );
  return { ...started, metricsUrl, healthzUrl };
}
