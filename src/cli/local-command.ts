import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { rootLogger } from '../log/index.js';
import type { LocalEnvironment } from '../local/types.js';
import type { ServeGithubFlags } from '../local/serve-github.js';
import type * as Local from '../local/index.js';
import { loadDevelopmentModule } from './development-install.js';
import { localGithubCommand } from './local-github-command.js';

// The environment's code (Kubernetes client, PKI, Go builds) is loaded only by the verb that
// needs it, so `gradual --help` and other verbs start quickly.
const loadLocal = (): Promise<typeof Local> => loadDevelopmentModule('local', () => import('../local/index.js'));

export function defaultEnvironmentDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env['XDG_STATE_HOME'];
  return join(state !== undefined && state !== '' ? state : join(homedir(), '.local', 'state'), 'gradual', 'local');
}

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InvalidArgumentError('a port is a whole number from 1 to 65535');
  return port;
}

function urlOption(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new InvalidArgumentError('an http:// or https:// URL');
  return value;
}

function countOption(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
  return count;
}

/** What a person needs to reach each part, printed after `up` and by `status`. */
export function describeEnvironment(environment: LocalEnvironment): string {
  return [
    `Local environment in ${environment.dir}`,
    `  Kubernetes ${environment.versions.kubernetes}  ${environment.kubernetes.apiServerUrl}`,
    `    export KUBECONFIG=${environment.kubernetes.kubeconfig}`,
    `    nodes: ${environment.kubernetes.nodes.join(', ')} (KWOK)`,
    `  Prometheus ${environment.versions.prometheus}  ${environment.prometheus.url}`,
    `  git ${environment.versions.git}  ${environment.git.url}/<name>.git  (bare repositories in ${environment.git.root})`,
    ...(environment.github === undefined
      ? []
      : [
          `  GitHub (local)  ${environment.github.url}  (app id ${String(environment.github.appId)}, key ${environment.github.privateKeyFile}; webhooks to ${environment.github.webhookUrl ?? 'nowhere: --webhook-url'})`,
        ]),
    ...(environment.argoRollouts === undefined
      ? []
      : [
          `  Argo Rollouts ${environment.argoRollouts.version} (reference)  metrics ${environment.argoRollouts.metricsUrl}; handles Rollouts labelled argo-rollouts.argoproj.io/controller-instance-id=${environment.argoRollouts.instanceId}`,
        ]),
    `  everything else: ${join(environment.dir, 'env.json')}; logs in ${join(environment.dir, 'logs')}`,
    `  stop it: gradual local down --dir ${environment.dir}`,
  ].join('\n');
}

export function localCommand(): Command {
  const local = new Command('local').description(
    'the embedded local environment: Kubernetes control plane with KWOK nodes, Prometheus, git server, local GitHub',
  );

  local
    .command('up')
    .description('build (once) and start a local environment; prints how to reach it')
    .option('--dir <dir>', 'folder of the environment', defaultEnvironmentDir())
    .option('--nodes <n>', 'number of KWOK fake nodes', countOption, 3)
    .option('--apiserver-port <port>', 'port of the API server (default: a free port)', portOption)
    .option('--prometheus-port <port>', 'port of Prometheus (default: a free port)', portOption)
    .option('--git-port <port>', 'port of the git server (default: a free port)', portOption)
    .option('--github-port <port>', 'port of the local GitHub (default: a free port)', portOption)
    .option('--webhook-url <url>', "where the local GitHub delivers webhooks (the app's webhook URL)", urlOption)
    .option(
      '--with-argo',
      "also build and start the reference Argo Rollouts controller (instance id 'argo'); installs Argo's CRDs instead of Gradual's",
    )
    .action(
      async (options: {
        dir: string;
        nodes: number;
        apiserverPort?: number;
        prometheusPort?: number;
        gitPort?: number;
        githubPort?: number;
        webhookUrl?: string;
        withArgo?: boolean;
      }) => {
        const { localUp } = await loadLocal();
        // The environment's processes run in their own process groups, so Ctrl-C or a SIGTERM reaches only this
        // process: stop what has started, then exit as the signal would have (130, 143).
        const interrupt = new AbortController();
        const onSignal = (signal: NodeJS.Signals): void => {
          rootLogger().warn({ signal }, 'interrupted: stopping what has started');
          interrupt.abort(signal);
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const environment = await localUp({
          dir: options.dir,
          nodes: options.nodes,
          ports: {
            ...(options.apiserverPort === undefined ? {} : { apiServer: options.apiserverPort }),
            ...(options.prometheusPort === undefined ? {} : { prometheus: options.prometheusPort }),
            ...(options.gitPort === undefined ? {} : { git: options.gitPort }),
            ...(options.githubPort === undefined ? {} : { github: options.githubPort }),
          },
          ...(options.webhookUrl === undefined ? {} : { webhookUrl: options.webhookUrl }),
          withArgo: options.withArgo === true,
          signal: interrupt.signal,
          logger: rootLogger(),
        })
          .catch((cause: unknown) => {
            if (!interrupt.signal.aborted) throw cause;
            process.stderr.write(`gradual: ${cause instanceof Error ? cause.message : String(cause)}\n`);
            // The step under way when the signal came (a build, a wait) would keep the process alive.
            process.exit(interrupt.signal.reason === 'SIGINT' ? 130 : 143);
          })
          .finally(() => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          });
        process.stdout.write(`${describeEnvironment(environment)}\n`);
      },
    );

  local
    .command('down')
    .description('stop every process of a local environment (its files stay)')
    .option('--dir <dir>', 'folder of the environment', defaultEnvironmentDir())
    .action(async (options: { dir: string }) => {
      const { localDown } = await loadLocal();
      const stopped = await localDown({ dir: options.dir, logger: rootLogger() });
      process.stdout.write(
        `Stopped ${String(stopped.length)} processes: ${stopped.map((p) => `${p.name} (${String(p.pid)})`).join(', ') || 'none were running'}\n`,
      );
    });

  local
    .command('status')
    .description('show a local environment and whether each of its processes runs')
    .option('--dir <dir>', 'folder of the environment', defaultEnvironmentDir())
    .option('--json', 'print env.json with a running flag per process')
    .action(async (options: { dir: string; json?: boolean }) => {
      const { localStatus } = await loadLocal();
      const status = await localStatus({ dir: options.dir });
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ ...status.environment, processes: status.processes }, null, 2)}\n`);
        return;
      }
      const lines = status.processes.map(
        (p) => `  ${p.running ? 'running' : 'stopped'}  ${p.name.padEnd(24)} pid ${String(p.pid)}  log ${p.logFile}`,
      );
      process.stdout.write(`${describeEnvironment(status.environment)}\nProcesses:\n${lines.join('\n')}\n`);
      if (status.processes.some((p) => !p.running)) process.exitCode = 3;
    });

  local
    .command('serve-git', { hidden: true })
    .description('serve bare repositories over HTTP with git http-backend (started by `local up`)')
    .requiredOption('--root <dir>', 'folder of bare repositories')
    .requiredOption('--port <port>', 'port on 127.0.0.1', portOption)
    .option('--notify-url <url>', 'told about every push (the local GitHub)', urlOption)
    .action(async (options: { root: string; port: number; notifyUrl?: string }) => {
      const { serveGit } = await loadLocal();
      await serveGit({
        root: options.root,
        port: options.port,
        logger: rootLogger(),
        ...(options.notifyUrl !== undefined && { notifyUrl: options.notifyUrl }),
      });
    });

  local
    .command('serve-github', { hidden: true })
    .description('serve the local GitHub API and send its webhooks (started by `local up`)')
    .requiredOption('--dir <dir>', 'folder of its state')
    .requiredOption('--port <port>', 'port on 127.0.0.1', portOption)
    .requiredOption('--app-id <id>', 'the GitHub App id', Number)
    .requiredOption('--private-key-file <file>', "the app's private key (PEM)")
    .requiredOption('--webhook-secret-file <file>', 'the webhook secret')
    .option('--webhook-url <url>', 'where webhooks are delivered', urlOption)
    .option('--git-root <dir>', "the git server's bare repositories")
    .option('--admin-token-file <file>', "the token that may mint people's tokens")
    .option('--git-url <url>', 'the git server', urlOption)
    .action(async (options: ServeGithubFlags) => {
      const { serveGithub } = await loadLocal();
      await serveGithub({ ...options, logger: rootLogger() });
    });

  local.addCommand(localGithubCommand(defaultEnvironmentDir()));
  return local;
}
