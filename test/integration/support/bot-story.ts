import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startBot, type RunningBot } from '../../../src/gitops/index.js';
import type { GradualConfig } from '../../../src/gitops/config.js';
import { createRepositoryFromFolder, type Person } from '../../../src/local/github/person.js';
import { seedInstallation, seedPerson, seedTeam } from '../../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../../src/local/github/testing.js';
import type { CollaboratorPermission } from '../../../src/local/github/types.js';
import { createLogger, type Logger } from '../../../src/log/index.js';
import type { TestCluster } from './test-cluster.js';

// The set-up the bot's integration stories share (github-deployments, github-rules,
// hostile-contributor, gitops-seed, gitops-kustomize-prune, gitops-guarantees, metric-hosts-plan): the local
// GitHub with real git behind it, the bot in this process deploying to the test cluster,
// the installation and its people, and the repository they deploy from.

type Environments = GradualConfig['repositories'][number]['environments'];

/** The local GitHub (git: true) and the bot in this process, its webhooks pointed at the bot. */
export async function startGithubAndBot(options: {
  cluster: Pick<TestCluster, 'kubeconfigPath'>;
  owner: string;
  /** The repositories' environments (default: every environment on the test cluster, as the bot's own identity). */
  environments?: Environments;
  /** More of the bot's config (dashboardUrl, …). */
  config?: Partial<GradualConfig>;
  logger?: Logger;
  clonesPrefix?: string;
  kustomizeBinary?: string;
  githubRetryAfterBaseMs?: number;
}): Promise<{ github: TestGithub; bot: RunningBot }> {
  const github = await startTestGithub({ git: true });
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
      clusters: { local: { kubeconfig: options.cluster.kubeconfigPath } },
      repositories: [{ match: `${options.owner}/*`, environments: options.environments ?? { '*': 'local' } }],
      cacheDir: await mkdtemp(join(tmpdir(), options.clonesPrefix ?? 'gradual-clones-')),
      ...options.config,
    },
    logger: options.logger ?? createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' }),
    ...(options.kustomizeBinary !== undefined && { kustomizeBinary: options.kustomizeBinary }),
    ...(options.githubRetryAfterBaseMs !== undefined && { githubRetryAfterBaseMs: options.githubRetryAfterBaseMs }),
  });
  github.setWebhookUrl(bot.url);
  return { github, bot };
}

/** The app's installation on `owner`, one person per login with the role given (and the teams), each with a token. */
export async function seedPeople<Login extends string>(
  github: TestGithub,
  owner: string,
  roles: Record<Login, CollaboratorPermission>,
  teams: readonly { slug: string; members: string[] }[] = [],
): Promise<Record<Login, Person>> {
  const tokens = await github.server.update((state) => {
    const now = new Date();
    seedInstallation(state, owner, now);
    for (const team of teams) seedTeam(state, { org: owner, ...team });
    return Object.fromEntries(
      Object.entries<CollaboratorPermission>(roles).map(([login, role]) => [login, seedPerson(state, { login, role, now })]),
    );
  });
  return Object.fromEntries(
    Object.keys(roles).map((login) => [login, { login, token: tokens[login] ?? '', apiUrl: github.server.url }]),
  ) as Record<Login, Person>;
}

/** Creates `owner/repo` as `admin` with `files` (path → text) as its first commit, then gives the collaborators their roles. */
export async function createRepository(
  github: TestGithub,
  admin: Person,
  options: {
    owner: string;
    repo: string;
    files: Record<string, string>;
    collaborators?: Record<string, CollaboratorPermission>;
    folder?: string;
  },
): Promise<void> {
  const folder = options.folder ?? (await mkdtemp(join(tmpdir(), `gradual-${options.repo}-repo-`)));
  for (const [path, text] of Object.entries(options.files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  await createRepositoryFromFolder(admin, { owner: options.owner, repo: options.repo, folder });
  const collaborators = options.collaborators ?? {};
  if (Object.keys(collaborators).length === 0) return;
  await github.server.update((state) => {
    const repository = state.repositories.find((candidate) => candidate.name === options.repo);
    if (repository !== undefined) Object.assign(repository.collaborators, collaborators);
  });
}

/** A policy of one environment deploying `apps/**\/*.yaml` into the namespace. */
export function oneEnvironmentPolicy(environment: string, namespace: string): string {
  return `environments:\n  - name: ${environment}\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`;
}

/** Waits for the first push to main, applied by drift correction: the Rollout's first revision Healthy. */
export async function untilFirstRevisionHealthy(cluster: Pick<TestCluster, 'untilRollout'>, name = 'web'): Promise<void> {
  await cluster.untilRollout(
    name,
    'the first revision to be Healthy',
    (rollout) => rollout.status?.phase === 'Healthy' && rollout.status.stableRS === rollout.status.currentPodHash,
  );
}
