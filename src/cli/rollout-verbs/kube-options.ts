import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { describeFailure, kubeContextFromConfig, RolloutVerbError, type KubeContext } from '../../rollout-actions/kube-client.js';

/* kubectl's connection options as every verb takes them, and how a verb's failure is printed. */

export interface KubeOptions {
  kubeconfig?: string;
  namespace?: string;
  context?: string;
}

/** Adds kubectl's --kubeconfig, --context and -n/--namespace to a verb (each verb's own, as main.ts owns the root). */
export function withKubeOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <namespace>', 'namespace (default: the context\'s, then "default")');
}

export function kubeContext(options: KubeOptions): KubeContext {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (cause) {
    throw new RolloutVerbError(
      'KUBECONFIG',
      `cannot read kubeconfig ${options.kubeconfig ?? ''}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (options.context !== undefined) {
    if (config.getContextObject(options.context) === null)
      throw new RolloutVerbError('KUBECONFIG', `context "${options.context}" does not exist in the kubeconfig`);
    config.setCurrentContext(options.context);
  }
  const fromContext = config.getContextObject(config.getCurrentContext())?.namespace;
  const namespace = options.namespace ?? (fromContext !== undefined && fromContext !== '' ? fromContext : 'default');
  return kubeContextFromConfig(config, namespace);
}

/**
 * Wraps a verb's action: a failure is one line on stderr and exit code 1, as
 * kubectl plugins behave, rather than the logged stack main.ts gives
 * unexpected errors.
 */
export function verbAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (cause) {
      process.stderr.write(`gradual: ${describeFailure(cause)}\n`);
      process.exitCode = 1;
    }
  };
}
