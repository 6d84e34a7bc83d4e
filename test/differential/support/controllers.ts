import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createAnalysisRunController, type AnalysisRunController } from '../../../src/analysis/controller/analysis-run-controller.js';
import { createExperimentController, type ExperimentController } from '../../../src/engine/controller/experiment-controller.js';
import { createRolloutController, type RolloutController } from '../../../src/engine/controller/rollout-controller.js';
import { createLogger, type Logger } from '../../../src/log/index.js';
import { argoCrdDir, ensureArgoRolloutsBinary, startArgoRollouts, type RunningArgoRollouts } from '../../../src/local/argo-rollouts.js';
import { cacheRoot } from '../../../src/local/cache-dir.js';
import { installCrds } from '../../../src/local/crds.js';
import { stopProcess } from '../../../src/local/process-supervisor.js';
import type { LocalEnvironment } from '../../../src/local/types.js';

/** The test CRDs of the traffic routers' kinds (structural, unknown fields kept): Argo needs them as much as Gradual. */
const trafficCrdDir = fileURLToPath(new URL('../../../src/local/traffic-crds/', import.meta.url));

/** Both controllers on one control plane, each handling only the objects labelled with its own instance id. */
export interface DifferentialControllers {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  instanceIds: { gradual: string; argo: string };
  argo: RunningArgoRollouts;
  gradual: RolloutController;
  /** Gradual's AnalysisRun controller (Argo's one process runs both). */
  gradualAnalysis: AnalysisRunController;
  /** Gradual's Experiment controller (Argo's one process runs it too). */
  gradualExperiments: ExperimentController;
  /** Where Argo's controller logs (for a failing scenario's message). */
  argoLogFile: string;
  /** Where Gradual's three controllers log (info and up), beside Argo's. */
  gradualLogFile: string;
  stop(): Promise<void>;
}

/**
 * Builds Argo's controller if the cache lacks it, installs Argo's CRDs in
 * place of Gradual's (the same kinds under the same names: one set at a
 * time; Argo's schema is the reference here, and Gradual reads what it
 * stores), starts Argo as a process and Gradual in this process, each with
 * its own instance id. stop() puts Gradual's CRDs back for the test files
 * that run after this one on the shared environment.
 */
export async function startDifferentialControllers(
  environment: LocalEnvironment,
  logger: Logger = createLogger({ level: 'error' }),
): Promise<DifferentialControllers> {
  const kubeconfigPath = environment.kubernetes.kubeconfig;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const suffix = randomUUID().slice(0, 6);
  const instanceIds = { gradual: `gradual-${suffix}`, argo: `argo-${suffix}` };
  const binary = await ensureArgoRolloutsBinary({ cacheRoot: cacheRoot(), logger });
  await installCrds({ kubeconfig: kubeconfigPath, dir: argoCrdDir(binary.moduleDir), logger });
  // The routers' CRDs before either controller starts: Argo looks for Istio's VirtualService kind once, at start-up.
  await installCrds({ kubeconfig: kubeconfigPath, dir: trafficCrdDir, logger });
  const logDir = join(environment.dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const argoLogFile = join(logDir, `argo-rollouts-${instanceIds.argo}.log`);
  let argo: RunningArgoRollouts | undefined;
  let gradual: RolloutController | undefined;
  let gradualAnalysis: AnalysisRunController | undefined;
  let gradualExperiments: ExperimentController | undefined;
  // Gradual's side logs to a file as Argo's does: what each controller did (e.g. a status write the API server
  // refused, retried) is then there to read and count after a run.
  const gradualLogFile = join(logDir, `gradual-${instanceIds.gradual}.log`);
  const gradualLogStream = createWriteStream(gradualLogFile, { flags: 'a' });
  const sideLogger = createLogger({ level: 'info', format: 'json', destination: gradualLogStream }).child({ side: 'gradual' });
  const stop = async (): Promise<void> => {
    await gradual?.stop();
    await gradualAnalysis?.stop();
    await gradualExperiments?.stop();
    if (argo !== undefined) await stopProcess(argo.record);
    await installCrds({ kubeconfig: kubeconfigPath, logger });
    gradualLogStream.end();
    await finished(gradualLogStream);
  };
  try {
    argo = await startArgoRollouts({
      controller: binary.controller,
      kubeconfig: kubeconfigPath,
      instanceId: instanceIds.argo,
      logFile: argoLogFile,
      logger,
    });
    gradual = createRolloutController({ kubeConfig, instanceId: instanceIds.gradual, logger: sideLogger });
    await gradual.start();
    gradualAnalysis = createAnalysisRunController({ kubeConfig, instanceId: instanceIds.gradual, logger: sideLogger });
    await gradualAnalysis.start();
    gradualExperiments = createExperimentController({ kubeConfig, instanceId: instanceIds.gradual, logger: sideLogger });
    await gradualExperiments.start();
  } catch (cause) {
    await stop();
    throw cause;
  }
  return {
    kubeConfig,
    kubeconfigPath,
    instanceIds,
    argo,
    gradual,
    gradualAnalysis,
    gradualExperiments,
    argoLogFile,
    gradualLogFile,
    stop,
  };
}

/**
 * Both controllers for one test file: started before its tests (building Argo's controller
 * first when the cache lacks it: minutes on two cores), stopped after them, Gradual's CRDs put back.
 */
export function withDifferentialControllers(environment: LocalEnvironment): () => DifferentialControllers {
  let controllers: DifferentialControllers | undefined;
  beforeAll(async () => {
    controllers = await startDifferentialControllers(environment);
  }, 40 * 60_000);
  afterAll(async () => {
    await controllers?.stop();
  });
  return () => {
    if (controllers === undefined) throw new Error('the controllers start in beforeAll');
    return controllers;
  };
}
