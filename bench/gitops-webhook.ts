// Webhook to plan (issue 9): a push to a pull request's branch, from the moment the `synchronize`
// webhook reaches the bot to the moment GitHub tells the app its `gradual/plan` check completed on
// the new head — the check a person sees — with the bot's git fetch for that head taken out
// (benchmarked on its own in gitops-fetch.ts). The bot runs in this process against the local
// GitHub (OpenAPI-validated) and diffs against the live cluster of the local environment.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { startBot } from '../src/gitops/index.js';
import { createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../src/local/github/seed.js';
import { startTestGithub, type ReceivedWebhook } from '../src/local/github/testing.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { createLogger, type Logger } from '../src/log/index.js';
import type { Defer } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, percentile, row } from './report.js';

const owner = 'bench';
const repo = 'manifests';
const namespace = 'bench-gitops-webhook';

const webhookSchema = z.object({
  action: z.string().optional(),
  pull_request: z.object({ head: z.object({ sha: z.string() }) }).optional(),
  check_run: z.object({ name: z.string(), head_sha: z.string(), status: z.string() }).optional(),
});

function rolloutYaml(revision: number): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: example.test/web:${String(revision)}
  strategy:
    canary:
      steps:
        - setWeight: 50
        - pause: {}
`;
}

/** Sorted milliseconds: p50, p99 and max. */
function spread(sortedMs: number[]): string {
  return `p50 ${percentile(sortedMs, 50).toFixed(0)}, p99 ${percentile(sortedMs, 99).toFixed(0)}, max ${(sortedMs.at(-1) ?? Number.NaN).toFixed(0)}`;
}

/** The bot's `checkoutMs` per head SHA, read from its own log lines. */
function checkoutTimes(lines: string[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of lines) {
    const parsed = z
      .object({ msg: z.string(), headSha: z.string().optional(), checkoutMs: z.number().optional() })
      .safeParse(JSON.parse(line));
    if (
      parsed.success &&
      parsed.data.msg === 'manifests checked out' &&
      parsed.data.headSha !== undefined &&
      parsed.data.checkoutMs !== undefined
    )
      times.set(parsed.data.headSha, parsed.data.checkoutMs);
  }
  return times;
}

export async function benchWebhookToPlan(environment: LocalEnvironment, logger: Logger, defer: Defer, trials = 30): Promise<void> {
  header(`Webhook to plan check: ${String(trials)} pushes to a pull request (bot in-process, local GitHub, live diff)`);
  const kubeConfig = kubeConfigOf(environment);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const work = await mkdtemp(join(tmpdir(), 'gradual-bench-webhook-'));
  const github = await startTestGithub({ git: true });
  defer('the bench GitHub', async () => {
    await github.stop();
    await rm(work, { recursive: true, force: true });
  });
  const logLines: string[] = [];
  const botLog = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
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
      clusters: { local: { kubeconfig: environment.kubernetes.kubeconfig } },
      repositories: [{ match: `${owner}/*`, environments: { '*': 'local' } }],
      cacheDir: join(work, 'clones'),
    },
    logger: createLogger({ level: 'info', destination: botLog }),
  });
  defer('the bench bot', () => bot.stop());
  github.setWebhookUrl(bot.url);
  const tokens = await github.server.update((state) => {
    const now = new Date();
    seedInstallation(state, owner, now);
    return { admin: seedPerson(state, { login: 'ada', role: 'admin', now }) };
  });
  const ada: Person = { login: 'ada', token: tokens.admin, apiUrl: github.server.url };
  const folder = join(work, 'repository');
  await mkdir(join(folder, 'apps'), { recursive: true });
  await writeFile(
    join(folder, '.gradual.yml'),
    `environments:\n  - name: bench\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`,
  );
  await writeFile(join(folder, 'apps', 'rollout.yaml'), rolloutYaml(0));
  await createRepositoryFromFolder(ada, { owner, repo, folder });

  // One listener from the start: a webhook may arrive before the push that caused it returns.
  const pullAt = new Map<string, number>();
  const planAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  github.onWebhook((webhook: ReceivedWebhook) => {
    const payload = webhookSchema.safeParse(JSON.parse(webhook.body));
    if (!payload.success) return;
    const event = webhook.headers['x-github-event'];
    const headSha = payload.data.pull_request?.head.sha;
    if (event === 'pull_request' && headSha !== undefined && !pullAt.has(headSha)) pullAt.set(headSha, webhook.receivedAt);
    const check = payload.data.check_run;
    if (event === 'check_run' && check?.name === 'gradual/plan' && check.status === 'completed' && !planAt.has(check.head_sha)) {
      planAt.set(check.head_sha, webhook.receivedAt);
      waiters.get(check.head_sha)?.();
    }
  });
  const planned = (sha: string): Promise<void> =>
    planAt.has(sha)
      ? Promise.resolve()
      : new Promise((resolve) => {
          waiters.set(sha, resolve);
        });

  const totals: number[] = [];
  const withoutFetch: number[] = [];
  let pullNumber: number | undefined;
  // One warm-up push first (the first clone, the informers' first lists), then the measured ones.
  for (let trial = 0; trial <= trials; trial += 1) {
    const sha = await pushBranch(ada, {
      owner,
      repo,
      branch: 'change',
      files: { 'apps/rollout.yaml': rolloutYaml(trial + 1) },
      message: `web: ${String(trial + 1)}`,
    });
    pullNumber ??= await openPullRequest(ada, { owner, repo, head: 'change', title: 'bench' });
    await planned(sha);
    const webhookAt = pullAt.get(sha);
    const completedAt = planAt.get(sha);
    if (trial === 0 || webhookAt === undefined || completedAt === undefined) continue;
    const total = completedAt - webhookAt;
    totals.push(total);
    withoutFetch.push(total - (checkoutTimes(logLines).get(sha) ?? 0));
  }
  totals.sort((a, b) => a - b);
  withoutFetch.sort((a, b) => a - b);
  row('webhook received → plan check completed (ms)', spread(totals));
  row('  the same, without the git fetch of the new head (ms)', spread(withoutFetch));
  note(
    'from the synchronize delivery reaching the bot to the check_run webhook of the completed gradual/plan; every API call validated against GitHub’s OpenAPI description',
  );
  if (github.violations.length > 0)
    logger.warn({ violations: github.violations.length }, 'the local GitHub saw schema violations during the bench');
}
