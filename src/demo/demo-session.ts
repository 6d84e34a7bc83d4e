import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startDashboard } from '../dashboard/index.js';
import { installCrds, trafficCrdDir } from '../local/crds.js';
import {
  createRepositoryFromFolder,
  installApp,
  openPullRequest,
  personFor,
  pushBranch,
  setBranchProtection,
  type Person,
} from '../local/github/person.js';
import { environmentExists, localDown, localStatus, localUp } from '../local/index.js';
import { ownCliInvocation } from '../local/own-cli.js';
import { allocatePorts } from '../local/ports.js';
import { startProcess, stopProcess } from '../local/process-supervisor.js';
import type { LocalEnvironment, ManagedProcess } from '../local/types.js';
import { waitUntil } from '../local/wait-until.js';
import type { Logger } from '../log/index.js';
import { deployerIdentity } from '../gitops/deployer-rbac.js';
import { installDeployer } from '../gitops/install-deployer.js';
import {
  demoCheckNames,
  demoFirstColor,
  demoOwner,
  demoRepository,
  demoRepositoryFiles,
  demoRolloutFile,
  demoRolloutName,
  demoRolloutYaml,
  demoSecondColor,
  demoThirdColor,
} from './demo-manifests.js';
import { startDemoTraffic } from './start-demo-traffic.js';
import type { DemoTraffic } from './types.js';

export const demoNamespace = 'demo';

export interface DemoSessionOptions {
  /** The demo's folder: its local environment, `gradual start`'s config, clones and log, and `demo.json`. */
  dir: string;
  logger: Logger;
  /** One line per thing started, for the terminal. */
  progress: (message: string) => void;
  ports?: { dashboard?: number; gateway?: number };
  /** Requests per second the load generator sends through the gateway (default 20). */
  requestsPerSecond?: number;
}

export interface DemoUrls {
  pullRequest: string;
  app: string;
  dashboard: string;
  github: string;
  prometheus: string;
}

export interface DemoSession {
  urls: DemoUrls;
  namespace: string;
  environment: LocalEnvironment;
  kubeConfig: KubeConfig;
  traffic: DemoTraffic;
  /** alice administers the `demo` organization; bob writes to the repository and opened pull request #1. */
  people: { alice: Person; bob: Person };
  /** Every process the demo started (the environment's and `gradual start`), for `stop()` and for checking that none is left. */
  processes: ManagedProcess[];
  /** `demo.json`: the URLs and the processes, for tools and tests. */
  stateFile: string;
  stop(): Promise<void>;
}

/**
 * Brings the whole demo up: a fresh local environment whose GitHub delivers
 * webhooks to `gradual start`, the demo's traffic (pod runner, gateway, load),
 * the dashboard with actions on loopback, and the manifest repository with
 * branch protection and pull request #1 (blue → yellow). A failure stops
 * everything started before it.
 */
export async function startDemoSession(options: DemoSessionOptions): Promise<DemoSession> {
  const dir = resolve(options.dir);
  const logger = options.logger.child({ component: 'demo' });
  const quiet = logger.child({}, { level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
  const undo: { what: string; run: () => Promise<void> }[] = [];
  const processes: ManagedProcess[] = [];
  async function stop(): Promise<void> {
    for (let step = undo.pop(); step !== undefined; step = undo.pop()) {
      options.progress(`stopping ${step.what}`);
      await step.run().catch((cause: unknown) => {
        logger.error({ err: cause }, `demo: stopping ${step.what} failed`);
      });
    }
  }

  try {
    const environmentDir = join(dir, 'env');
    if (
      (await environmentExists(environmentDir)) &&
      (await localStatus({ dir: environmentDir })).processes.some((process) => process.running)
    ) {
      options.progress('stopping the environment an earlier demo left running');
      await localDown({ dir: environmentDir, logger: quiet });
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });

    const ports = await allocatePorts({ app: undefined, healthz: undefined, metrics: undefined });
    const webhookUrl = `http://127.0.0.1:${String(ports.app)}/api/github/webhooks`;
    options.progress(
      'bringing up the local environment (control plane, KWOK nodes, Prometheus, git, the local GitHub); the first run builds the control plane',
    );
    // The environment's own progress (the first build takes minutes) is worth seeing; the rest speaks only of trouble.
    const environment = await localUp({ dir: environmentDir, logger, webhookUrl, nodes: 3 });
    undo.push({
      what: 'the local environment',
      run: async () => {
        await localDown({ dir: environmentDir, logger: quiet });
      },
    });
    processes.push(...environment.processes);
    const github = environment.github;
    if (github === undefined) throw new Error(`the local environment in ${environmentDir} has no local GitHub`);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
    options.progress('installing the VirtualService kind and the demo namespace');
    await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, dir: trafficCrdDir, logger: quiet });
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: demoNamespace } } });
    // The bot deploys the demo as this namespace's deployer (impersonated): the Role an operator installs per environment.
    await installDeployer(kubeConfig, demoNamespace);

    options.progress('starting gradual start (the engine and the GitHub App)');
    const gradual = await startGradual({ dir, environment, ports, logger });
    undo.push({ what: 'gradual start', run: () => stopProcess(gradual) });
    processes.push(gradual);

    options.progress('starting the demo traffic (a backend per pod, the gateway, 20 requests a second)');
    const traffic = await startDemoTraffic({
      kubeConfig,
      namespace: demoNamespace,
      route: { kind: 'VirtualService', name: demoRolloutName, routeName: 'primary' },
      host: '127.0.0.1',
      ...(options.ports?.gateway === undefined ? {} : { port: options.ports.gateway }),
      requestsPerSecond: options.requestsPerSecond ?? 20,
      prometheusTargetsDir: environment.prometheus.targetsDir,
      logger: quiet,
    });
    undo.push({ what: 'the demo traffic', run: () => traffic.stop() });

    const dashboard = await startDashboard({
      kubeConfig,
      namespace: demoNamespace,
      port: options.ports?.dashboard ?? 0,
      host: '127.0.0.1',
      enableActions: true,
      logger: quiet,
    });
    undo.push({ what: 'the dashboard', run: () => dashboard.stop() });

    options.progress(`creating ${demoOwner}/${demoRepository} with branch protection; main deploys ${demoFirstColor}`);
    const people = await createDemoRepository({ environment, githubUrl: github.url, adminTokenFile: github.adminTokenFile, dir });
    await untilRolloutHealthy(kubeConfig, demoFirstColor);

    options.progress(`opening pull request #1: ${demoFirstColor} → ${demoSecondColor}`);
    await pushBranch(people.bob, {
      owner: demoOwner,
      repo: demoRepository,
      branch: demoSecondColor,
      files: { [demoRolloutFile]: demoRolloutYaml(demoSecondColor, demoNamespace) },
      message: `rollouts-demo: ${demoSecondColor}`,
    });
    const number = await openPullRequest(people.bob, {
      owner: demoOwner,
      repo: demoRepository,
      head: demoSecondColor,
      title: `Roll out ${demoSecondColor}`,
      body: `Canary **${demoRolloutName}** from ${demoFirstColor} to ${demoSecondColor}. Gradual pauses at 20 %: comment \`/promote\` to go on.`,
    });

    const urls: DemoUrls = {
      pullRequest: `${github.url}/${demoOwner}/${demoRepository}/pull/${String(number)}?as=bob`,
      app: traffic.gatewayUrl,
      // With the action token in its fragment: the URL a person opens to press Promote.
      dashboard: dashboard.openUrl,
      github: github.url,
      prometheus: environment.prometheus.url,
    };
    // The next colour's manifest, for a person who wants to open pull request #2 from a shell.
    await writeFile(join(dir, `rollout-${demoThirdColor}.yaml`), demoRolloutYaml(demoThirdColor, demoNamespace));
    const stateFile = join(dir, 'demo.json');
    await writeFile(
      stateFile,
      `${JSON.stringify({ urls, kubeconfig: environment.kubernetes.kubeconfig, demoPid: process.pid, processes }, null, 2)}\n`,
      { mode: 0o600 },
    );
    return { urls, namespace: demoNamespace, environment, kubeConfig, traffic, people, processes, stateFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `gradual start` as an operator runs it: Probot's variables pointing at the local GitHub, a Gradual config, the engine on the demo namespace. */
async function startGradual(options: {
  dir: string;
  environment: LocalEnvironment;
  ports: { app: number; healthz: number; metrics: number };
  logger: Logger;
}): Promise<ManagedProcess> {
  const { environment, ports } = options;
  const github = environment.github;
  if (github === undefined) throw new Error('no local GitHub');
  const configFile = join(options.dir, 'gradual.yaml');
  await writeFile(
    configFile,
    // The demo's environment deploys as the demo namespace's deployer (impersonated), as a real installation does.
    `clusters:\n  local:\n    kubeconfig: ${environment.kubernetes.kubeconfig}\nrepositories:\n  - match: ${demoOwner}/*\n    environments:\n      '*': { cluster: local, impersonate: { serviceAccount: ${deployerIdentity(demoNamespace).serviceAccount} } }\ncacheDir: ${join(options.dir, 'clones')}\n`,
  );
  const cli = ownCliInvocation();
  const started = startProcess({
    name: 'gradual-start',
    command: cli.command,
    args: [
      ...cli.args,
      'start',
      '--config',
      configFile,
      '--kubeconfig',
      environment.kubernetes.kubeconfig,
      '--namespace',
      demoNamespace,
      '--no-leader-elect',
      '--no-dashboard',
      '--healthz-port',
      String(ports.healthz),
      '--metrics-port',
      String(ports.metrics),
    ],
    cwd: cli.cwd,
    logFile: join(options.dir, 'gradual-start.log'),
    env: {
      ...process.env,
      APP_ID: String(github.appId),
      PRIVATE_KEY_PATH: github.privateKeyFile,
      WEBHOOK_SECRET: (await readFile(github.webhookSecretFile, 'utf8')).trim(),
      GHE_HOST: new URL(github.url).host,
      GHE_PROTOCOL: 'http',
      PORT: String(ports.app),
      HOST: '127.0.0.1',
      GRADUAL_LOG_LEVEL: process.env['GRADUAL_LOG_LEVEL'] ?? 'info',
    },
  });
  try {
    // A webhook with a wrong signature is refused with 400: the app answers, so it listens.
    const forged = {
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': 'demo-readiness',
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    };
    await waitUntil(
      async () =>
        (await fetch(`http://127.0.0.1:${String(ports.app)}/api/github/webhooks`, { method: 'POST', headers: forged, body: '{}' }))
          .status === 400,
      {
        what: `gradual start to answer on port ${String(ports.app)} (log: ${join(options.dir, 'gradual-start.log')})`,
        timeoutMs: 60_000,
        intervalMs: 200,
        abortOn: [started.exited],
      },
    );
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(ports.healthz)}/healthz`)).ok, {
      what: "the engine's /healthz",
      timeoutMs: 60_000,
      intervalMs: 200,
      abortOn: [started.exited],
    });
  } catch (error) {
    await stopProcess(started.record);
    throw error;
  }
  return started.record;
}

async function createDemoRepository(options: {
  environment: LocalEnvironment;
  githubUrl: string;
  adminTokenFile: string | undefined;
  dir: string;
}): Promise<{ alice: Person; bob: Person }> {
  if (options.adminTokenFile === undefined) throw new Error('the local GitHub has no admin token file');
  const adminToken = (await readFile(options.adminTokenFile, 'utf8')).trim();
  const alice = await personFor({ apiUrl: options.githubUrl, adminToken, login: 'alice', role: 'admin' });
  await installApp({ apiUrl: options.githubUrl, adminToken, account: demoOwner, sender: 'alice' });
  const folder = join(options.dir, 'repository');
  const files = demoRepositoryFiles({ color: demoFirstColor, namespace: demoNamespace, prometheusUrl: options.environment.prometheus.url });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(folder, path, '..'), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  await createRepositoryFromFolder(alice, { owner: demoOwner, repo: demoRepository, folder });
  const bob = await personFor({
    apiUrl: options.githubUrl,
    adminToken,
    login: 'bob',
    role: 'write',
    repository: { owner: demoOwner, name: demoRepository },
  });
  const checks = demoCheckNames(demoNamespace);
  await setBranchProtection(alice, {
    owner: demoOwner,
    repo: demoRepository,
    branch: 'main',
    requiredChecks: [checks.plan, checks.rollout],
    requiredApprovals: 0,
  });
  return { alice, bob };
}

interface RolloutView {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { phase?: string; stableRS?: string; currentPodHash?: string; currentStepIndex?: number };
}

export async function readDemoRollout(kubeConfig: KubeConfig): Promise<RolloutView | undefined> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  return (await api
    .getNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: demoNamespace,
      plural: 'rollouts',
      name: demoRolloutName,
    })
    .catch(() => undefined)) as RolloutView | undefined;
}

/** Waits for the rollout to run `color` everywhere: Healthy, its stable ReplicaSet the current one. */
export async function untilRolloutHealthy(kubeConfig: KubeConfig, color: string, timeoutMs = 120_000): Promise<void> {
  let last: RolloutView | undefined;
  try {
    await waitUntil(
      async () => {
        last = await readDemoRollout(kubeConfig);
        const image = last?.spec?.template?.spec?.containers?.[0]?.image ?? '';
        return image.endsWith(`:${color}`) && last?.status?.phase === 'Healthy' && last.status.stableRS === last.status.currentPodHash;
      },
      { what: `${demoNamespace}/${demoRolloutName} Healthy on ${color}`, timeoutMs, intervalMs: 250 },
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last status: ${JSON.stringify(last?.status ?? null)}`, {
      cause: error,
    });
  }
}
