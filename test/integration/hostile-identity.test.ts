import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradualAnnotations } from '../../src/gitops/annotations.js';
import { ApplyError, applyObjects } from '../../src/gitops/apply-objects.js';
import { loadCluster, type Cluster } from '../../src/gitops/clusters.js';
import { deployerIdentity } from '../../src/gitops/deployer-rbac.js';
import { startBot, type RunningBot } from '../../src/gitops/index.js';
import { installDeployer } from '../../src/gitops/install-deployer.js';
import type { ManifestObject } from '../../src/gitops/manifests/index.js';
import { readLiveObject } from '../../src/gitops/plan/index.js';
import { provenanceKeyFrom, type ProvenanceKey } from '../../src/gitops/provenance.js';
import { statusCodeOf, type KubeObject } from '../../src/kube/index.js';
import { createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

// What a hostile contributor (or a bug in confinement) meets once the policy is out of the way: the bot
// deploys as the environment's deployer (impersonated), so the API server itself refuses anything outside
// its Role; and the reporter believes only origins the bot signed, so a Rollout written by anyone else
// cannot make the bot post a check or a comment.
const cluster = testCluster('hostile');
const { namespace } = cluster;
const victim = `${namespace}-victim`;
const owner = 'acme';
const repo = 'shop';
const logger = createLogger({ level: 'warn' });
let deployer: Cluster;

/** A ManifestObject as parse-manifests would give it, built by hand: no policy, no confinement, nothing checked before the API server. */
function manifest(object: KubeObject, line = 1): ManifestObject {
  const namespaced = object.metadata?.namespace;
  return {
    ref: {
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
      name: object.metadata?.name ?? '',
      ...(namespaced === undefined ? {} : { namespace: namespaced }),
    },
    object,
    file: 'apps/hostile.yaml',
    line,
    column: 1,
    locate: () => ({ line, column: 1 }),
  };
}

function configMap(name: string, ns: string, value: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { value } } as KubeObject;
}

async function applyFailure(objects: KubeObject[], key: ProvenanceKey): Promise<ApplyError> {
  const origin = { repository: `${owner}/${repo}`, pullRequest: 1, headSha: 'f'.repeat(40), installationId: 1, environment: 'production' };
  const failure = await applyObjects(
    deployer.kubeConfig,
    objects.map((object, index) => manifest(object, index + 1)),
    origin,
    logger,
    key,
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(ApplyError);
  return failure as ApplyError;
}

async function statusOfRead(read: Promise<unknown>): Promise<number | undefined> {
  try {
    await read;
    return 200;
  } catch (error) {
    return statusCodeOf(error);
  }
}

beforeAll(async () => {
  await cluster.setUp();
  await cluster.core.createNamespace({ body: { metadata: { name: victim } } });
  await cluster.core.createNamespacedConfigMap({
    namespace: victim,
    body: { metadata: { name: 'settings' }, data: { value: 'untouched' } },
  });
  await cluster.core.createNamespacedSecret({
    namespace: victim,
    body: { metadata: { name: 'db-credentials' }, stringData: { password: 'never-shown' } },
  });
  await installDeployer(cluster.kubeConfig, namespace);
  deployer = loadCluster('local', { kubeconfig: cluster.kubeconfigPath }, deployerIdentity(namespace));
}, 60_000);

afterAll(async () => {
  await cluster.core.deleteNamespace({ name: victim }).catch(() => undefined);
  await cluster.tearDown();
});

describe('RBAC is the wall: confinement switched off, the API server refuses with 403 and nothing changes', { timeout: 60_000 }, () => {
  // Any key: signing is not what these cases are about.
  const key = provenanceKeyFrom(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 1);

  it('applies what the deployer may (the control: the path works and signs what it applies)', async () => {
    const origin = {
      repository: `${owner}/${repo}`,
      pullRequest: 1,
      headSha: 'a'.repeat(40),
      installationId: 1,
      environment: 'production',
    };
    await applyObjects(deployer.kubeConfig, [manifest(configMap('allowed', namespace, 'v1'))], origin, logger, key);
    const live = await cluster.core.readNamespacedConfigMap({ name: 'allowed', namespace });
    expect(live.data).toEqual({ value: 'v1' });
    expect(live.metadata?.annotations?.[gradualAnnotations.signature]).toMatch(/^v1=/u);
  });

  it('a manifest for another namespace: 403 on the dry run, the other namespace unchanged, and nothing of the batch applied', async () => {
    const failure = await applyFailure([configMap('batch-first', namespace, 'x'), configMap('settings', victim, 'hijacked')], key);
    expect(failure.message).toMatch(
      /apps\/hostile\.yaml:2: ConfigMap .*settings was refused by the API server \(dry run; nothing was applied\)/u,
    );
    expect(failure.message).toMatch(/403|forbidden/iu);
    expect(failure.message).toContain(`system:serviceaccount:${namespace}:gradual-deployer`);
    expect((await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace: victim })).data).toEqual({ value: 'untouched' });
    expect(await statusOfRead(cluster.core.readNamespacedConfigMap({ name: 'batch-first', namespace }))).toBe(404);
  });

  it('a RoleBinding granting cluster-admin in its own namespace: 403, and no RoleBinding exists', async () => {
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'take-over', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'gradual-deployer', namespace }],
    } as KubeObject;
    const failure = await applyFailure([binding], key);
    expect(failure.message).toMatch(/403|forbidden/iu);
    const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    expect(await statusOfRead(rbac.readNamespacedRoleBinding({ name: 'take-over', namespace }))).toBe(404);
  });

  it('a ClusterRoleBinding and a Namespace (cluster-scoped): 403, and neither exists', async () => {
    const clusterBinding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${namespace}-take-over` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'gradual-deployer', namespace }],
    } as KubeObject;
    expect((await applyFailure([clusterBinding], key)).message).toMatch(/403|forbidden/iu);
    const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    expect(await statusOfRead(rbac.readClusterRoleBinding({ name: `${namespace}-take-over` }))).toBe(404);
    expect((await applyFailure([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${namespace}-new` } }], key)).message).toMatch(
      /403|forbidden/iu,
    );
    expect(await statusOfRead(cluster.core.readNamespace({ name: `${namespace}-new` }))).toBe(404);
  });

  it("a plan's live read of another namespace's Secret is refused with 403 (the deployer's identity reads, not the bot's)", async () => {
    await expect(
      readLiveObject(deployer.rest, { apiVersion: 'v1', kind: 'Secret', namespace: victim, name: 'db-credentials' }),
    ).rejects.toThrow(/HTTP 403/u);
  });
});

describe('forged provenance: a Rollout the bot did not sign gets no check run and no comment', { timeout: 120_000 }, () => {
  let github: TestGithub;
  let bot: RunningBot;
  let alice: Person;
  let installationId: number;
  const logLines: string[] = [];

  function octokit(): Octokit {
    return new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
  }

  async function checkNamesOn(sha: string): Promise<string[]> {
    const found = await octokit().rest.checks.listForRef({ owner, repo, ref: sha });
    return found.data.check_runs.map((run) => run.name);
  }

  async function commentsOn(number: number): Promise<string[]> {
    return (await octokit().rest.issues.listComments({ owner, repo, issue_number: number })).data.map((item) => item.body ?? '');
  }

  function rollout(name: string, annotations: Record<string, string>): KubernetesObject {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace, annotations },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
        strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
      },
    } as KubernetesObject;
  }

  /** Written with the test's administrator rights: a cluster user who may write Rollouts, not the bot. */
  async function writeAsClusterUser(object: KubernetesObject): Promise<void> {
    await KubernetesObjectApi.makeApiClient(cluster.kubeConfig).patch(
      object,
      undefined,
      undefined,
      'cluster-user',
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  beforeAll(async () => {
    github = await startTestGithub({ git: true });
    const captured = new PassThrough();
    captured.on('data', (chunk: Buffer) =>
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      ),
    );
    bot = await startBot({
      environment: {
        appId: github.appId,
        privateKey: github.privateKey,
        webhookSecret: github.webhookSecret,
        webhookPath: '/api/github/webhooks',
        baseUrl: `${github.server.url}/api/v3`,
        port: 0,
        host: '127.0.0.1',
        configFile: undefined,
      },
      config: {
        clusters: { local: { kubeconfig: cluster.kubeconfigPath } },
        repositories: [{ match: `${owner}/*`, environments: { '*': { cluster: 'local', impersonate: deployerIdentity(namespace) } } }],
        cacheDir: await mkdtemp(join(tmpdir(), 'gradual-clones-')),
      },
      logger: createLogger({ level: 'info', destination: captured }),
    });
    // No webhooks reach the bot: what it reports here comes from the cluster alone.
    const seeded = await github.server.update((state) => {
      const now = new Date();
      const installation = seedInstallation(state, owner, now);
      return { token: seedPerson(state, { login: 'alice', role: 'admin', now }), installationId: installation.id };
    });
    installationId = seeded.installationId;
    alice = { login: 'alice', token: seeded.token, apiUrl: github.server.url };
    const folder = await mkdtemp(join(tmpdir(), 'gradual-hostile-repo-'));
    await writeFile(join(folder, 'README.md'), '# shop\n');
    await createRepositoryFromFolder(alice, { owner, repo, folder });
  }, 120_000);

  afterAll(async () => {
    await bot.stop();
    await github.stop();
  });

  it('reports a Rollout the bot signed (the control), ignores copied, re-pointed and unsigned ones, and logs each once', async () => {
    const realSha = await pushBranch(alice, { owner, repo, branch: 'real', files: { 'a.txt': 'a\n' }, message: 'real' });
    const real = await openPullRequest(alice, { owner, repo, head: 'real', title: 'real' });
    const otherSha = await pushBranch(alice, { owner, repo, branch: 'other', files: { 'b.txt': 'b\n' }, message: 'other' });
    const other = await openPullRequest(alice, { owner, repo, head: 'other', title: 'other' });

    // The control: what the bot's own apply path writes (signed with the key it derives from the App's private key).
    const key = provenanceKeyFrom(github.privateKey, github.appId);
    const origin = { repository: `${owner}/${repo}`, pullRequest: real, headSha: realSha, installationId, environment: 'production' };
    await applyObjects(deployer.kubeConfig, [manifest(rollout('signed', {}))], origin, logger, key);
    await waitUntil(async () => (await checkNamesOn(realSha)).includes(`gradual/rollout ${namespace}/signed`), {
      what: 'the signed Rollout to be reported',
      timeoutMs: 60_000,
    });
    const signedAnnotations = (await cluster.custom.getNamespacedCustomObject({ ...cluster.rolloutApi, name: 'signed' })) as {
      metadata: { annotations: Record<string, string> };
    };
    const copied = Object.fromEntries(
      Object.entries(signedAnnotations.metadata.annotations).filter(([name]) => name.startsWith('gradual.dev/')),
    );

    // 1. The real annotations, signature included, copied onto another Rollout.
    await writeAsClusterUser(rollout('copied', copied));
    // 2. The real annotations re-pointed at another pull request and head, keeping the real signature.
    await writeAsClusterUser(
      rollout('repointed', { ...copied, [gradualAnnotations.pullRequest]: String(other), [gradualAnnotations.headSha]: otherSha }),
    );
    // 3. Another repository's name, same signature.
    await writeAsClusterUser(rollout('other-repo', { ...copied, [gradualAnnotations.repository]: `${owner}/payments` }));
    // 4. No signature at all, pointed at the other pull request.
    const unsigned = Object.fromEntries(Object.entries(copied).filter(([name]) => name !== gradualAnnotations.signature));
    await writeAsClusterUser(
      rollout('unsigned', { ...unsigned, [gradualAnnotations.pullRequest]: String(other), [gradualAnnotations.headSha]: otherSha }),
    );
    // Each is edited again: a second event for the same object must not log a second line.
    for (const name of ['copied', 'repointed', 'other-repo', 'unsigned']) {
      await cluster.custom.patchNamespacedCustomObject(
        { ...cluster.rolloutApi, name, body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }

    const refusal = 'Rollout claims a Gradual origin the bot did not sign; not reported';
    // The bot watches every namespace: Rollouts other test files left behind, signed with their own App's key, are refused too.
    const refusedNames = (): string[] =>
      logLines
        .filter((line) => line.includes(refusal))
        .map((line) => JSON.parse(line) as { rollout: string; namespace: string })
        .filter((entry) => entry.namespace === namespace)
        .map((entry) => entry.rollout);
    await waitUntil(
      async () => Promise.resolve(['copied', 'repointed', 'other-repo', 'unsigned'].every((name) => refusedNames().includes(name))),
      { what: 'a log line for each forged Rollout', timeoutMs: 30_000 },
    );
    // Nudge the reporter once more through the signed one, and let its queue drain: the forged ones had every chance.
    await cluster.custom.patchNamespacedCustomObject(
      { ...cluster.rolloutApi, name: 'signed', body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitUntil(async () => (await commentsOn(real)).length > 0, {
      what: 'the sticky comment on the real pull request',
      timeoutMs: 30_000,
    });

    expect(refusedNames().sort()).toEqual(['copied', 'other-repo', 'repointed', 'unsigned']);
    const line = logLines.find((candidate) => candidate.includes(refusal) && candidate.includes('"unsigned"')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      namespace,
      reason: 'it carries no gradual.dev/signature',
      claimedPullRequest: other,
    });
    // GitHub, read back: only the signed Rollout has a check run; the other pull request has neither check nor comment.
    expect(await checkNamesOn(realSha)).toEqual([`gradual/rollout ${namespace}/signed`]);
    expect(await checkNamesOn(otherSha)).toEqual([]);
    expect(await commentsOn(other)).toEqual([]);
    const sticky = await commentsOn(real);
    expect(sticky).toHaveLength(1);
    expect(sticky[0]).toMatch(/\bsigned\b/u);
    for (const name of ['copied', 'repointed', 'other-repo', 'unsigned']) expect(sticky[0]).not.toMatch(new RegExp(`\\b${name}\\b`, 'u'));
    expect(github.violations).toEqual([]);
  });
});

describe('a signed Rollout copied into another watched cluster is not reported from there', { timeout: 120_000 }, () => {
  // The signature binds repository, pull request, head, environment, namespace, kind and name, not the cluster:
  // a cluster user who reads a signed production Rollout and may write Rollouts in a sandbox cluster the bot
  // also watches could copy it there, same namespace and name, and its outcome would land on the production
  // pull request's check run. The sandbox here is the same control plane under a second name in the config
  // (the bot watches every configured cluster), so the same object is seen through both.
  it('reports it from the cluster its environment deploys to and refuses it, logged, from the other', async () => {
    const github = await startTestGithub({ git: true });
    const lines: string[] = [];
    const captured = new PassThrough();
    captured.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      ),
    );
    const bot = await startBot({
      environment: {
        appId: github.appId,
        privateKey: github.privateKey,
        webhookSecret: github.webhookSecret,
        webhookPath: '/api/github/webhooks',
        baseUrl: `${github.server.url}/api/v3`,
        port: 0,
        host: '127.0.0.1',
        configFile: undefined,
      },
      config: {
        clusters: { local: { kubeconfig: cluster.kubeconfigPath }, sandbox: { kubeconfig: cluster.kubeconfigPath } },
        repositories: [
          { match: `${owner}/${repo}`, environments: { '*': { cluster: 'local', impersonate: deployerIdentity(namespace) } } },
        ],
        cacheDir: await mkdtemp(join(tmpdir(), 'gradual-clones-')),
      },
      logger: createLogger({ level: 'info', destination: captured }),
    });
    try {
      const seeded = await github.server.update((state) => {
        const now = new Date();
        const installation = seedInstallation(state, owner, now);
        return { token: seedPerson(state, { login: 'alice', role: 'admin', now }), installationId: installation.id };
      });
      const alice: Person = { login: 'alice', token: seeded.token, apiUrl: github.server.url };
      const folder = await mkdtemp(join(tmpdir(), 'gradual-hostile-repo-'));
      await writeFile(join(folder, 'README.md'), '# shop\n');
      await createRepositoryFromFolder(alice, { owner, repo, folder });
      const headSha = await pushBranch(alice, { owner, repo, branch: 'crossed', files: { 'c.txt': 'c\n' }, message: 'crossed' });
      const number = await openPullRequest(alice, { owner, repo, head: 'crossed', title: 'crossed' });
      const origin = {
        repository: `${owner}/${repo}`,
        pullRequest: number,
        headSha,
        installationId: seeded.installationId,
        environment: 'production',
      };
      const rollout = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'crossed', namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'crossed' } },
          template: { metadata: { labels: { app: 'crossed' } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      } as KubeObject;
      await applyObjects(deployer.kubeConfig, [manifest(rollout)], origin, logger, provenanceKeyFrom(github.privateKey, github.appId));

      const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
      const checks = async (): Promise<string[]> =>
        (await octokit.rest.checks.listForRef({ owner, repo, ref: headSha })).data.check_runs.map((run) => run.name);
      await waitUntil(async () => (await checks()).includes(`gradual/rollout ${namespace}/crossed`), {
        what: 'the Rollout reported from the cluster production deploys to',
        timeoutMs: 60_000,
      });
      const refusals = (): { cluster: string; rollout: string; reason: string }[] =>
        lines
          .map((line) => JSON.parse(line) as { msg: string; cluster: string; rollout: string; reason: string })
          .filter((line) => line.msg.includes('not reported') && line.rollout === 'crossed');
      await waitUntil(async () => Promise.resolve(refusals().length > 0), {
        what: 'the copy seen through the sandbox refused',
        timeoutMs: 30_000,
      });
      expect(refusals().map(({ cluster: name }) => name)).toEqual(['sandbox']);
      expect(refusals()[0]?.reason).toContain('does not deploy to cluster "sandbox"');
      expect(await checks()).toEqual([`gradual/rollout ${namespace}/crossed`]);
      expect(github.violations).toEqual([]);
    } finally {
      await bot.stop();
      await github.stop();
    }
  });
});

describe(
  "an environment mapped to a bare cluster deploys with the bot's own identity, and the bot says so at start",
  { timeout: 60_000 },
  () => {
    it('logs one SECURITY warning naming each such environment, and none for impersonated ones', async () => {
      const github = await startTestGithub();
      const lines: string[] = [];
      const captured = new PassThrough();
      captured.on('data', (chunk: Buffer) =>
        lines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((line) => line !== ''),
        ),
      );
      const bot = await startBot({
        environment: {
          appId: github.appId,
          privateKey: github.privateKey,
          webhookSecret: github.webhookSecret,
          webhookPath: '/api/github/webhooks',
          baseUrl: `${github.server.url}/api/v3`,
          port: 0,
          host: '127.0.0.1',
          configFile: undefined,
        },
        config: {
          clusters: { local: { kubeconfig: cluster.kubeconfigPath } },
          repositories: [
            {
              match: `${owner}/*`,
              environments: { production: { cluster: 'local', impersonate: deployerIdentity(namespace) }, preview: 'local' },
            },
          ],
          cacheDir: await mkdtemp(join(tmpdir(), 'gradual-clones-')),
        },
        logger: createLogger({ level: 'info', destination: captured }),
      });
      try {
        const warnings = lines
          .map((line) => JSON.parse(line) as { level: number; msg: string; environments?: string[] })
          .filter((line) => line.level === 40 && line.msg.startsWith('SECURITY'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.environments).toEqual([`${owner}/* preview → local`]);
      } finally {
        await bot.stop();
        await github.stop();
      }
    });
  },
);
