// Side by side (issue 5, item 3c): memory (RSS) and CPU seconds of each controller with N finished
// AnalysisRuns in the cluster (Successful, 3 measurements each, labelled for the controller's instance
// id, as a Rollout's runs are), against the same controller started on an empty cluster. The runs are
// created once and shared: both controllers are started, one after the other and alone, with the same
// instance id; neither writes to a finished run.
import { performance } from 'node:perf_hooks';
import { createRestClient } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import type { Logger } from '../src/log/index.js';
import { createNamespace, withConcurrency } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, row, seconds } from './report.js';
import {
  deleteNamespaceAndWait,
  instanceLabel,
  pick,
  rowSideBySide,
  startController,
  type ControllerName,
  type SideBySide,
} from './side-by-side-controllers.js';
import { cpuSeconds, measureIdleWindow, waitSettled } from './side-by-side-process.js';

export interface RunsFigures {
  runs: number;
  /** The controller started with no run of its instance id: settled RSS. */
  emptyRssMiB: number;
  /** Start → settled (caches synced, each run looked at once). */
  cpuToSettledSeconds: number;
  settled: boolean;
  rssMiB: number;
  idleCpuSeconds: number;
  idleMs: number;
  perRunKiB: number;
}

const instanceId = 'bench-runs';
const namespace = 'bench-runs-side-by-side';

function finishedRun(name: string): object {
  const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString().replace('.000Z', 'Z');
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, namespace, labels: { [instanceLabel]: instanceId } },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          interval: '20s',
          count: 3,
          successCondition: 'result[0] >= 0.9',
          provider: { prometheus: { address: 'http://prometheus.example:9090', query: 'sum(rate(x[5m]))' } },
        },
      ],
    },
    status: {
      phase: 'Successful',
      startedAt: at(0),
      completedAt: at(1),
      runSummary: { count: 1, successful: 1 },
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Successful',
          count: 3,
          successful: 3,
          measurements: [0, 1, 2].map((i) => ({ phase: 'Successful', value: '[0.97]', startedAt: at(i), finishedAt: at(i) })),
        },
      ],
    },
  };
}

async function settledRss(environment: LocalEnvironment, name: ControllerName, logger: Logger): Promise<number> {
  const controller = await startController(name, environment, environment.kubernetes.kubeconfig, instanceId, logger);
  try {
    await waitSettled(controller.process.pid, { windowMs: 3_000 });
    return (await measureIdleWindow(controller.process.pid, 3_000)).rssMiB;
  } finally {
    await controller.stop();
  }
}

async function measure(
  environment: LocalEnvironment,
  name: ControllerName,
  runs: number,
  emptyRssMiB: number,
  idleMs: number,
  logger: Logger,
): Promise<RunsFigures> {
  const controller = await startController(name, environment, environment.kubernetes.kubeconfig, instanceId, logger);
  try {
    const settled = await waitSettled(controller.process.pid);
    const cpuToSettledSeconds = await cpuSeconds(controller.process.pid);
    const window = await measureIdleWindow(controller.process.pid, idleMs);
    const figures: RunsFigures = {
      runs,
      emptyRssMiB,
      cpuToSettledSeconds,
      settled,
      rssMiB: window.rssMiB,
      idleCpuSeconds: window.cpuSeconds,
      idleMs,
      perRunKiB: ((window.rssMiB - emptyRssMiB) * 1024) / runs,
    };
    row(
      `${name}: ${String(runs)} finished runs: RSS empty | with runs (MiB) | CPU to settled (s) | CPU ${String(idleMs / 1000)} s idle (s)`,
      `${emptyRssMiB.toFixed(0)} | ${figures.rssMiB.toFixed(0)} | ${cpuToSettledSeconds.toFixed(1)} | ${figures.idleCpuSeconds.toFixed(2)}${settled ? '' : ' (never settled)'}`,
    );
    return figures;
  } finally {
    await controller.stop();
  }
}

/** Both controllers alone, Argo first, on the same N runs; the caller has installed Argo's CRDs. */
export async function benchFinishedRunsSideBySide(
  environment: LocalEnvironment,
  logger: Logger,
  runs: number,
  idleMs = 60_000,
): Promise<SideBySide<RunsFigures>> {
  header(
    `Side by side (c): ${String(runs)} finished AnalysisRuns (3 measurements each) — each controller alone, RSS and CPU once settled, against the same controller on an empty cluster`,
  );
  const empty = { argo: await settledRss(environment, 'argo', logger), gradual: await settledRss(environment, 'gradual', logger) };
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  await createNamespace(kubeConfig, namespace);
  try {
    const started = performance.now();
    const names = Array.from({ length: runs }, (_, index) => `done-${String(index).padStart(5, '0')}`);
    await withConcurrency(names, 20, (name) =>
      rest.request({ method: 'POST', path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`, body: finishedRun(name) }),
    );
    row(`create ${String(runs)} finished AnalysisRuns (s)`, seconds(started));
    const argo = await measure(environment, 'argo', runs, empty.argo, idleMs, logger);
    const gradual = await measure(environment, 'gradual', runs, empty.gradual, idleMs, logger);
    const figures = { gradual, argo };
    rowSideBySide(
      'no AnalysisRuns: RSS (MiB)',
      pick(figures, (figure) => figure.emptyRssMiB),
    );
    rowSideBySide(
      `${String(runs)} finished AnalysisRuns: RSS (MiB)`,
      pick(figures, (figure) => figure.rssMiB),
    );
    rowSideBySide(
      `${String(runs)} finished AnalysisRuns: per run (KiB)`,
      pick(figures, (figure) => figure.perRunKiB),
      1,
    );
    rowSideBySide(
      `${String(runs)} finished AnalysisRuns: CPU from start to settled (s)`,
      pick(figures, (figure) => figure.cpuToSettledSeconds),
      1,
    );
    rowSideBySide(
      `${String(runs)} finished AnalysisRuns: CPU over ${String(idleMs / 1000)} s idle (s)`,
      pick(figures, (figure) => figure.idleCpuSeconds),
      2,
    );
    note(
      'the runs are created once and carry the instance id both controllers are started with; a controller "settled" when it used under 5 % of a core over 5 s',
    );
    return figures;
  } finally {
    await deleteNamespaceAndWait(environment, namespace);
  }
}
