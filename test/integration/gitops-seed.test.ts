import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import type { RunningBot } from '../../src/gitops/index.js';
import { deployerIdentity } from '../../src/gitops/deployer-rbac.js';
import { installDeployer } from '../../src/gitops/install-deployer.js';
import {
  close,
  comment,
  merge,
  openPullRequest,
  pressCheckRunButton,
  pushBranch,
  setBranchProtection,
  type Person,
} from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { createRepository, oneEnvironmentPolicy, seedPeople, startGithubAndBot, untilFirstRevisionHealthy } from './support/bot-story.js';
import { startMetricBackend, type MetricBackend } from './support/metric-backend.js';
import { seedAnalysisYaml, seedRolloutYaml } from './support/seed-story.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The seed story on a pull request, end to end: the local GitHub (every request and response
// checked against GitHub's OpenAPI description) with real git behind it, the bot as a process
// would run it (Probot, signed webhooks), the engine and the analysis controller on the real
// control plane, and the real Prometheus scraping a backend whose error ratio the test sets.
const cluster = testCluster('gitops-seed');
withRolloutController(cluster);
const { namespace } = cluster;
const environment = inject('gradualEnv');
const owner = 'acme';
const repo = 'deploys';
const checkName = `gradual/rollout ${namespace}/web`;

let github: TestGithub;
let bot: RunningBot;
let runs: AnalysisRunController;
let backend: MetricBackend;
let alice: Person;
let bob: Person;
let carol: Person;

function rolloutYaml(image: string): string {
  return seedRolloutYaml(image);
}

function templateYaml(query: string): string {
  return seedAnalysisYaml(environment.prometheus.url, query);
}

function octokitFor(person: Person): Octokit {
  return new Octokit({ baseUrl: person.apiUrl, auth: person.token });
}

async function checkRun(
  sha: string,
  name: string,
): Promise<{ id: number; status: string; conclusion: string | null; title: string; summary: string } | undefined> {
  const found = await octokitFor(alice).rest.checks.listForRef({ owner, repo, ref: sha, check_name: name });
  const run = found.data.check_runs[0];
  return run === undefined
    ? undefined
    : { id: run.id, status: run.status, conclusion: run.conclusion, title: run.output.title ?? '', summary: run.output.summary ?? '' };
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
      what: `${name} on ${sha.slice(0, 7)}: ${what} (last: ${JSON.stringify(last === undefined ? null : { status: last.status, conclusion: last.conclusion, title: last.title })})`,
      timeoutMs: 90_000,
      intervalMs: 200,
    },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

async function reactionsOn(commentId: number): Promise<string[]> {
  const reactions = await octokitFor(alice).rest.reactions.listForIssueComment({ owner, repo, comment_id: commentId });
  return reactions.data.map((reaction) => reaction.content);
}

async function comments(number: number): Promise<{ id: number; body: string; login: string }[]> {
  const list = await octokitFor(alice).rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 });
  return list.data.map((item) => ({ id: item.id, body: item.body ?? '', login: item.user?.login ?? '' }));
}

beforeAll(async () => {
  backend = await startMetricBackend(environment.prometheus.targetsDir);
  runs = createAnalysisRunController({ kubeConfig: cluster.kubeConfig, namespace, logger: createLogger({ level: 'warn' }) });
  await runs.start();
  await installDeployer(cluster.kubeConfig, namespace);
  // As installed: the environment deploys as its namespace's deployer (impersonated), not as the test's administrator.
  ({ github, bot } = await startGithubAndBot({
    cluster,
    owner,
    environments: { '*': { cluster: 'local', impersonate: deployerIdentity(namespace) } },
  }));
  ({ alice, bob, carol } = await seedPeople(github, owner, { alice: 'admin', bob: 'write', carol: 'read' }));
  await createRepository(github, alice, {
    owner,
    repo,
    files: {
      '.gradual.yml': oneEnvironmentPolicy('production', namespace),
      'apps/web/rollout.yaml': rolloutYaml('example.test/web:blue'),
      'apps/web/analysis.yaml': templateYaml(backend.successRatioQuery('4s')),
    },
    collaborators: { bob: 'write', carol: 'read' },
  });
  await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [checkName], requiredApprovals: 0 });
  await untilFirstRevisionHealthy(cluster);
}, 180_000);

afterAll(async () => {
  await bot.stop();
  await runs.stop();
  await github.stop();
  await backend.stop();
});

describe('the seed scenario on a pull request', { timeout: 300_000 }, () => {
  it('plans the image change, pauses for a person, takes /promote from a writer, passes the analysis and lets the merge through', async () => {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'yellow',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:yellow') },
      message: 'web: yellow',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'yellow', title: 'Roll out yellow' });

    const plan = await untilCheck(sha, 'gradual/plan', 'the plan', (run) => run.status === 'completed');
    expect(plan.conclusion).toBe('success');
    expect(plan.summary).toContain('spec.template.spec.containers[name=web].image');
    expect(plan.summary).toContain('example.test/web:yellow');

    const paused = await untilCheck(sha, checkName, 'paused for a person at step 2', (run) => run.conclusion === 'action_required');
    expect(paused.title).toMatch(/Step 2\/6/u);

    // carol only reads: refused with a reason, nothing changes.
    const refusedId = await comment(carol, { owner, repo, number, body: '/promote' });
    await waitUntil(async () => (await reactionsOn(refusedId)).includes('confused'), { what: 'the refusal', timeoutMs: 30_000 });
    const replies = await comments(number);
    expect(replies.some((reply) => reply.body.includes('/promote') && reply.body.includes('write') && reply.body.includes('carol'))).toBe(
      true,
    );
    expect((await cluster.readRollout('web')).status?.currentStepIndex).toBe(1);

    const promoteId = await comment(bob, { owner, repo, number, body: '/promote' });
    await waitUntil(async () => (await reactionsOn(promoteId)).includes('rocket'), { what: '🚀 on /promote', timeoutMs: 30_000 });
    expect(await reactionsOn(promoteId)).toEqual(['eyes', 'rocket']);

    const done = await untilCheck(
      sha,
      checkName,
      'success after the analysis',
      (run) => run.status === 'completed' && run.conclusion === 'success',
    );
    expect(done.summary).toContain('success-rate');
    // GitHub never reopens a completed run (src/local/github/README.md, "GitHub's rules"): the paused run is still
    // completed/action_required, and the gate is a newer run of the same name on the same head that ended success.
    const history = (
      await octokitFor(alice).rest.checks.listForRef({ owner, repo, ref: sha, check_name: checkName, filter: 'all', per_page: 100 })
    ).data.check_runs
      .map((run) => ({ id: run.id, status: run.status, conclusion: run.conclusion }))
      .sort((a, b) => a.id - b.id);
    expect(history.find((run) => run.id === paused.id)).toEqual({ id: paused.id, status: 'completed', conclusion: 'action_required' });
    expect(history.at(-1)).toEqual({ id: done.id, status: 'completed', conclusion: 'success' });
    expect(done.id).toBeGreaterThan(paused.id);
    const mergedSha = await merge(alice, { owner, repo, number });
    expect(mergedSha).toMatch(/^[0-9a-f]{40}$/u);
    expect(github.violations).toEqual([]);
  });

  it('a failing backend: the analysis fails, the check names the metric, its values and its condition, a comment says so, and the merge is refused', async () => {
    backend.setErrorRatio(0.65);
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'red',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:red') },
      message: 'web: red',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'red', title: 'Roll out red' });
    await untilCheck(sha, checkName, 'paused for a person', (run) => run.conclusion === 'action_required');
    await comment(bob, { owner, repo, number, body: '/promote' });

    const failed = await untilCheck(sha, checkName, 'failure on the analysis', (run) => run.conclusion === 'failure');
    expect(`${failed.title}\n${failed.summary}`).toContain('success-rate');
    expect(failed.summary).toContain('result[0] >= 0.90');
    expect(failed.summary).toMatch(/0\.3\d/u);
    await waitUntil(async () => (await comments(number)).some((item) => /abort/iu.test(item.body) && item.body.includes('success-rate')), {
      what: 'a comment about the abort',
      timeoutMs: 30_000,
    });
    const refusal = await octokitFor(alice)
      .rest.pulls.merge({ owner, repo, pull_number: number })
      .then(
        () => undefined,
        (error: unknown) => (error as { status: number }).status,
      );
    expect(refusal).toBe(405);
    expect(github.violations).toEqual([]);
    backend.setErrorRatio(0);
  });

  it('closing the aborted pull request unmerged rolls the environment back to main; an invalid manifest fails the plan at its line and applies nothing', async () => {
    const open = (await octokitFor(alice).rest.pulls.list({ owner, repo, state: 'open' })).data.map((pull) => pull.number);
    expect(open).toHaveLength(1);
    await close(bob, { owner, repo, number: open[0] ?? 0 });
    await cluster.untilRollout(
      'web',
      'back on main (yellow) and Healthy',
      (rollout) => rollout.spec.template?.spec?.containers?.[0]?.image === 'example.test/web:yellow' && rollout.status?.phase === 'Healthy',
    );
    const before = await cluster.readRollout('web');

    // Line 17 of the file: an unknown field of the Rollout's spec.
    const broken = `# web, green\n${rolloutYaml('example.test/web:green')}`.replace('  strategy:\n', '  paused_: false\n  strategy:\n');
    expect(broken.split('\n')[16]).toBe('  paused_: false');
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'green',
      files: { 'apps/web/rollout.yaml': broken },
      message: 'web: green (typo)',
    });
    await openPullRequest(bob, { owner, repo, head: 'green', title: 'Roll out green' });
    const plan = await untilCheck(sha, 'gradual/plan', 'the failed plan', (run) => run.status === 'completed');
    expect(plan.conclusion).toBe('failure');
    const annotations = await octokitFor(alice).rest.checks.listAnnotations({ owner, repo, check_run_id: plan.id });
    expect(annotations.data.map((annotation) => [annotation.path, annotation.start_line])).toContainEqual(['apps/web/rollout.yaml', 17]);
    // Nothing applied: the spec and its generation are as they were (the engine may still write the status).
    const after = await cluster.readRollout('web');
    expect([after.metadata?.generation, after.spec]).toEqual([before.metadata?.generation, before.spec]);
    expect(github.violations).toEqual([]);
  });

  it('the Abort button on the rollout check aborts the canary, with the clicker’s permission', async () => {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'purple',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:purple') },
      message: 'web: purple',
    });
    await openPullRequest(bob, { owner, repo, head: 'purple', title: 'Roll out purple' });
    const paused = await untilCheck(sha, checkName, 'paused for a person', (run) => run.conclusion === 'action_required');
    await pressCheckRunButton({ apiUrl: github.server.url, login: 'bob', checkRunId: paused.id, identifier: 'abort' });
    // The button's patch sets status.abort; the controller's next reconcile makes the phase Degraded. Between the two
    // the Rollout is abort: true and still Paused, so the wait is for the state the controller writes.
    const aborted = await cluster.untilRollout(
      'web',
      'aborted by the button and Degraded',
      (rollout) => rollout.status?.abort === true && rollout.status.phase === 'Degraded',
    );
    expect(aborted.status?.phase).toBe('Degraded');
    expect(aborted.status?.message).toMatch(/abort/iu);
    const failed = await untilCheck(sha, checkName, 'failure after the abort', (run) => run.conclusion === 'failure');
    expect(failed.title).toMatch(/abort/iu);
    expect(github.violations).toEqual([]);
  });

  it('a forged webhook (bad signature) is refused with 400 and changes nothing', async () => {
    const requestsBefore = github.server.requestLog().at(-1)?.seq ?? 0;
    const response = await fetch(bot.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'forged-1',
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({
        action: 'created',
        issue: { number: 1, pull_request: {} },
        comment: { id: 1, body: '/abort' },
        sender: { login: 'mallory', type: 'User' },
      }),
    });
    expect(response.status).toBe(400);
    // The bot keeps reporting the earlier pull requests in the background (the abort just before this test is still
    // being written to its comment), so the count of all requests may move; what must not appear is any call the
    // forged /abort would cause: mallory's permission read, a reaction to the comment, a comment or label on pull 1.
    const caused = github.server
      .requestLog()
      .filter((entry) => entry.seq > requestsBefore)
      .filter(
        (entry) =>
          entry.path.includes('/mallory') ||
          entry.path.includes('/issues/comments/1/') ||
          (entry.method !== 'GET' && /\/(?:issues|pulls)\/1(?:\/|$)/u.test(entry.path)),
      );
    expect(caused).toEqual([]);
  });
});
