import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { createAnalysisRunController } from '../../analysis/controller/analysis-run-controller.js';
import { createAnalysisMetrics } from '../../analysis/controller/analysis-metrics.js';
import { createClusterManagers, type ClusterManagers, type Manager, type RequestCounter } from '../../kube/index.js';
import { countedInMetrics } from './counted-requests.js';
import { rootLogger, type Logger } from '../../log/index.js';
import type { NotifierSettings } from '../../notifications/index.js';
import { serveHealthz, serveMetrics } from './http-endpoints.js';
import { createControllerMetrics } from './metrics.js';
import { createRolloutController } from './rollout-controller.js';
import { createExperimentController } from './experiment-controller.js';

/** What the engine runs with: the flags of `gradual controller` (Argo's where they exist), read by the CLI. */
export interface EngineOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  namespace?: string | undefined;
  instanceId?: string | undefined;
  metricsPort: number;
  healthzPort: number;
  leaderElect: boolean;
  leaseNamespace: string;
  rolloutThreads: number;
  analysisThreads: number;
  allowMetadataAddresses: boolean;
  maxMetricResponseBytes: number;
  leaderElectionLeaseDuration?: number | undefined;
  leaderElectionRenewDeadline?: number | undefined;
  leaderElectionRetryPeriod?: number | undefined;
  /** The process's cluster managers (`gradual start` shares them with the dashboard and the bot); its own when absent. */
  managers?: ClusterManagers;
  /** Argo's notifications (argo-rollouts-notification-configmap in this namespace); off when absent. */
  notifications?: NotifierSettings | undefined;
  /** Counts the engine's requests (tests); one of its own when absent. */
  requestCounter?: RequestCounter;
}

export interface Engine {
  /** The manager of the engine's cluster: its informers are the ones the dashboard and the bot's reporter share. */
  manager: Manager;
  /**
   * Starts both controllers under one leader (at once without --leader-elect). `alsoLead` starts more
   * work with the controllers when this replica leads (`gradual start` adds the bot), and stops it with them.
   */
  start(alsoLead?: AlsoLead): Promise<void>;
  /** Stops the controllers and what leads with them, and hands the Lease back. */
  stop(): Promise<void>;
  /**
   * start(), /metrics, /healthz and /readyz, until SIGTERM/SIGINT; then stop(). With `servesWebhooks`
   * (`gradual start`), /readyz is 200 only while what leads with the engine (the bot) runs here.
   */
  run(alsoLead?: AlsoLead, readiness?: { servesWebhooks?: boolean }): Promise<void>;
}

export type AlsoLead = () => Promise<{ stop(): Promise<void> }>;

/**
 * The engine's composition: the Rollout and AnalysisRun controllers on the cluster's manager (one cache
 * per kind, shared), one leader running both as Argo's controller does, and its HTTP endpoints.
 */
export function createEngine(options: EngineOptions): Engine {
  const logger = options.logger ?? rootLogger();
  const { kubeConfig } = options;
  const metrics = createControllerMetrics();
  const requestCounter = countedInMetrics(options.requestCounter, metrics);
  const manager = (options.managers ?? createClusterManagers()).managerFor(kubeConfig, { logger, requestCounter });
  const scope = {
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  };
  const rollouts = createRolloutController({
    kubeConfig,
    logger,
    metrics,
    requestCounter,
    manager,
    workers: options.rolloutThreads,
    ...(options.notifications === undefined ? {} : { notifications: options.notifications }),
    ...scope,
  });
  const analysisRuns = createAnalysisRunController({
    kubeConfig,
    logger,
    requestCounter,
    manager,
    metrics: createAnalysisMetrics(metrics.registry),
    workers: options.analysisThreads,
    outbound: { allowMetadataAddresses: options.allowMetadataAddresses, maxResponseBytes: options.maxMetricResponseBytes },
    ...scope,
  });
  const experiments = createExperimentController({
    kubeConfig,
    logger,
    requestCounter,
    manager,
    workers: options.rolloutThreads,
    ...scope,
  });

  // What leads with the engine (the bot under `gradual start`), while it runs on this replica.
  let extra: { stop(): Promise<void> } | undefined;
  async function start(alsoLead?: AlsoLead): Promise<void> {
    // One leader runs both, as Argo's controller does: the Rollouts and the AnalysisRuns they will create.
    await manager.add({
      name: 'engine',
      needLeaderElection: true,
      start: async () => {
        await Promise.all([rollouts.start(), analysisRuns.start(), experiments.start()]);
      },
      stop: async () => {
        await Promise.all([rollouts.stop(), analysisRuns.stop(), experiments.stop()]);
      },
    });
    // The bot (its reconciler's key queue and its reporter, on this manager's informers) is a controller of the same
    // manager: registered after the engine, so it starts once the engine leads and stops before it (the manager stops
    // leader-only work in reverse order), when the Lease is lost or the process stops.
    if (alsoLead !== undefined)
      await manager.add({
        name: 'bot',
        needLeaderElection: true,
        start: async () => {
          extra = await alsoLead();
        },
        stop: async () => {
          await extra?.stop();
          extra = undefined;
        },
      });
    await manager.start(
      options.leaderElect
        ? {
            namespace: options.leaseNamespace,
            name: options.instanceId === undefined ? 'gradual-controller-lock' : `gradual-controller-lock-${options.instanceId}`,
            identity: `${hostname()}_${randomBytes(4).toString('hex')}`,
            ...(options.leaderElectionLeaseDuration === undefined ? {} : { leaseDurationMs: options.leaderElectionLeaseDuration }),
            ...(options.leaderElectionRenewDeadline === undefined ? {} : { renewDeadlineMs: options.leaderElectionRenewDeadline }),
            ...(options.leaderElectionRetryPeriod === undefined ? {} : { retryPeriodMs: options.leaderElectionRetryPeriod }),
          }
        : undefined,
    );
  }

  return {
    manager,
    start,
    stop: () => manager.stop(),
    async run(alsoLead, readiness = {}) {
      const metricsServer = await serveMetrics(metrics.registry, options.metricsPort);
      // /readyz under `gradual start`: only the replica whose bot listens for webhooks is ready, so a Service never
      // routes a delivery to a follower's closed port; a follower stays healthy (it must not be restarted for following).
      const healthServer = await serveHealthz(
        () => true,
        options.healthzPort,
        undefined,
        () => readiness.servesWebhooks !== true || extra !== undefined,
      );
      logger.info(
        { metricsPort: options.metricsPort, healthzPort: options.healthzPort, leaderElect: options.leaderElect },
        'controller starting',
      );
      await start(alsoLead);
      // The listeners go once the race is settled: left behind, they would swallow a later SIGTERM and keep a
      // replica that is shutting down (after losing the Lease) alive.
      let onSignal: () => void = () => undefined;
      const why = await Promise.race([
        new Promise<'signal'>((resolve) => {
          onSignal = () => {
            resolve('signal');
          };
          process.once('SIGTERM', onSignal);
          process.once('SIGINT', onSignal);
        }),
        manager.leadershipLost().then(() => 'lost' as const),
      ]);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info('stopping');
      await manager.stop();
      metricsServer.close();
      healthServer.close();
      // A replica that lost the Lease exits non-zero: its supervisor restarts it as a fresh follower (kube/manager.ts).
      if (why === 'lost') throw new Error('leader election lost: exiting so that the supervisor starts this replica afresh');
    },
  };
}
