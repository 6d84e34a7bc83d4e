import { Command, InvalidArgumentError } from 'commander';
import { rootLogger } from '../log/index.js';

interface DashboardCommandOptions {
  kubeconfig?: string;
  namespace?: string;
  port: number;
  host?: string;
  enableActions: boolean;
  allowRemoteActions: boolean;
}

export function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

/**
 * `gradual dashboard [--port 3100]`: the web UI over the cluster's Rollouts.
 * Read-only (on any address) unless --enable-actions, which binds to
 * 127.0.0.1 by default and needs --allow-remote-actions for another address.
 */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('serve the web dashboard: rollouts, steps, revisions, analysis charts, live; buttons with --enable-actions')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-n, --namespace <ns>', 'show only this namespace (default: all)')
    .option('--port <port>', 'port to listen on', portOption, 3100)
    .option('--host <address>', 'address to listen on (default: 0.0.0.0 read-only, 127.0.0.1 with --enable-actions)')
    .option('--enable-actions', 'show Promote / Promote full / Abort / Retry / Restart buttons and accept them', false)
    .option('--allow-remote-actions', 'accept actions on a non-loopback --host (anyone who reaches it can change rollouts)', false)
    .action(async (options: DashboardCommandOptions) => {
      const [{ KubeConfig }, { startDashboard }] = await Promise.all([import('@kubernetes/client-node'), import('../dashboard/index.js')]);
      const kubeConfig = new KubeConfig();
      if (options.kubeconfig === undefined) kubeConfig.loadFromDefault();
      else kubeConfig.loadFromFile(options.kubeconfig);
      const dashboard = await startDashboard({
        kubeConfig,
        port: options.port,
        host: options.host ?? (options.enableActions ? '127.0.0.1' : '0.0.0.0'),
        enableActions: options.enableActions,
        allowRemoteActions: options.allowRemoteActions,
        logger: rootLogger(),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      });
      process.stdout.write(`dashboard: ${dashboard.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.stop();
    });
}
