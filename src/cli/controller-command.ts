import type { KubeConfig as KubeConfigType } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import type { EngineOptions } from '../engine/controller/run-engine.js';
import { configureRootLogger, rootLogger } from '../log/index.js';
import { outboundPolicy } from '../providers/outbound/outbound-request.js';
import { addArgoFlags, resolveArgoFlags, type ArgoFlagValues } from './argo-flags.js';
import { StartupError } from './startup-error.js';
import { packageVersion } from './version.js';

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

export interface ControllerOptions extends ArgoFlagValues {
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
 * metrics on 8090, health on 8080; its other spellings in argo-flags.ts).
 */
export function controllerCommand(): Command {
  const command = new Command('controller')
    .description('run the Rollout and AnalysisRun controllers (the engine) against a cluster')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option('--instance-id <id>', 'handle only Rollouts labelled argo-rollouts.argoproj.io/controller-instance-id=<id>')
    .option('--metrics-port <port>', 'port of /metrics', portOption, 8090)
    .option('--healthz-port <port>', 'port of /healthz', portOption, 8080)
    .option('--no-leader-elect', 'run without Lease-based leader election (one replica only)')
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease', 'argo-rollouts')
    .option('--rollout-threads <n>', "Rollouts reconciled at once (Argo's flag and default)", threadsOption, 10)
    .option('--analysis-threads <n>', "AnalysisRuns reconciled at once (Argo's flag; its default is 30)", threadsOption, 30)
    .option(
      '--allow-metadata-addresses',
      'let web and prometheus metrics reach link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200), refused by default',
      false,
    )
    .option(
      '--max-metric-response-bytes <n>',
      "the most bytes of a metric provider's answer read; a longer one is an Error measurement",
      bytesOption,
      1024 * 1024,
    )
    .action(async (options: ControllerOptions & Record<string, unknown>) => {
      if (prepareEngine(options)) await runController(options);
    });
  return addArgoFlags(command).addHelpText(
    'after',
    `
--namespace alone restricts Gradual to that namespace; Argo's --namespace alone only sets its client's
namespace and still watches every namespace unless --namespaced is given. With --namespaced both agree.`,
  );
}

/**
 * Applies the Argo spellings that act before the engine starts (log level and
 * format, --version, refused flags) and warns of the ignored ones. Returns
 * false when the command is done (--version).
 */
export function prepareEngine(options: ControllerOptions & Record<string, unknown>): boolean {
  const argo = resolveArgoFlags(options);
  if (argo.logLevel !== undefined || argo.logFormat !== undefined) {
    configureRootLogger({
      ...(argo.logLevel === undefined ? {} : { level: argo.logLevel }),
      ...(argo.logFormat === undefined ? {} : { format: argo.logFormat }),
    });
  }
  if (options.version === true) {
    process.stdout.write(`${packageVersion()}\n`);
    return false;
  }
  if (argo.metricsPort !== undefined) options.metricsPort = argo.metricsPort;
  for (const warning of argo.ignored) rootLogger().warn(warning);
  return true;
}

function loadKubeConfig(kubeConfig: KubeConfigType, options: ControllerOptions): void {
  try {
    if (options.kubeconfig === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(options.kubeconfig);
  } catch (cause) {
    throw new StartupError(
      `cannot load the kubeconfig ${options.kubeconfig ?? '(KUBECONFIG, ~/.kube/config or in-cluster)'}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (options.context !== undefined) {
    if (kubeConfig.getContextObject(options.context) === null)
      throw new StartupError(
        `--context ${options.context}: no such context in the kubeconfig (it has ${
          kubeConfig
            .getContexts()
            .map((context) => context.name)
            .join(', ') || 'none'
        })`,
      );
    kubeConfig.setCurrentContext(options.context);
  }
  // Argo's --namespaced: the namespace given, else the kubeconfig's (in a pod: the pod's own), else default.
  if (options.namespaced === true && options.namespace === undefined) {
    options.namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  }
}

/**
 * The engine's options from the command's flags, with the kubeconfig loaded (its --context, and
 * --namespaced's namespace). The engine itself starts in src/engine/controller/run-engine.ts.
 */
export async function engineOptions(options: ControllerOptions): Promise<EngineOptions> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  loadKubeConfig(kubeConfig, options);
  // Argo reads argo-rollouts-notification-configmap from its own namespace (POD_NAMESPACE, else argo-rollouts: the Lease's default).
  const notifications = {
    namespace: process.env.POD_NAMESPACE ?? options.leaseNamespace,
    policy: outboundPolicy({ allowMetadataAddresses: options.allowMetadataAddresses }),
  };
  return { ...options, kubeConfig, logger: rootLogger(), notifications };
}

/** `gradual controller`: the engine alone, until SIGTERM/SIGINT. */
async function runController(options: ControllerOptions): Promise<void> {
  const { createEngine } = await import('../engine/controller/run-engine.js');
  await createEngine(await engineOptions(options)).run();
}
