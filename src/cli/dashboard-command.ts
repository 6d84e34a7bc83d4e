import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { registerSecretValue, rootLogger } from '../log/index.js';

interface DashboardCommandOptions {
  kubeconfig?: string;
  namespace?: string;
  port: number;
  host?: string;
  enableActions: boolean;
  allowRemoteActions: boolean;
  tokenFile?: string;
  allowedHost: string[];
}

/** Shorter would be guessable by a local process trying tokens; the generated one is 22 characters (128 bits). */
const minimumTokenLength = 16;

/** The action token from a file (an operator's, or a Secret mounted as one): its first line, trimmed. */
export async function readActionToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new Error(`the dashboard token file ${file} cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  const token = text.split(/\r?\n/u)[0]?.trim() ?? '';
  registerSecretValue(token);
  if (token.length < minimumTokenLength || /\s/u.test(token))
    throw new Error(`the dashboard token in ${file} must be one line of at least ${String(minimumTokenLength)} characters without spaces`);
  return token;
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
 * Actions need a bearer token, generated at start (printed in the URL to
 * open) or read from --token-file / GRADUAL_DASHBOARD_TOKEN_FILE.
 */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('serve the web dashboard: rollouts, steps, revisions, analysis charts, live; buttons with --enable-actions')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-n, --namespace <ns>', 'show only this namespace (default: all)')
    .option('--port <port>', 'port to listen on', portOption, 3100)
    .option('--host <address>', 'address to listen on (default: 0.0.0.0 read-only, 127.0.0.1 with --enable-actions)')
    .option('--enable-actions', 'show Promote / Promote full / Abort / Retry / Restart buttons and accept them', false)
    .option(
      '--allow-remote-actions',
      'accept actions on a non-loopback --host (anyone who reaches it with the token can change rollouts)',
      false,
    )
    .option(
      '--token-file <file>',
      'read the action token from this file instead of generating one (default: $GRADUAL_DASHBOARD_TOKEN_FILE)',
    )
    .option(
      '--allowed-host <name>',
      'a host name the dashboard answers to besides loopback names and addresses (repeatable; e.g. behind a proxy)',
      collect,
      [],
    )
    .action(async (options: DashboardCommandOptions) => {
      const tokenFile = options.tokenFile ?? process.env['GRADUAL_DASHBOARD_TOKEN_FILE'];
      const actionToken =
        options.enableActions && tokenFile !== undefined && tokenFile !== '' ? await readActionToken(tokenFile) : undefined;
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
        allowedHosts: options.allowedHost,
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        ...(actionToken === undefined ? {} : { actionToken }),
      });
      // On stdout for the person who started it, never in the log: the URL carries the action token in its fragment.
      process.stdout.write(
        `dashboard: ${actionToken === undefined ? dashboard.openUrl : dashboard.url} ${options.enableActions ? (actionToken === undefined ? '(actions: open this URL; it carries the token)' : '(actions: the token of --token-file)') : '(read-only)'}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.stop();
    });
}
