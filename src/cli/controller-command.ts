import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { rootLogger } from '../log/index.js';

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

export interface ControllerOptions {
  kubeconfig?: string;
  namespace?: string;
  instanceId?: string;
  metricsPort: number;
  healthzPort: number;
  leaderElect: boolean;
  leaseNamespace: string;
  rolloutThreads: number;
  analysisThreads: number;
  allowMetadataAddresses: boolean;
  maxMetricResponseBytes: number;
}

function bytesOption(value: string): number {
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1) throw new InvalidArgumentError('a whole number of bytes, at least 1');
  return bytes;
}

function threadsOption(value: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return threads;
}

/**
 * `gradual controller`: the engine alone, as Argo's `rollouts-controller`
 * (its flags where they exist: --namespace, --instance-id, --leader-elect,
 * metrics on 8090, health on 8080).
 */
export function controllerCommand(): Command {
  return new Command('controller')
    .description('run the Rollout and AnalysisRun controllers (the engine) against a cluster')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option('--instance-id <id>', 'handle only Rollouts labelled argo-rollouts.argoproj.io/controller-instance-id=<id>')
    .option('--metrics-port <port>', 'port of /metrics', portOption, 8090)
    .option('--healthz-port <port>', 'port of /healthz', portOption, 8080)
    .option('--no-leader-elect', 'run without Lease-based leader election (one replica only)')
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease', 'argo-rollouts')
    .option('--rollout-threads <n>', 'Rollouts reconciled at once (Argo\'s flag and default)', threadsOption, 10)
    .option('--analysis-threads <n>', 'AnalysisRuns reconciled at once (Argo\'s flag; its default is 30)', threadsOption, 30)
    .option('--allow-metadata-addresses', 'let web and prometheus metrics reach link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200), refused by default', false)
    .option('--max-metric-response-bytes <n>', 'the most bytes of a metric provider\'s answer read; a longer one is an Error measurement', bytesOption, 1024 * 1024)
    .action(async (options: ControllerOptions) => {
      await runEngine(options);
    });
}

/**
 * Runs the engine until SIGTERM/SIGINT: both controllers under one leader, /metrics and
 * /healthz. `alsoLead` starts more work with the controllers when this replica leads
 * (`gradual start` adds the bot), and stops it with them.
 */
export async function runEngine(options: ControllerOptions, alsoLead?: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  const [{ KubeConfig }, { createRolloutController }, { createAnalysisRunController }, analysisMetrics, { createControllerMetrics }, { serveHealthz, serveMetrics }, kube] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../engine/controller/rollout-controller.js'),
    import('../analysis/controller/analysis-run-controller.js'),
    import('../analysis/controller/analysis-metrics.js'),
    import('../engine/controller/metrics.js'),
    import('../engine/controller/http-endpoints.js'),
    import('../kube/index.js'),
  ]);
  const logger = rootLogger();
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(options.kubeconfig);
  const metrics = createControllerMetrics();
  const requestCounter = kube.createRequestCounter();
  const scope = {
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  };
  const rollouts = createRolloutController({ kubeConfig, logger, metrics, requestCounter, workers: options.rolloutThreads, ...scope });
  const analysisRuns = createAnalysisRunController({
    kubeConfig,
    logger,
    requestCounter,
    metrics: analysisMetrics.createAnalysisMetrics(metrics.registry),
    workers: options.analysisThreads,
    outbound: { allowMetadataAddresses: options.allowMetadataAddresses, maxResponseBytes: options.maxMetricResponseBytes },
    ...scope,
  });
  // One leader runs both, as Argo's controller does: the Rollouts and the AnalysisRuns they will create.
  let extra: { stop(): Promise<void> } | undefined;
  const controller = {
    start: async (): Promise<void> => {
      await Promise.all([rollouts.start(), analysisRuns.start()]);
      if (alsoLead !== undefined) extra = await alsoLead();
    },
    stop: async (): Promise<void> => {
      await extra?.stop();
      extra = undefined;
      await Promise.all([rollouts.stop(), analysisRuns.stop()]);
    },
  };
  let leading = !options.leaderElect;
  const metricsServer = await serveMetrics(metrics.registry, options.metricsPort);
  const healthServer = await serveHealthz(() => true, options.healthzPort);
  logger.info({ metricsPort: options.metricsPort, healthzPort: options.healthzPort, leaderElect: options.leaderElect }, 'controller starting');

  let elector: { stop(): Promise<void> } | undefined;
  if (options.leaderElect) {
    elector = kube.runLeaderElection({
      kubeConfig,
      namespace: options.leaseNamespace,
      name: options.instanceId === undefined ? 'gradual-controller-lock' : `gradual-controller-lock-${options.instanceId}`,
      identity: `${hostname()}_${randomBytes(4).toString('hex')}`,
      logger,
      onStartedLeading: async () => {
        leading = true;
        await controller.start();
      },
      onStoppedLeading: async () => {
        if (leading) await controller.stop();
        leading = false;
      },
    });
  } else {
    await controller.start();
  }

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('stopping');
  if (elector !== undefined) await elector.stop();
  else await controller.stop();
  metricsServer.close();
  healthServer.close();
}
