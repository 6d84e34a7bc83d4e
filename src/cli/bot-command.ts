import { Command, Option } from 'commander';
import { rootLogger } from '../log/index.js';
import type { ClusterManagers, Manager } from '../kube/index.js';
import { StartupError } from './startup-error.js';
import { controllerCommand, engineOptions, prepareEngine, type ControllerOptions } from './controller-command.js';
import { collect, portOption } from './dashboard-command.js';
import { goDurationMs } from './argo-flags.js';

interface BotOptions {
  config?: string;
}

/** `gradual bot`'s own election flags (`gradual start` elects with the engine's, the same spellings). */
interface BotElectionOptions {
  leaderElect: boolean;
  leaderElectionLeaseDuration?: number;
  leaderElectionRenewDeadline?: number;
  leaderElectionRetryPeriod?: number;
}

/**
 * Reads and validates everything the bot needs (its environment, the Gradual config, the default
 * policy) before anything else happens: a bad one ends the process with one clear line (main.ts),
 * not after winning an election with /healthz answering 200 meanwhile. Returns the bot to start.
 */
export async function prepareConfiguredBot(
  options: BotOptions,
): Promise<((managers?: ClusterManagers) => Promise<{ stop(): Promise<void> }>) & { replica: ReplicaStarter }> {
  const { loadDefaultPolicy, loadGradualConfig, readBotEnvironment, startBot, startBotReplica } = await import('../gitops/index.js');
  const environment = await readBotEnvironment(process.env);
  const file = options.config ?? environment.configFile;
  if (file === undefined)
    throw new StartupError('no Gradual config: pass --config FILE or set GRADUAL_CONFIG (see README: "Run the GitHub App")');
  const config = await loadGradualConfig(file);
  await loadDefaultPolicy(config);
  const start = (managers?: ClusterManagers): Promise<{ stop(): Promise<void> }> =>
    startBot({ environment, config, logger: rootLogger(), ...(managers === undefined ? {} : { managers }) });
  const replica: ReplicaStarter = (election) =>
    startBotReplica({
      environment,
      config,
      logger: rootLogger(),
      leaderElection: {
        ...(election.leaderElectionLeaseDuration !== undefined && { leaseDurationMs: election.leaderElectionLeaseDuration }),
        ...(election.leaderElectionRenewDeadline !== undefined && { renewDeadlineMs: election.leaderElectionRenewDeadline }),
        ...(election.leaderElectionRetryPeriod !== undefined && { retryPeriodMs: election.leaderElectionRetryPeriod }),
      },
    });
  return Object.assign(start, { replica });
}

/** `gradual bot` under its Lease (gitops/bot-replica.ts). */
type ReplicaStarter = (
  election: Omit<BotElectionOptions, 'leaderElect'>,
) => Promise<{ leadershipLost: Promise<void>; stop(): Promise<void> }>;

/**
 * Without APP_ID there is no app yet: serve Probot's setup page, which creates
 * it from app.yml and writes its credentials, then stop. Loopback unless HOST
 * says otherwise (the page hands out the app's key to whoever finishes it).
 */
async function setUpApp(): Promise<boolean> {
  if ((process.env['APP_ID'] ?? '') !== '') return false;
  const { startAppSetup } = await import('../gitops/app-setup.js');
  const logger = rootLogger();
  const port = Number(process.env['PORT'] ?? 3000);
  const webhookPath = process.env['WEBHOOK_PATH'] ?? '/api/github/webhooks';
  const webhookUrl = process.env['GRADUAL_WEBHOOK_URL'] ?? `http://localhost:${String(port)}${webhookPath}`;
  if (process.env['GRADUAL_WEBHOOK_URL'] === undefined)
    logger.warn(
      { webhookUrl },
      "GRADUAL_WEBHOOK_URL is not set: the app will deliver webhooks to this machine's own address; set it to Gradual's public URL and webhook path",
    );
  const credentialsFile = process.env['GRADUAL_APP_CREDENTIALS_FILE'] ?? 'gradual-app.env';
  const setup = await startAppSetup({ host: process.env['HOST'] ?? '127.0.0.1', port, webhookUrl, credentialsFile, logger });
  logger.info({ url: setup.url, webhookUrl, credentialsFile }, 'no APP_ID: open the setup page to create the GitHub App from app.yml');
  const stopped = new Promise<undefined>((resolve) => {
    process.once('SIGTERM', () => {
      resolve(undefined);
    });
    process.once('SIGINT', () => {
      resolve(undefined);
    });
  });
  const created = await Promise.race([setup.created, stopped]);
  await setup.stop();
  if (created !== undefined) {
    process.stderr.write(
      `gradual: GitHub App ${created.appId} created; its credentials are in ${created.credentialsFile} (mode 0600). Start again with them: node --env-file=${created.credentialsFile} …, or kubectl create secret generic gradual-github-app --from-env-file=${created.credentialsFile}\n`,
    );
  }
  return true;
}

/**
 * `gradual bot`: the GitHub App alone (webhooks, plan, deploy, reports), for
 * installs whose engine runs elsewhere. Probot's environment variables
 * (APP_ID, PRIVATE_KEY / PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST,
 * GHE_PROTOCOL, PORT) and a Gradual config (--config or GRADUAL_CONFIG).
 */
export function botCommand(): Command {
  return new Command('bot')
    .description('run the GitHub App: plan and deploy pull requests, report rollouts on them, take commands')
    .option('--config <file>', 'the Gradual config: repositories → environments → clusters (default: $GRADUAL_CONFIG)')
    .option(
      '--no-leader-elect',
      "run without leader election (one replica only); else the Lease gradual-bot-lock in the config's state: namespace",
    )
    .addOption(
      new Option('--leader-election-lease-duration <duration>', 'how long the Lease is held without renewal (default 15s)').argParser(
        goDurationMs,
      ),
    )
    .addOption(
      new Option(
        '--leader-election-renew-deadline <duration>',
        'how long the leader tries to renew before it stops leading (default 10s)',
      ).argParser(goDurationMs),
    )
    .addOption(
      new Option('--leader-election-retry-period <duration>', 'the wait between attempts to acquire or renew (default 2s)').argParser(
        goDurationMs,
      ),
    )
    .action(async (options: BotOptions & BotElectionOptions) => {
      if (await setUpApp()) return;
      const prepared = await prepareConfiguredBot(options);
      const signalled = new Promise<'signal'>((resolve) => {
        process.once('SIGTERM', () => {
          resolve('signal');
        });
        process.once('SIGINT', () => {
          resolve('signal');
        });
      });
      if (!options.leaderElect) {
        const running = await prepared();
        await signalled;
        await running.stop();
        return;
      }
      const replica = await prepared.replica(options);
      const why = await Promise.race([signalled, replica.leadershipLost.then(() => 'lost' as const)]);
      await replica.stop();
      // As `gradual start`: a replica that lost the Lease exits non-zero and its supervisor starts it afresh (kube/manager.ts).
      if (why === 'lost') throw new Error('leader election lost: exiting so that the supervisor starts this replica afresh');
    });
}

async function startReadOnlyDashboard(options: {
  manager: Manager;
  port: number;
  host: string;
  allowedHosts: string[];
  namespace: string | undefined;
}): Promise<{ stop(): Promise<void> }> {
  const { startDashboard } = await import('../dashboard/index.js');
  return startDashboard({
    kubeConfig: options.manager.kubeConfig,
    manager: options.manager,
    port: options.port,
    host: options.host,
    allowedHosts: options.allowedHosts,
    enableActions: false,
    logger: rootLogger(),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  });
}

/** `gradual start`: the default install — the engine and the bot in one process, both run by the replica that leads. */
export function startCommand(): Command {
  const command = new Command('start').description(
    'run the engine (Rollout and AnalysisRun controllers, /metrics) and the GitHub App in one process',
  );
  // The engine's flags, as `gradual controller` has them.
  for (const option of controllerCommand().options) command.addOption(option);
  return (
    command
      .option('--config <file>', 'the Gradual config (default: $GRADUAL_CONFIG)')
      .option('--dashboard-port <port>', 'port of the read-only dashboard (as `gradual dashboard`)', portOption, 3100)
      // Loopback unless told otherwise: the rollouts' names, images and analysis values are not for every machine on the network.
      .option('--dashboard-host <address>', 'address of the read-only dashboard (0.0.0.0 to serve other machines)', '127.0.0.1')
      .option(
        '--dashboard-allowed-host <name>',
        'a host name the dashboard answers to besides loopback names and addresses (repeatable)',
        collect,
        [],
      )
      .option('--no-dashboard', 'serve no dashboard')
      .action(
        async (
          options: ControllerOptions &
            BotOptions & { dashboard: boolean; dashboardPort: number; dashboardHost: string; dashboardAllowedHost: string[] } & Record<
              string,
              unknown
            >,
        ) => {
          if (!prepareEngine(options)) return;
          if (await setUpApp()) return;
          // Validated before the election: a follower with a bad config would otherwise report healthy for ever.
          const startBot = await prepareConfiguredBot(options);
          // One manager per cluster for the whole process: the engine, the dashboard and the bot's reporter share its informers.
          const [{ createEngine }, { createClusterManagers }] = await Promise.all([
            import('../engine/controller/run-engine.js'),
            import('../kube/index.js'),
          ]);
          const managers = createClusterManagers();
          const engine = createEngine({ ...(await engineOptions(options)), managers });
          // The dashboard reads the informer caches of every replica, leader or not: it runs beside the engine, not under its lease.
          const dashboard = options.dashboard
            ? await startReadOnlyDashboard({
                manager: engine.manager,
                port: options.dashboardPort,
                host: options.dashboardHost,
                allowedHosts: options.dashboardAllowedHost,
                namespace: options.namespace,
              })
            : undefined;
          try {
            await engine.run(() => startBot(managers), { servesWebhooks: true });
          } finally {
            await dashboard?.stop();
          }
        },
      )
  );
}
