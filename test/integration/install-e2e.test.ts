import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { installDeployer } from '../../src/gitops/install-deployer.js';
import { cacheRoot } from '../../src/local/cache-dir.js';
import {
  comment,
  createRepositoryFromFolder,
  merge,
  openPullRequest,
  pushBranch,
  setBranchProtection,
  type Person,
} from '../../src/local/github/person.js';
import { seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { ensureKubectl } from '../../src/local/kubectl.js';
import { repositoryRoot } from '../../src/local/own-cli.js';
import { allocatePorts } from '../../src/local/ports.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { buildImageLayout } from './support/image-layout.js';
import { startMetricBackend, type MetricBackend } from './support/metric-backend.js';
import { seedAnalysisYaml, seedRolloutYaml } from './support/seed-story.js';
import { testCluster } from './support/test-cluster.js';

// Issue 24's acceptance, as a platform team would do it: `kubectl apply -k deploy/` on a fresh control plane;
// the GitHub App created through Gradual's setup flow against the local GitHub (the manifest posted to its
// /settings/apps/new, the code exchanged at POST /app-manifests/{code}/conversions); its credentials put in
// the Secret with `kubectl create secret --from-env-file`, as the README says; then the compiled build, laid
// out as the image (production packages only), started as `gradual start` with the Deployment's arguments,
// the ConfigMap's config and the Secret's values, authenticated as the Deployment's ServiceAccount (a token
// from the TokenRequest API), and the seed story played through it on a pull request.
// KWOK runs no containers: the Deployment is applied and validated by the API server, and its pod is
// KWOK's pretend one; the process it would run runs here, beside it.
const cluster = testCluster('install');
const { namespace } = cluster;
const environment = inject('gradualEnv');
const systemNamespace = 'gradual-system';
const owner = 'acme';
const repo = 'deploys';
const checkName = `gradual/rollout ${namespace}/web`;
const run = promisify(execFile);
const adminConfig = new KubeConfig();
adminConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = adminConfig.makeApiClient(CoreV1Api);
const apps = adminConfig.makeApiClient(AppsV1Api);

let kubectl = '';
let work = '';
let layout = '';
let github: TestGithub;
let backend: MetricBackend;
let gradual: ChildProcess | undefined;
let gradualLog = '';
let alice: Person;
let bob: Person;
let applied = '';
let created: { appId: string; file: string } | undefined;
/** Where the app created by the setup flow delivers its webhooks, and so where the installed bot listens. */
let webhookPort = 0;

function kubectlRun(args: string[], kubeconfig = environment.kubernetes.kubeconfig): Promise<{ stdout: string; stderr: string }> {
  return run(kubectl, ['--kubeconfig', kubeconfig, ...args], { cwd: repositoryRoot, maxBuffer: 32 * 1024 * 1024 });
}

/** The Deployment's ServiceAccount, as its pod would hold it: a kubeconfig with the cluster's address and CA and a bound token. */
async function serviceAccountKubeconfig(name: string): Promise<string> {
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace: systemNamespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token ?? '';
  expect(token).not.toBe('');
  const server = adminConfig.getCurrentCluster();
  if (server === null) throw new Error('the environment kubeconfig has no current cluster');
  const file = join(work, `${name}.kubeconfig`);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...server, name: 'local' }],
    users: [{ name, token }],
    contexts: [{ name, cluster: 'local', user: name }],
    currentContext: name,
  });
  await writeFile(file, config.exportConfig(), { mode: 0o600 });
  return file;
}

/** Starts `node dist/cli/main.js …` in the image's layout with the image's environment plus `env`. */
function startCompiled(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: layout,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      NODE_ENV: 'production',
      GRADUAL_LOG_LEVEL: 'warn',
      GRADUAL_LOG_FORMAT: 'json',
      ...env,
    },
  });
  gradualLog = '';
  child.stdout.on('data', (chunk: Buffer) => (gradualLog += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (gradualLog += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, exited };
}

function octokitFor(person: Person): Octokit {
  return new Octokit({ baseUrl: person.apiUrl, auth: person.token });
}

async function checkRun(
  sha: string,
  name: string,
): Promise<{ status: string; conclusion: string | null; title: string; summary: string } | undefined> {
  const found = await octokitFor(alice).rest.checks.listForRef({ owner, repo, ref: sha, check_name: name });
  const first = found.data.check_runs[0];
  return first === undefined
    ? undefined
    : { status: first.status, conclusion: first.conclusion, title: first.output.title ?? '', summary: first.output.summary ?? '' };
}

async function untilCheck(
  sha: string,
  name: string,
  what: string,
  predicate: (run: NonNullable<Awaited<ReturnType<typeof checkRun>>>) => boolean,
): Promise<NonNullable<Awaited<ReturnType<typeof checkRun>>>> {
  let last: Awaited<ReturnType<typeof checkRun>>;
  await waitUntil(
    async () => {
      last = await checkRun(sha, name);
      return last !== undefined && predicate(last);
    },
    {
      what: `${name} on ${sha.slice(0, 7)}: ${what} (last: ${JSON.stringify(last ?? null)}; gradual's log: ${gradualLog.slice(-2000)})`,
      timeoutMs: 90_000,
      intervalMs: 250,
    },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

beforeAll(async () => {
  const logger = createLogger({ level: 'warn' });
  work = await mkdtemp(join(tmpdir(), 'gradual-install-'));
  [kubectl, layout] = await Promise.all([ensureKubectl({ cacheRoot: cacheRoot(), logger }), buildImageLayout()]);
  await cluster.setUp();
  // deploy-rbac.test.ts deletes gradual-system when it ends; nothing can be created in it until it is gone.
  await waitUntil(
    async () => (await core.readNamespace({ name: systemNamespace }).catch(() => undefined))?.status?.phase !== 'Terminating',
    { what: `${systemNamespace} from an earlier run to finish terminating`, timeoutMs: 90_000 },
  );
  applied = (await kubectlRun(['apply', '--server-side', '-k', 'deploy/'])).stdout;
  backend = await startMetricBackend(environment.prometheus.targetsDir);
  github = await startTestGithub({ git: true });
}, 900_000);

afterAll(async () => {
  gradual?.kill('SIGKILL');
  await github.stop();
  await backend.stop();
  await cluster.tearDown();
  // Everything deploy/ created but the CRDs (the environment and other test files keep using them).
  await core.deleteNamespace({ name: systemNamespace }).catch(() => undefined);
  if (kubectl !== '') {
    const rendered = (await kubectlRun(['kustomize', 'deploy/'])).stdout;
    const clusterScoped = rendered
      .split(/^---$/mu)
      .map((text) => parseYaml(text) as { kind?: string; metadata?: { name?: string } } | null)
      .filter((object) => object?.kind === 'ClusterRole' || object?.kind === 'ClusterRoleBinding');
    for (const object of clusterScoped)
      await kubectlRun(['delete', '--ignore-not-found', `${object?.kind?.toLowerCase() ?? ''}/${object?.metadata?.name ?? ''}`]);
  }
  if (layout !== '') await rm(layout, { recursive: true, force: true });
  if (work !== '') await rm(work, { recursive: true, force: true });
}, 120_000);

describe('installing Gradual from deploy/ and the README, then the seed story through the installed bot', { timeout: 300_000 }, () => {
  it('`kubectl apply -k deploy/` installs the whole product: `gradual start` with probes, limits and a locked-down container, its Service, config and identities', async () => {
    for (const object of [
      'namespace/gradual-system',
      'serviceaccount/gradual-bot',
      'clusterrolebinding.rbac.authorization.k8s.io/gradual-start',
      'configmap/gradual-config',
      'deployment.apps/gradual',
      'service/gradual-webhook',
      'service/gradual-metrics',
    ]) {
      expect(applied).toContain(`${object} serverside-applied`);
    }
    const deployment = await apps.readNamespacedDeployment({ name: 'gradual', namespace: systemNamespace });
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    expect(pod?.serviceAccountName).toBe('gradual-bot');
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container?.args?.[0]).toBe('start');
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    // Ready only where the bot takes webhooks (the leader): the Service routes no delivery to a follower.
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.resources?.limits?.['memory']).toBe('512Mi');
    expect(container?.envFrom?.[0]?.secretRef?.name).toBe('gradual-github-app');
    expect(container?.ports?.map((port) => port.containerPort)).toContain(3000);
    const service = await core.readNamespacedService({ name: 'gradual-webhook', namespace: systemNamespace });
    expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
    // The examples not in the kustomization are valid objects too (the API server's dry run).
    for (const example of ['deploy/ingress.example.yaml', 'deploy/github-app-secret.example.yaml']) {
      expect((await kubectlRun(['apply', '--dry-run=server', '-f', example])).stdout).toMatch(/created \(server dry run\)/u);
    }
  });

  it('the controller-only overlay renders the engine alone, as its own ServiceAccount, and the API server accepts it', async () => {
    const rendered = (await kubectlRun(['kustomize', '--load-restrictor', 'LoadRestrictionsNone', 'deploy/overlays/controller-only']))
      .stdout;
    const objects = rendered.split(/^---$/mu).map(
      (text) =>
        parseYaml(text) as {
          kind: string;
          metadata: { name: string };
          spec?: { template?: { spec?: { serviceAccountName?: string; containers?: { args?: string[] }[] } } };
        },
    );
    const names = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Deployment/gradual-controller',
        'ServiceAccount/gradual',
        'ClusterRoleBinding/gradual-controller',
        'Service/gradual-metrics',
        'CustomResourceDefinition/rollouts.argoproj.io',
      ]),
    );
    for (const gone of [
      'Deployment/gradual',
      'Service/gradual-webhook',
      'ConfigMap/gradual-config',
      'ClusterRoleBinding/gradual-start',
      'RoleBinding/gradual-start-leader-election',
      'ServiceAccount/gradual-bot',
      'ClusterRole/gradual-bot',
    ])
      expect(names).not.toContain(gone);
    // The CRDs and roles are deploy/'s own files, so both installs carry the same ones.
    expect(names.filter((name) => name.startsWith('CustomResourceDefinition/')).sort()).toEqual(
      (await kubectlRun(['kustomize', 'deploy/'])).stdout
        .split(/^---$/mu)
        .map((text) => parseYaml(text) as { kind: string; metadata: { name: string } })
        .filter((object) => object.kind === 'CustomResourceDefinition')
        .map((object) => `CustomResourceDefinition/${object.metadata.name}`)
        .sort(),
    );
    const controller = objects.find((object) => object.kind === 'Deployment');
    expect(controller?.spec?.template?.spec?.serviceAccountName).toBe('gradual');
    expect(controller?.spec?.template?.spec?.containers?.[0]?.args?.[0]).toBe('controller');
    const file = join(work, 'controller-only.yaml');
    await writeFile(file, rendered);
    expect((await kubectlRun(['apply', '--server-side', '--dry-run=server', '-f', file])).stdout).toContain(
      'deployment.apps/gradual-controller serverside-applied (server dry run)',
    );
  });

  it('the setup flow creates the GitHub App on the local GitHub and writes its credentials; `kubectl create secret --from-env-file` takes them', async () => {
    const { setup } = await allocatePorts({ setup: undefined });
    const credentials = join(work, 'gradual-app.env');
    const githubHost = new URL(github.server.url).host;
    // The webhook URL the app is created with: where the installed bot will listen (here, a loopback port).
    const { webhook } = await allocatePorts({ webhook: undefined });
    webhookPort = webhook;
    const started = startCompiled(['start', '--no-leader-elect'], {
      PORT: String(setup),
      GHE_HOST: githubHost,
      GHE_PROTOCOL: 'http',
      GRADUAL_WEBHOOK_URL: `http://127.0.0.1:${String(webhook)}/api/github/webhooks`,
      GRADUAL_APP_CREDENTIALS_FILE: credentials,
    });
    // The person's browser: the setup page's form, posted to GitHub; GitHub's confirmation; back to Gradual with the code.
    let page = '';
    await waitUntil(
      async () => {
        const response = await fetch(`http://127.0.0.1:${String(setup)}/probot`).catch(() => undefined);
        page = response?.ok === true ? await response.text() : '';
        return page !== '';
      },
      { what: `the setup page (log: ${gradualLog})`, timeoutMs: 60_000 },
    );
    const action = /action="([^"]+)"/u.exec(page)?.[1] ?? '';
    expect(action).toBe(`http://${githubHost}/settings/apps/new`);
    const manifest = /name="manifest"[^>]*value='([^']*)'|value='([^']*)'/u.exec(page);
    const manifestText = manifest?.[1] ?? manifest?.[2] ?? '';
    expect(JSON.parse(manifestText)).toMatchObject({
      name: 'Gradual',
      hook_attributes: { url: `http://127.0.0.1:${String(webhook)}/api/github/webhooks` },
    });
    const form = (fields: Record<string, string>): RequestInit => ({
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    expect((await fetch(`${action}?as=alice`, form({ manifest: manifestText }))).status).toBe(200);
    const confirmed = await fetch(`${action}?as=alice`, form({ manifest: manifestText, confirm: '1' }));
    expect(confirmed.status).toBe(302);
    const back = confirmed.headers.get('location') ?? '';
    expect(back).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${String(setup)}/probot/setup\\?code=[0-9a-f]{40}`, 'u'));
    const finished = await fetch(back, { redirect: 'manual' });
    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toMatch(/\/apps\/gradual\/installations\/new$/u);
    expect(await started.exited).toBe(0);
    expect(gradualLog).toMatch(/GitHub App \d+ created/u);

    const text = await readFile(credentials, 'utf8');
    const appId = /^APP_ID=(\d+)$/mu.exec(text)?.[1] ?? '';
    expect(Number(appId)).toBe(github.server.state().app.id);
    created = { appId, file: credentials };
    // The code was for one use: the flow's own second exchange would fail.
    const code = new URL(back).searchParams.get('code') ?? '';
    expect((await fetch(`${github.server.url}/api/v3/app-manifests/${code}/conversions`, { method: 'POST' })).status).toBe(404);

    await kubectlRun(['-n', systemNamespace, 'create', 'secret', 'generic', 'gradual-github-app', `--from-env-file=${credentials}`]);
    const secret = await core.readNamespacedSecret({ name: 'gradual-github-app', namespace: systemNamespace });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(expect.arrayContaining(['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET']));
  });

  it('the seed story through the installed bot: plan, deploy, pause, /promote, analysis, success, merge', async () => {
    if (created === undefined) throw new Error('the app was not created (see the test before)');
    // What the pod gets: the Secret's values as its environment, the ConfigMap's config.yaml at --config, and
    // the Deployment's own arguments; the operator has edited the config's example repository rule.
    const secret = await core.readNamespacedSecret({ name: 'gradual-github-app', namespace: systemNamespace });
    const fromSecret = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
    const configMap = await core.readNamespacedConfigMap({ name: 'gradual-config', namespace: systemNamespace });
    const cacheDir = join(work, 'cache');
    await mkdir(cacheDir);
    const config = (configMap.data?.['config.yaml'] ?? '')
      .replace('my-org/*', `${owner}/*`)
      .replace('my-app/gradual-deployer', `${namespace}/gradual-deployer`)
      .replace('/var/cache/gradual', cacheDir);
    expect(config).toContain(`${namespace}/gradual-deployer`);
    const configFile = join(work, 'config.yaml');
    await writeFile(configFile, config);
    const deployment = await apps.readNamespacedDeployment({ name: 'gradual', namespace: systemNamespace });
    const args = [...(deployment.spec?.template.spec?.containers[0]?.args ?? [])];
    expect(args.slice(0, 3)).toEqual(['start', '--lease-namespace', systemNamespace]);
    args[args.indexOf('--config') + 1] = configFile;
    await installDeployer(adminConfig, namespace);
    const kubeconfig = await serviceAccountKubeconfig(deployment.spec?.template.spec?.serviceAccountName ?? '');
    const { metrics, healthz, dashboard } = await allocatePorts({ metrics: undefined, healthz: undefined, dashboard: undefined });
    // --namespace: the shared environment's other test files have Rollouts of their own.
    const started = startCompiled(
      [
        ...args,
        '--namespace',
        namespace,
        '--metrics-port',
        String(metrics),
        '--healthz-port',
        String(healthz),
        '--dashboard-port',
        String(dashboard),
      ],
      {
        ...fromSecret,
        KUBECONFIG: kubeconfig,
        GHE_HOST: new URL(github.server.url).host,
        GHE_PROTOCOL: 'http',
        PORT: String(webhookPort),
        HOST: '127.0.0.1',
      },
    );
    gradual = started.child;
    const early = started.exited.then((code) => {
      throw new Error(`gradual start exited (${String(code)}):\n${gradualLog}`);
    });
    early.catch(() => undefined);
    // The bot starts once this replica leads (the Lease in gradual-system, taken with the ServiceAccount's rights).
    await Promise.race([
      waitUntil(
        async () => (await fetch(`http://127.0.0.1:${String(webhookPort)}/api/github/webhooks`).catch(() => undefined)) !== undefined,
        { what: `the installed bot's webhook port (log: ${gradualLog})`, timeoutMs: 90_000 },
      ),
      early,
    ]);
    expect((await fetch(`http://127.0.0.1:${String(healthz)}/healthz`)).ok).toBe(true);

    await github.server.install({ account: owner, sender: 'alice' });
    const tokens = await github.server.update((state) => {
      const now = new Date();
      return {
        alice: seedPerson(state, { login: 'alice', role: 'admin', now }),
        bob: seedPerson(state, { login: 'bob', role: 'write', now }),
      };
    });
    alice = { login: 'alice', token: tokens.alice, apiUrl: github.server.url };
    bob = { login: 'bob', token: tokens.bob, apiUrl: github.server.url };
    const folder = await mkdtemp(join(work, 'repo-'));
    await mkdir(join(folder, 'apps', 'web'), { recursive: true });
    await writeFile(
      join(folder, '.gradual.yml'),
      `environments:\n  - name: production\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`,
    );
    await writeFile(join(folder, 'apps', 'web', 'rollout.yaml'), seedRolloutYaml('example.test/web:blue'));
    await writeFile(
      join(folder, 'apps', 'web', 'analysis.yaml'),
      seedAnalysisYaml(environment.prometheus.url, backend.successRatioQuery('4s')),
    );
    await createRepositoryFromFolder(alice, { owner, repo, folder });
    await github.server.update((state) => {
      const repository = state.repositories.find((candidate) => candidate.name === repo);
      if (repository !== undefined) Object.assign(repository.collaborators, { bob: 'write' });
    });
    await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [checkName], requiredApprovals: 0 });
    // The push to main is applied by drift correction, through the deployer, and rolled out by the installed engine.
    await cluster.untilRollout(
      'web',
      `the first revision to be Healthy (log: ${gradualLog.slice(-2000)})`,
      (rollout) => rollout.status?.phase === 'Healthy' && rollout.status.stableRS === rollout.status.currentPodHash,
    );

    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'yellow',
      files: { 'apps/web/rollout.yaml': seedRolloutYaml('example.test/web:yellow') },
      message: 'web: yellow',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'yellow', title: 'Roll out yellow' });
    const plan = await untilCheck(sha, 'gradual/plan', 'the plan', (found) => found.status === 'completed');
    expect(plan.conclusion).toBe('success');
    expect(plan.summary).toContain('example.test/web:yellow');
    const paused = await untilCheck(sha, checkName, 'paused for a person at step 2', (found) => found.conclusion === 'action_required');
    expect(paused.title).toMatch(/Step 2\/6/u);
    const promoteId = await comment(bob, { owner, repo, number, body: '/promote' });
    await waitUntil(
      async () =>
        (await octokitFor(alice).rest.reactions.listForIssueComment({ owner, repo, comment_id: promoteId })).data.some(
          (reaction) => reaction.content === 'rocket',
        ),
      { what: '🚀 on /promote', timeoutMs: 30_000 },
    );
    const done = await untilCheck(
      sha,
      checkName,
      'success after the analysis',
      (found) => found.status === 'completed' && found.conclusion === 'success',
    );
    expect(done.summary).toContain('success-rate');
    const rollout = await cluster.readRollout('web');
    expect(rollout.spec.template?.spec?.containers?.[0]?.image).toBe('example.test/web:yellow');
    expect(rollout.status?.phase).toBe('Healthy');
    // Applied as the environment's deployer, whom the installed ServiceAccount impersonated.
    const live = (await cluster.custom.getNamespacedCustomObject({ ...cluster.rolloutApi, name: 'web' })) as {
      metadata?: { managedFields?: { manager?: string }[] };
    };
    expect(live.metadata?.managedFields?.some((field) => field.manager === 'gradual')).toBe(true);
    expect(await merge(alice, { owner, repo, number })).toMatch(/^[0-9a-f]{40}$/u);
    expect(github.violations).toEqual([]);
    // The installed bot keeps its ledger of handled deliveries where deploy/'s config and bot-state-role.yaml put it
    // (without those rights it would keep it in memory, and a restart would forget it).
    await waitUntil(
      async () => {
        const ledger = await core
          .readNamespacedConfigMap({ name: 'gradual-deliveries', namespace: systemNamespace })
          .catch(() => undefined);
        return Object.keys(ledger?.data ?? {}).length > 0;
      },
      { what: 'the delivery ledger in gradual-system', timeoutMs: 30_000 },
    );
    // The app's credentials never reached the log.
    // The env file holds the key on one line, its newlines written \\n; a line of its body is what a leak would show.
    const keyLines = (fromSecret['PRIVATE_KEY'] ?? '').split('\\n');
    expect(keyLines[0]).toContain('PRIVATE KEY');
    expect(keyLines[1]?.length).toBeGreaterThan(40);
    expect(gradualLog).not.toContain(keyLines[1]);
    expect(gradualLog).not.toContain(fromSecret['WEBHOOK_SECRET'] ?? 'no secret');

    gradual.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    gradual = undefined;
  });
});
