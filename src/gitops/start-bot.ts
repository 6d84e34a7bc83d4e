import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeMiddleware, Probot } from 'probot';
import { Registry } from 'prom-client';
import type { Clock, ClusterManagers } from '../kube/index.js';
import { registerSecretValue, type Logger } from '../log/index.js';
import { parseDefaultPolicy, type RepositoryPolicy } from '../policies/index.js';
import { createGradualBot, type GradualBot } from './app.js';
import { closeWebhookServer } from './close-webhook-server.js';
import type { BotEnvironment } from './bot-environment.js';
import { loadClusters } from './clusters.js';
import { githubClientMetrics, gradualOctokit, observingFetch } from './github-client.js';
import { ConfigError, stateLocation, unimpersonatedEnvironments, type GradualConfig } from './config.js';
import { createDeliveryLedger } from './delivery-ledger.js';
import { provenanceKeyFrom } from './provenance.js';
import { openManifestCache } from './manifests/index.js';

export interface RunningBot {
  url: string;
  bot: GradualBot;
  /** The bot's own metrics (GitHub rate limits and transient errors absorbed), also served at `/metrics`. */
  metrics: Registry;
  /** Under leader election (`standby`): starts the report loop and the reconciler and takes webhooks; at once otherwise. */
  lead(): Promise<void>;
  /** Stops taking webhooks and stops the loops (the Lease is lost; the process then exits, kube/manager.ts). */
  standDown(): Promise<void>;
  stop(): Promise<void>;
}

/** The shipped defaults: policies/default.yml at the top of the project. */
export const defaultPolicyFile = fileURLToPath(new URL('../../policies/default.yml', import.meta.url));

/**
 * The default policy the config names (or the shipped one), parsed; a problem is a ConfigError, so
 * the process ends with it in one line per problem (cli/startup-error.ts) before it elects or listens.
 */
export async function loadDefaultPolicy(config: GradualConfig): Promise<RepositoryPolicy> {
  const policyFile = config.defaultPolicy ?? defaultPolicyFile;
  let text: string;
  try {
    text = await readFile(policyFile, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the default policy ${policyFile}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  const parsed = parseDefaultPolicy(text, policyFile);
  if (!parsed.ok)
    throw new ConfigError(
      `the default policy is invalid:\n${parsed.errors.map((error) => `${error.file}:${String(error.line)}: ${error.message}`).join('\n')}`,
    );
  return parsed.policy;
}

/**
 * The composition root of `gradual bot` (and the bot half of `gradual start`):
 * the defaults, the clusters, the clone cache, Probot over the validated
 * environment, the webhook endpoint and the report loop.
 */
export async function startBot(options: {
  environment: BotEnvironment;
  config: GradualConfig;
  logger: Logger;
  now?: () => Date;
  /** The bot's time (its reconciler's resync and retry timers, and `now` unless that is given): tests replay deliveries an hour on. */
  clock?: Clock;
  kustomizeBinary?: string;
  githubRetryAfterBaseMs?: number;
  managers?: ClusterManagers;
  /**
   * A follower of `gradual bot`'s election: listening, /healthz 200, but /readyz and every webhook 503 until
   * lead() (a Service routes no delivery here; one that comes anyway is refused, so GitHub records it failed).
   */
  standby?: boolean;
}): Promise<RunningBot> {
  const { environment, config, logger } = options;
  const defaults = await loadDefaultPolicy(config);
  const clusters = loadClusters(config);
  const unimpersonated = unimpersonatedEnvironments(config);
  if (unimpersonated.length > 0) {
    logger.warn(
      { environments: unimpersonated },
      'SECURITY: these environments deploy with the bot\'s own Kubernetes identity, so anyone who can merge (or, where pull requests deploy, open) a pull request can do whatever the bot\'s kubeconfig may; name an identity to impersonate for each (`environments: { <name>: { cluster, impersonate: { serviceAccount: <namespace>/<name> } } }`, README "Security model")',
    );
  }
  const manifests = openManifestCache({ dir: config.cacheDir ?? join(homedir(), '.cache', 'gradual', 'manifests'), logger });
  registerSecretValue(environment.privateKey);
  registerSecretValue(environment.webhookSecret);
  // Probot logs through Gradual's logger, so its lines (and its Octokit's errors) get the same redaction; at warn as before, unless Gradual's own level asks for debug.
  const probotLog = logger.child({ component: 'probot' }, { level: logger.isLevelEnabled('debug') ? logger.level : 'warn' });
  // kustomize v5 (kubectl v1.34 embeds v5.7.1): GRADUAL_KUSTOMIZE names the executable, else `kustomize` on the PATH.
  const kustomize = { binary: options.kustomizeBinary ?? process.env.GRADUAL_KUSTOMIZE ?? 'kustomize' };
  // Secondary rate limits and transient 5xx are absorbed by Octokit's throttling and retry plugins, configured in github-client.ts.
  const metrics = new Registry();
  const clientMetrics = githubClientMetrics(metrics);
  const Octokit = gradualOctokit({
    logger,
    metrics: clientMetrics,
    ...(options.githubRetryAfterBaseMs !== undefined && { retryAfterBaseMs: options.githubRetryAfterBaseMs }),
  });
  const probot = new Probot({
    appId: environment.appId,
    privateKey: environment.privateKey,
    secret: environment.webhookSecret,
    baseUrl: environment.baseUrl,
    log: probotLog,
    Octokit,
    request: { fetch: observingFetch(clientMetrics, logger) },
  });
  const clock = options.clock;
  const now = options.now ?? (clock === undefined ? () => new Date() : () => new Date(clock.now()));
  const state = stateLocation(config);
  const stateCluster = clusters.get(state.cluster);
  const deliveries = createDeliveryLedger({
    now,
    logger,
    ...(stateCluster !== undefined && { store: { client: stateCluster.rest, namespace: state.namespace } }),
  });
  const bot = createGradualBot(
    {
      config,
      defaults,
      clusters,
      manifests,
      kustomize,
      logger,
      now,
      provenanceKey: provenanceKeyFrom(environment.privateKey, environment.appId),
      managers: options.managers,
    },
    probot,
    {
      deliveries,
      ...(config.resyncSeconds !== undefined && { resyncSeconds: config.resyncSeconds }),
      ...(clock !== undefined && { clock }),
    },
  );
  // The middleware loads the app into this Probot (loading it here too would register every handler twice).
  const middleware = await createNodeMiddleware(bot.app, { probot, webhooksPath: environment.webhookPath });
  let serving = options.standby !== true;
  const server: Server = createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (request.url === '/readyz' || !serving) {
      const code = serving ? 200 : 503;
      response
        .writeHead(code, { 'content-type': 'text/plain' })
        .end(serving ? 'ok\n' : 'not the leader: this replica takes no webhooks now\n');
      return;
    }
    if (request.url === '/metrics') {
      void metrics.metrics().then((text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text));
      return;
    }
    void middleware(request, response, () => {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(environment.port, environment.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = environment.host === '0.0.0.0' ? '127.0.0.1' : environment.host;
  let loops: Promise<void> | undefined;
  /** Counts lead() and standDown() calls: a start that finishes after a stand-down must not take webhooks. */
  let terms = 0;
  function lead(): Promise<void> {
    if (loops !== undefined) return loops;
    const term = (terms += 1);
    const starting = (async () => {
      await bot.reporter.start();
      // After the reporter's first listing: a command found by the start-up reconcile sees the Rollouts deployed already.
      await bot.reconciler.start();
      // Not when it was stood down meanwhile (the Lease lost while starting).
      if (terms === term) serving = true;
    })();
    loops = starting;
    return starting;
  }
  async function standDown(): Promise<void> {
    serving = false;
    terms += 1;
    const started = loops;
    // Once: the manager stands it down when the Lease is lost, and stop() does again.
    loops = undefined;
    if (started === undefined) return;
    await started.catch(() => undefined);
    await bot.reconciler.stop();
    await bot.reporter.stop();
  }
  if (options.standby !== true) await lead();
  const url = `http://${host}:${String(port)}${environment.webhookPath}`;
  logger.info(
    { url, appId: environment.appId, baseUrl: environment.baseUrl, clusters: clusters.size, standby: options.standby === true },
    'bot listening',
  );
  return {
    url,
    bot,
    metrics,
    lead,
    standDown,
    async stop() {
      // Refused from now (503: GitHub records the delivery failed, and the leader's reconcile heals what it carried). The
      // loops stop at once, beside the close: after a lost Lease they must not act while deliveries already being
      // handled get their grace to finish.
      serving = false;
      await Promise.all([closeWebhookServer(server), standDown()]);
    },
  };
}
