// Side by side (issue 5, item 3c, and 3b on the same objects): memory (RSS) and CPU seconds of
// Gradual's and Argo Rollouts' controllers with N idle, Healthy Rollouts on KWOK. Each controller
// runs alone as its own process (Gradual through `gradual controller`, Argo's binary built from its
// module), handles only its own namespace's Rollouts (instance id), and is measured over the same
// idle window once it has settled; then both figures and their ratio are printed. With `lateness`,
// the same N Rollouts then take a new image and run timed pauses (side-by-side-lateness.ts), so the
// N are created once per controller for both figures.
import { performance } from 'node:perf_hooks';
import type { LocalEnvironment } from '../src/local/index.js';
import { createRestClient } from '../src/kube/index.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { createNamespace, withConcurrency } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, row } from './report.js';
import {
  deleteNamespaceAndWait,
  heapMiB,
  instanceLabel,
  pick,
  rowSideBySide,
  startController,
  type ControllerName,
  type SideBySide,
} from './side-by-side-controllers.js';
import { latenessSteps, measureLateness, pauseSeconds, type LatenessFigures } from './side-by-side-lateness.js';
import { cpuSeconds, measureIdleWindow, sampleProcess, waitSettled } from './side-by-side-process.js';

export interface IdleFigures {
  rollouts: number;
  /** Create → all N Healthy. */
  healthySeconds: number;
  /** CPU the controller used from its start until all N were Healthy and it had settled. */
  cpuToSettledSeconds: number;
  settled: boolean;
  /** At the end of the idle window. */
  rssMiB: number;
  idleCpuSeconds: number;
  idleMs: number;
  /** The runtime's own heap figures at the end of the idle window (what of the RSS is heap, and how much of that is live). */
  heapUsedMiB?: number;
  heapTotalMiB?: number;
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
      strategy: { canary: { steps: latenessSteps } },
    },
  };
}

export async function measureIdleAndLateness(
  environment: LocalEnvironment,
  name: ControllerName,
  count: number,
  options: { idleMs: number; lateness: boolean },
  logger: Logger,
): Promise<{ idle: IdleFigures; lateness?: LatenessFigures }> {
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const instanceId = `bench-idle-${name}`;
  const namespace = `${instanceId}-${String(count)}`;
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`;
  await createNamespace(kubeConfig, namespace);
  const controller = await startController(name, environment, environment.kubernetes.kubeconfig, instanceId, logger);
  try {
    const started = performance.now();
    const names = Array.from({ length: count }, (_, index) => `r-${String(index).padStart(4, '0')}`);
    await withConcurrency(names, 20, (rolloutName) => rest.request({ method: 'POST', path, body: rollout(rolloutName, instanceId) }));
    await waitUntil(
      async () => {
        const list = await rest.request<{ items: { status?: { phase?: string } }[] }>({ method: 'GET', path });
        const healthy = list.items.filter((item) => item.status?.phase === 'Healthy').length;
        logger.info(
          { bench: 'idle', controller: name, healthy, of: count, seconds: Math.round((performance.now() - started) / 1000) },
          'bench progress',
        );
        return healthy === count;
      },
      { what: `${String(count)} Healthy Rollouts (${name})`, timeoutMs: Math.max(600_000, count * 600), intervalMs: 5_000 },
    );
    const healthySeconds = (performance.now() - started) / 1000;
    // Trailing writes and events finish before the idle window opens.
    const settled = await waitSettled(controller.process.pid);
    const cpuToSettledSeconds = await cpuSeconds(controller.process.pid);
    const window = await measureIdleWindow(controller.process.pid, options.idleMs);
    const heap = await heapMiB(controller).catch((cause: unknown) => {
      logger.warn({ err: cause, controller: name }, 'no heap figures');
      return undefined;
    });
    const idle: IdleFigures = {
      rollouts: count,
      healthySeconds,
      cpuToSettledSeconds,
      settled,
      rssMiB: window.rssMiB,
      idleCpuSeconds: window.cpuSeconds,
      idleMs: options.idleMs,
      ...(heap === undefined ? {} : { heapUsedMiB: heap.usedMiB, heapTotalMiB: heap.totalMiB }),
    };
    if (heap !== undefined)
      row(
        `${name}: ${String(count)} idle Rollouts: heap used | heap total (MiB)`,
        `${heap.usedMiB.toFixed(0)} | ${heap.totalMiB.toFixed(0)}`,
      );
    // Printed at once: if the other side fails, this side's figures are not lost.
    row(
      `${name}: ${String(count)} Rollouts: create → Healthy (s) | CPU to settled (s) | RSS idle (MiB) | CPU ${String(options.idleMs / 1000)} s idle (s)`,
      `${healthySeconds.toFixed(1)} | ${cpuToSettledSeconds.toFixed(1)} | ${idle.rssMiB.toFixed(0)} | ${idle.idleCpuSeconds.toFixed(2)}${settled ? '' : ' (never settled)'}`,
    );
    if (!options.lateness) return { idle };
    const lateness = await measureLateness(environment, name, controller.process.pid, namespace, names, logger);
    const after = await sampleProcess(controller.process.pid);
    logger.info({ bench: 'lateness', controller: name, rssMiB: after.rssMiB }, 'RSS after the lateness run');
    return { idle, lateness };
  } finally {
    await controller.stop();
    await deleteNamespaceAndWait(environment, namespace, Math.max(600_000, count * 300));
  }
}

export interface IdleSideBySide {
  idle: SideBySide<IdleFigures>;
  lateness?: SideBySide<LatenessFigures>;
}

/** Each controller alone, Argo first; the caller has installed Argo's CRDs and added KWOK nodes for N (2 N with lateness) pods. */
export async function benchIdleSideBySide(
  environment: LocalEnvironment,
  logger: Logger,
  count: number,
  options: { idleMs?: number; lateness?: boolean } = {},
): Promise<IdleSideBySide> {
  const idleMs = options.idleMs ?? 60_000;
  const lateness = options.lateness ?? false;
  header(
    `Side by side (c${lateness ? ', b' : ''}): ${String(count)} Healthy Rollouts (replicas 1) — each controller alone, RSS and CPU over ${String(idleMs / 1000)} s idle once settled` +
      (lateness ? `; then a new image on all: step lateness of 3 × pause {duration: ${String(pauseSeconds)}s} each` : ''),
  );
  const argo = await measureIdleAndLateness(environment, 'argo', count, { idleMs, lateness }, logger);
  const gradual = await measureIdleAndLateness(environment, 'gradual', count, { idleMs, lateness }, logger);
  const idle = { gradual: gradual.idle, argo: argo.idle };
  rowSideBySide(
    `${String(count)} Rollouts: create → all Healthy (s)`,
    pick(idle, (figure) => figure.healthySeconds),
    1,
  );
  rowSideBySide(
    `${String(count)} Rollouts: CPU from start to settled (s)`,
    pick(idle, (figure) => figure.cpuToSettledSeconds),
    1,
  );
  rowSideBySide(
    `${String(count)} idle Rollouts: RSS (MiB)`,
    pick(idle, (figure) => figure.rssMiB),
  );
  rowSideBySide(
    `${String(count)} idle Rollouts: CPU over ${String(idleMs / 1000)} s (s)`,
    pick(idle, (figure) => figure.idleCpuSeconds),
    2,
  );
  if (!lateness || gradual.lateness === undefined || argo.lateness === undefined) return { idle };
  const steps = { gradual: gradual.lateness, argo: argo.lateness };
  rowSideBySide(
    `step lateness with ${String(count)} active Rollouts, p50 (ms)`,
    pick(steps, (figure) => figure.p50Ms),
  );
  rowSideBySide(
    `step lateness with ${String(count)} active Rollouts, p99 (ms)`,
    pick(steps, (figure) => figure.p99Ms),
  );
  rowSideBySide(
    `step lateness from the pause as seen, p50 (ms)`,
    pick(steps, (figure) => figure.seenP50Ms),
  );
  rowSideBySide(
    `step lateness from the pause as seen, p99 (ms)`,
    pick(steps, (figure) => figure.seenP99Ms),
  );
  note(
    "Gradual runs compiled (dist/, NODE_ENV=production, as its image runs it); Argo's binary is stripped Go. Both with their default workers and informers, the admin kubeconfig, no leader election",
  );
  return { idle, lateness: steps };
}
