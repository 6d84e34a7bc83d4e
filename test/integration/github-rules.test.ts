import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/gitops/index.js';
import { isStickyComment } from '../../src/gitops/report/index.js';
import { close, comment, merge, openPullRequest, pushBranch, setBranchProtection, type Person } from '../../src/local/github/person.js';
import type { TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createRepository, oneEnvironmentPolicy, seedPeople, startGithubAndBot, untilFirstRevisionHealthy } from './support/bot-story.js';
import { canaryRolloutYaml } from './support/rollout-yaml.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The merge gate survives a pause on a GitHub that keeps completed check runs as they are
// (src/local/github/README.md, "GitHub's rules"): the rollout check paused `action_required`
// cannot go back to in_progress, so the bot starts a new run of the same name on the same
// head, and branch protection reads that newest run.
const cluster = testCluster('github-rules');
withRolloutController(cluster);
const { namespace } = cluster;
const owner = 'acme';
const repo = 'rules';
const checkName = `gradual/rollout ${namespace}/web`;

let github: TestGithub;
let bot: RunningBot;
let alice: Person;
let bob: Person;
let dave: Person;
let erin: Person;

function rolloutYaml(image: string): string {
  return canaryRolloutYaml({ image, replicas: 3, steps: ['setWeight: 30', 'pause: {}', 'setWeight: 100'] });
}

interface Run {
  id: number;
  status: string;
  conclusion: string | null;
}

/** Every run of the check on the commit, oldest first (`filter=all`: the history, not only the gate). */
async function history(sha: string): Promise<Run[]> {
  const found = await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.checks.listForRef({
    owner,
    repo,
    ref: sha,
    check_name: checkName,
    filter: 'all',
    per_page: 100,
  });
  return found.data.check_runs.map((run) => ({ id: run.id, status: run.status, conclusion: run.conclusion })).sort((a, b) => a.id - b.id);
}

async function untilLatest(sha: string, what: string, predicate: (run: Run) => boolean): Promise<Run[]> {
  let runs: Run[] = [];
  await waitUntil(
    async () => {
      runs = await history(sha);
      const latest = runs.at(-1);
      return latest !== undefined && predicate(latest);
    },
    { what: `${checkName} on ${sha.slice(0, 7)}: ${what} (runs: ${JSON.stringify(runs)})`, timeoutMs: 90_000, intervalMs: 200 },
  );
  return runs;
}

beforeAll(async () => {
  // retry-after and the retry back-off count 20 ms per second here, so an injected `retry-after: 1` does not sleep a second.
  ({ github, bot } = await startGithubAndBot({ cluster, owner, githubRetryAfterBaseMs: 20 }));
  ({ alice, bob, dave, erin } = await seedPeople(github, owner, { alice: 'admin', bob: 'write', dave: 'write', erin: 'write' }, [
    { slug: 'deployers', members: ['dave'] },
  ]));
  await createRepository(github, alice, {
    owner,
    repo,
    files: { '.gradual.yml': oneEnvironmentPolicy('production', namespace), 'apps/web/rollout.yaml': rolloutYaml('example.test/web:blue') },
    collaborators: { bob: 'write', dave: 'write', erin: 'write' },
  });
  await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [checkName], requiredApprovals: 0 });
  await untilFirstRevisionHealthy(cluster);
}, 180_000);

afterAll(async () => {
  await bot.stop();
  await github.stop();
});

describe('the merge gate on GitHub that keeps completed check runs', { timeout: 300_000 }, () => {
  it('a manual pause is a completed action_required run; /promote starts a new run of the same name that ends success, and the merge goes through', async () => {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'green',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:green') },
      message: 'web: green',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'green', title: 'Roll out green' });

    const paused = await untilLatest(sha, 'paused for a person', (run) => run.conclusion === 'action_required');
    const pausedRun = paused.at(-1);
    const refused = await new Octokit({ baseUrl: alice.apiUrl, auth: alice.token }).rest.pulls
      .merge({ owner, repo, pull_number: number })
      .then(
        () => undefined,
        (error: unknown) => (error as { status: number }).status,
      );
    expect(refused).toBe(405);

    await comment(bob, { owner, repo, number, body: '/promote' });
    const runs = await untilLatest(sha, 'success after /promote', (run) => run.status === 'completed' && run.conclusion === 'success');

    // The history: the paused run is still completed/action_required (GitHub never changed it), a newer run ended success.
    const pausedAfter = runs.find((run) => run.id === pausedRun?.id);
    expect(pausedAfter).toEqual({ id: pausedRun?.id, status: 'completed', conclusion: 'action_required' });
    const last = runs.at(-1);
    expect(last?.id).toBeGreaterThan(pausedRun?.id ?? Infinity);
    expect(runs.slice(runs.indexOf(pausedAfter ?? (runs[0] as Run))).map((run) => run.conclusion)).toEqual(['action_required', 'success']);
    // No run is left behind running: every run before the last is completed.
    expect(runs.every((run) => run.status === 'completed')).toBe(true);

    const mergedSha = await merge(alice, { owner, repo, number });
    expect(mergedSha).toMatch(/^[0-9a-f]{40}$/u);
    expect(github.violations).toEqual([]);
  });

  it('a command rule naming a team: a member may /promote; a writer outside the team is refused with the reason and nothing moves', async () => {
    const policy = `commands:\n  promote:\n    teams: ['${owner}/deployers']\nenvironments:\n  - name: production\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`;
    await pushBranch(alice, {
      owner,
      repo,
      branch: 'main',
      files: { '.gradual.yml': policy },
      message: 'promote is kept to the deployers',
    });
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'teal',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:teal') },
      message: 'web: teal',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'teal', title: 'Roll out teal' });
    await untilLatest(sha, 'paused for a person', (run) => run.conclusion === 'action_required');
    const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
    const reactions = async (id: number): Promise<string[]> =>
      (await octokit.rest.reactions.listForIssueComment({ owner, repo, comment_id: id })).data.map((reaction) => reaction.content);

    const refused = await comment(erin, { owner, repo, number, body: '/promote' });
    await waitUntil(async () => (await reactions(refused)).includes('confused'), { what: 'the refusal of erin', timeoutMs: 30_000 });
    const replies = (await octokit.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 })).data.map(
      (item) => item.body ?? '',
    );
    expect(replies.some((body) => body.includes(`@${owner}/deployers`) && body.includes('erin'))).toBe(true);
    expect((await cluster.readRollout('web')).status?.pauseConditions?.length).toBe(1);

    const promoted = await comment(dave, { owner, repo, number, body: '/promote' });
    await waitUntil(async () => (await reactions(promoted)).includes('rocket'), { what: '🚀 on dave’s /promote', timeoutMs: 30_000 });
    await untilLatest(sha, 'success after dave’s /promote', (run) => run.conclusion === 'success');
    // The bot asked GitHub about the team (its membership endpoint), with the installation's token.
    expect(
      github.server
        .requestLog()
        .some(
          (entry) => entry.route === '/orgs/{org}/teams/{team_slug}/memberships/{username}' && entry.caller.startsWith('installation:'),
        ),
    ).toBe(true);
    expect(github.violations).toEqual([]);
  });

  it('under a secondary rate limit the bot waits retry-after and catches up: nothing lost, nothing doubled', async () => {
    const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
    // The team test's pull request still holds the environment: close it so this one deploys.
    const open = (await octokit.rest.pulls.list({ owner, repo, state: 'open' })).data;
    for (const pull of open) await close(alice, { owner, repo, number: pull.number });
    const sha = await pushBranch(dave, {
      owner,
      repo,
      branch: 'amber',
      files: { 'apps/web/rollout.yaml': rolloutYaml('example.test/web:amber') },
      message: 'web: amber',
    });
    const since = github.server.requestLog().at(-1)?.seq ?? 0;
    const number = await openPullRequest(dave, { owner, repo, head: 'amber', title: 'Roll out amber' });
    // From here only the bot writes until the refusals are used up: five, fewer than the retries one request is allowed (5), so none is dropped by design.
    const refusals = 5;
    github.server.secondaryRateLimit({ refuse: refusals, retryAfterSeconds: 1 });
    const refused = (): number =>
      github.server.requestLog().filter((entry) => entry.seq > since && (entry.status === 403 || entry.status === 429)).length;
    await waitUntil(() => Promise.resolve(refused() >= refusals), {
      what: `${String(refusals)} bot writes refused by the secondary rate limit (refused so far: ${String(refused())})`,
      timeoutMs: 60_000,
    });
    await untilLatest(sha, 'paused for a person', (run) => run.conclusion === 'action_required');
    await comment(dave, { owner, repo, number, body: '/promote' });
    await untilLatest(sha, 'success after /promote', (run) => run.conclusion === 'success');
    // The server can be idle while the bot sleeps out a retry-after before its next attempt (a refused sticky-comment
    // POST is retried a second later), so wait for the bot's comments to catch up before counting them.
    const botCommentBodies = async (): Promise<string[]> =>
      (await octokit.rest.issues.listComments({ owner, repo, issue_number: number, per_page: 100 })).data
        .filter((item) => item.user?.type === 'Bot')
        .map((item) => item.body ?? '');
    await waitUntil(async () => (await botCommentBodies()).some((body) => isStickyComment(body)), {
      what: 'the sticky comment, after the refused writes were retried',
      timeoutMs: 30_000,
    });
    await github.server.idle();

    // Slowed down: every refusal was waited for and retried, logged and counted by the bot.
    expect(refused()).toBe(refusals);
    const metric = (await bot.metrics.getMetricsAsJSON()).find((candidate) => candidate.name === 'gradual_github_rate_limited_total');
    expect(metric?.values.filter((value) => value.labels['kind'] === 'secondary').reduce((sum, value) => sum + value.value, 0)).toBe(
      refusals,
    );
    // Caught up, nothing doubled: one plan run, one deploy run, the rollout check paused then a new run that ended success.
    const runs = (await octokit.rest.checks.listForRef({ owner, repo, ref: sha, filter: 'all', per_page: 100 })).data.check_runs;
    const byName = (name: string): string[] =>
      runs
        .filter((run) => run.name === name)
        .sort((a, b) => a.id - b.id)
        .map((run) => `${run.status}/${run.conclusion ?? ''}`);
    expect(byName('gradual/plan')).toEqual(['completed/success']);
    expect(byName('gradual/deploy production')).toEqual(['completed/success']);
    expect(byName(checkName)).toEqual(['completed/action_required', 'completed/success']);
    // The bot's comments: one sticky comment, and no body twice (no notice or reply lost and posted again).
    const botComments = await botCommentBodies();
    expect(botComments.length).toBeGreaterThan(0);
    expect(new Set(botComments).size).toBe(botComments.length);
    expect(botComments.filter((body) => isStickyComment(body))).toHaveLength(1);
    expect(github.violations).toEqual([]);
  });
});
