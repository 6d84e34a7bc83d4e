// Side by side (issue 5, item 3c): memory (RSS) and CPU seconds of Gradual's and Argo Rollouts'
// controllers with N idle, Healthy Rollouts on KWOK. Each controller runs alone as its own process
// (Gradual through `gradual controller`, Argo's binary built from its module), handles only its own
// namespace's Rollouts (instance id), and is measured over the same idle window; then both figures
// and their ratio are printed. Both run on Argo's CRDs (Gradual's are put back at the end).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { argoCrdDir, ensureArgoRolloutsBinary, startArgoRollouts } from '../src/local/argo-rollouts.js';
import { cacheRoot } from '../src/local/cache-dir.js';
import { installCrds } from '../src/local/crds.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { ownCliInvocation } from '../src/local/own-cli.js';
import { allocatePorts } from '../src/local/ports.js';
import { startProcess, stopProcess } from '../src/local/process-supervisor.js';
import type { ManagedProcess } from '../src/local/types.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { addKwokNodes, kubeConfigOf, rssMiB } from './local-environment.js';
import { header, note, row, seconds } from './report.js';

const instanceLabel = 'argo-rollouts.argoproj.io/controller-instance-id';
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const ticksPerSecond = 100;

interface IdleFigures {
  rssMiB: number;
  cpuSeconds: number;
  healthySeconds: number;
}

async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 overall; the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function rollout(name: string, instanceId: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, labels: { [instanceLabel]: instanceId } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

/** Creates N Rollouts for one controller, waits until all are Healthy, lets it settle, then measures an idle window. */
async function measureIdle(environment: LocalEnvironment, controller: ManagedProcess, instanceId: string, count: number, idleMs: number, logger: Logger): Promise<IdleFigures> {
  const kubeConfig = kubeConfigOf(environment);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = `bench-idle-${instanceId}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', { what: 'default ServiceAccount', timeoutMs: 30_000 });
  const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'rollouts' };
  const started = performance.now();
  const names = Array.from({ length: count }, (_, index) => `r-${String(index).padStart(4, '0')}`);
  for (let index = 0; index < names.length; index += 20) {
    await Promise.all(names.slice(index, index + 20).map((name) => custom.createNamespacedCustomObject({ ...api, body: rollout(name, instanceId) })));
  }
  let healthy = 0;
  await waitUntil(
    async () => {
      const list = (await custom.listNamespacedCustomObject(api)) as { items: { status?: { phase?: string } }[] };
      healthy = list.items.filter((item) => item.status?.phase === 'Healthy').length;
      logger.info({ bench: 'idle', instanceId, healthy, of: count }, 'bench progress');
      return healthy === count;
    },
    { what: `${String(count)} Healthy Rollouts (${instanceId})`, timeoutMs: Math.max(600_000, count * 3_000), intervalMs: 5_000 },
  );
  const healthySeconds = Number(seconds(started));
  // Settle: trailing writes and events finish before the idle window opens.
  await delay(15_000);
  const cpuBefore = await cpuSeconds(controller.pid);
  await delay(idleMs);
  const figures = { rssMiB: await rssMiB(controller.pid), cpuSeconds: (await cpuSeconds(controller.pid)) - cpuBefore, healthySeconds };
  // Printed at once: if the other side fails or is stopped, this side's figures are not lost.
  row(`${instanceId}: create → all ${String(count)} Healthy (s) | RSS idle (MiB) | CPU over ${String(idleMs / 1000)} s idle (s)`, `${healthySeconds.toFixed(1)} | ${figures.rssMiB.toFixed(0)} | ${figures.cpuSeconds.toFixed(2)}`);
  await core.deleteNamespace({ name: namespace });
  await waitUntil(async () => (await core.listNamespace()).items.every((item) => item.metadata?.name !== namespace), { what: `${namespace} deleted`, timeoutMs: 600_000, intervalMs: 2_000 });
  return figures;
}

async function startGradualController(environment: LocalEnvironment, instanceId: string): Promise<ManagedProcess> {
  const ports = await allocatePorts({ metrics: undefined, healthz: undefined });
  const cli = ownCliInvocation();
  const args = [
    ...cli.args,
    'controller',
    '--kubeconfig',
    environment.kubernetes.kubeconfig,
    '--instance-id',
    instanceId,
    '--no-leader-elect',
    '--metrics-port',
    String(ports.metrics),
    '--healthz-port',
    String(ports.healthz),
  ];
  const started = startProcess({ name: 'gradual-controller', command: cli.command, args, cwd: cli.cwd, logFile: join(environment.dir, 'logs', `gradual-${instanceId}.log`) });
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(ports.healthz)}/healthz`)).ok, { what: "Gradual's controller healthz", timeoutMs: 60_000, abortOn: [started.exited] });
  return started.record;
}

export async function benchIdleSideBySide(environment: LocalEnvironment, logger: Logger, count: number): Promise<void> {
  const idleMs = 60_000;
  header(`Side by side: ${String(count)} idle Healthy Rollouts (replicas 1) — each controller alone, RSS after settling, CPU over a ${String(idleMs / 1000)} s idle window`);
  const binary = await ensureArgoRolloutsBinary({ cacheRoot: cacheRoot(), logger });
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, dir: argoCrdDir(binary.moduleDir), logger });
  // Nodes of its own: the scale bench before it keeps its Rollouts' pods on the `bench-node-*` ones.
  await addKwokNodes(kubeConfigOf(environment), Math.ceil(count / 100), 'bench-idle-node');
  let figures: { gradual: IdleFigures; argo: IdleFigures };
  try {
    const argoProcess = await startArgoRollouts({ controller: binary.controller, kubeconfig: environment.kubernetes.kubeconfig, instanceId: 'bench-argo', logFile: join(environment.dir, 'logs', 'argo-bench.log'), logger });
    const argo = await measureIdle(environment, argoProcess.record, 'bench-argo', count, idleMs, logger).finally(() => stopProcess(argoProcess.record));
    const gradualProcess = await startGradualController(environment, 'bench-gradual');
    const gradual = await measureIdle(environment, gradualProcess, 'bench-gradual', count, idleMs, logger).finally(() => stopProcess(gradualProcess));
    figures = { gradual, argo };
  } finally {
    await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, logger });
  }
  const { gradual, argo } = figures;
  const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  row('create → all Healthy, Gradual | Argo | ratio (s)', `${gradual.healthySeconds.toFixed(1)} | ${argo.healthySeconds.toFixed(1)} | ${ratio(gradual.healthySeconds, argo.healthySeconds)}`);
  row('RSS when idle, Gradual | Argo | ratio (MiB)', `${gradual.rssMiB.toFixed(0)} | ${argo.rssMiB.toFixed(0)} | ${ratio(gradual.rssMiB, argo.rssMiB)}`);
  row(`CPU over ${String(idleMs / 1000)} s idle, Gradual | Argo | ratio (s)`, `${gradual.cpuSeconds.toFixed(2)} | ${argo.cpuSeconds.toFixed(2)} | ${ratio(gradual.cpuSeconds, argo.cpuSeconds)}`);
  note("Gradual runs from sources through tsx (its RSS includes the TypeScript loader); Argo's binary is stripped Go. Both with their default workers and informers, the admin kubeconfig, no leader election.");
}
