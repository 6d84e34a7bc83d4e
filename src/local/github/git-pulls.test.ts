import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, forkRepository, merge, openPullRequest, pushBranch, setBranchProtection, type Person } from './person.js';
import type { TestGithub } from './testing.js';
import { bareGit as bareGitOf, deliveriesDuring, refusal, startGithubWithRepository, type Delivered } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';
const check = 'gradual/rollout';

let github: TestGithub;
let app: Octokit;
let alice: Person;
let bob: Person;
let mallory: Person;

function during(act: () => Promise<unknown>): Promise<Delivered[]> {
  return deliveriesDuring(github, act);
}

function bareGit(...args: string[]): string {
  return bareGitOf(github, owner, repo, ...args);
}

beforeAll(async () => {
  let people;
  ({ github, app, people } = await startGithubWithRepository({
    owner,
    repo,
    files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: web:v1\n' },
    people: { bob: 'write' },
    // An outside contributor: a token that can push her own fork and open pull requests, and no role on the repository.
    outsiders: { mallory: 'write' },
  }));
  ({ alice, bob, mallory } = people);
}, 60_000);

afterAll(async () => {
  await github.stop();
});

// Every step runs git processes and the whole request pipeline; on two loaded cores that takes seconds.
describe('git-backed pull requests', { timeout: 60_000 }, () => {
  it('opens a pull request from a pushed branch, lists its files from git, and sends synchronize with the new head on git push', async () => {
    const first = await pushBranch(alice, {
      owner,
      repo,
      branch: 'v2',
      files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: web:v2\n' },
      message: 'web v2',
    });
    const opened = await during(() => openPullRequest(alice, { owner, repo, head: 'v2', title: 'Roll out web v2' }));
    expect(opened.map((item) => `${item.event}.${String(item.action)}`)).toEqual(['pull_request.opened']);
    const files = await app.rest.pulls.listFiles({ owner, repo, pull_number: 1 });
    expect(files.data.map((file) => [file.filename, file.status, file.additions, file.deletions])).toEqual([
      ['apps/web/rollout.yaml', 'modified', 1, 1],
    ]);
    expect(files.data[0]?.patch).toContain('+image: web:v2');

    let second = '';
    const pushed = await during(async () => {
      second = await pushBranch(bob, {
        owner,
        repo,
        branch: 'v2',
        files: { 'apps/web/service.yaml': 'kind: Service\n' },
        message: 'add the service',
      });
    });
    expect(pushed.map((item) => `${item.event}.${String(item.action)}`)).toEqual([
      'push.undefined',
      'check_suite.requested',
      'pull_request.synchronize',
    ]);
    expect((pushed[1]?.payload as { check_suite: { head_sha: string; head_branch: string } }).check_suite).toMatchObject({
      head_sha: second,
      head_branch: 'v2',
    });
    const synchronize = pushed[2]?.payload as {
      before: string;
      after: string;
      pull_request: { head: { sha: string } };
      sender: { login: string };
    };
    expect([synchronize.before, synchronize.after, synchronize.pull_request.head.sha, synchronize.sender.login]).toEqual([
      first,
      second,
      second,
      'bob',
    ]);
    const push = pushed[0]?.payload as { ref: string; before: string; after: string; commits: { id: string; added: string[] }[] };
    expect([push.ref, push.before, push.after, push.commits.map((commit) => [commit.id, commit.added])]).toEqual([
      'refs/heads/v2',
      first,
      second,
      [[second, ['apps/web/service.yaml']]],
    ]);
    const pull = await app.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect([pull.data.head.sha, pull.data.commits, pull.data.changed_files, pull.data.mergeable_state]).toEqual([second, 2, 2, 'clean']);

    // Branches, refs, commits and contents come from the bare repository.
    const branches = await app.rest.repos.listBranches({ owner, repo });
    expect(branches.data.map((branch) => [branch.name, branch.commit.sha])).toEqual([
      ['main', bareGit('rev-parse', 'main')],
      ['v2', second],
    ]);
    const ref = await app.rest.git.getRef({ owner, repo, ref: 'heads/v2' });
    expect(ref.data.object.sha).toBe(second);
    const commit = await app.rest.git.getCommit({ owner, repo, commit_sha: second });
    expect([commit.data.message, commit.data.parents.map((parent) => parent.sha), commit.data.author.name]).toEqual([
      'add the service',
      [first],
      'bob',
    ]);
    const file = await app.rest.repos.getContent({ owner, repo, path: 'apps/web/rollout.yaml', ref: 'v2' });
    expect(Buffer.from((file.data as { content: string }).content, 'base64').toString('utf8')).toBe('kind: Rollout\nimage: web:v2\n');
    const folder = await app.rest.repos.getContent({ owner, repo, path: 'apps/web', ref: 'v2' });
    expect((folder.data as { name: string }[]).map((entry) => entry.name)).toEqual(['rollout.yaml', 'service.yaml']);
    expect(await refusal(app.rest.repos.getContent({ owner, repo, path: 'missing.yaml' }))).toMatchObject({ status: 404 });
    expect(github.violations).toEqual([]);
  });

  it('refuses to merge while a required check is in progress or failing or approvals are missing, and merges into the bare repository when they pass', async () => {
    await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [check], requiredApprovals: 1 });
    const head = (await app.rest.pulls.get({ owner, repo, pull_number: 1 })).data.head.sha;
    const mainBefore = bareGit('rev-parse', 'refs/heads/main');
    const run = await app.rest.checks.create({ owner, repo, name: check, head_sha: head, status: 'in_progress' });
    expect(await refusal(merge(alice, { owner, repo, number: 1 }))).toEqual({
      status: 405,
      message: `Required status check "${check}" is expected.`,
    });
    expect((await app.rest.pulls.get({ owner, repo, pull_number: 1 })).data.mergeable_state).toBe('blocked');
    await app.rest.checks.update({ owner, repo, check_run_id: run.data.id, conclusion: 'failure' });
    expect(await refusal(merge(alice, { owner, repo, number: 1 }))).toEqual({
      status: 405,
      message: `Required status check "${check}" is failing.`,
    });
    await app.rest.checks.create({ owner, repo, name: check, head_sha: head, conclusion: 'success' });
    expect(await refusal(merge(alice, { owner, repo, number: 1 }))).toEqual({
      status: 405,
      message: 'At least 1 approving review is required by reviewers with write access.',
    });
    expect(bareGit('rev-parse', 'refs/heads/main')).toBe(mainBefore);
    expect(await refusal(approve(alice, { owner, repo, number: 1 }))).toMatchObject({ status: 422 });

    const reviewed = await during(() => approve(bob, { owner, repo, number: 1 }));
    expect(reviewed.map((item) => `${item.event}.${String(item.action)}`)).toEqual(['pull_request_review.submitted']);
    let sha = '';
    const merged = await during(async () => {
      sha = await merge(alice, { owner, repo, number: 1 });
    });
    expect(merged.map((item) => `${item.event}.${String(item.action)}`)).toEqual([
      'pull_request.closed',
      'push.undefined',
      'check_suite.requested',
    ]);
    expect((merged[0]?.payload as { pull_request: { merged: boolean; merge_commit_sha: string } }).pull_request).toMatchObject({
      merged: true,
      merge_commit_sha: sha,
    });
    expect(bareGit('rev-parse', 'refs/heads/main')).toBe(sha);
    expect(bareGit('rev-list', '--parents', '-n', '1', sha).split(' ')).toEqual([sha, mainBefore, head]);
    expect(bareGit('show', `${sha}:apps/web/rollout.yaml`)).toContain('image: web:v2');
    expect(github.violations).toEqual([]);
  });

  it('sends edited, closed and reopened; completes the check suite when its last run completes; passes on rerequests', async () => {
    await pushBranch(alice, {
      owner,
      repo,
      branch: 'v4',
      files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: web:v4\n' },
      message: 'web v4',
    });
    const number = await openPullRequest(alice, { owner, repo, head: 'v4', title: 'web v4' });
    const person = new Octokit({ baseUrl: github.server.url, auth: alice.token });
    const changed = await during(async () => {
      await person.rest.pulls.update({ owner, repo, pull_number: number, title: 'Roll out web v4' });
      await person.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed' });
      await person.rest.pulls.update({ owner, repo, pull_number: number, state: 'open' });
    });
    expect(changed.map((item) => `${item.event}.${String(item.action)}`)).toEqual([
      'pull_request.edited',
      'pull_request.closed',
      'pull_request.reopened',
    ]);
    expect((changed[0]?.payload as { changes: unknown }).changes).toEqual({ title: { from: 'web v4' } });

    const head = (await app.rest.pulls.get({ owner, repo, pull_number: number })).data.head.sha;
    const suites = await during(async () => {
      const first = await app.rest.checks.create({ owner, repo, name: 'lint', head_sha: head, status: 'in_progress' });
      await app.rest.checks.create({ owner, repo, name: 'plan', head_sha: head, conclusion: 'success' });
      await app.rest.checks.update({ owner, repo, check_run_id: first.data.id, conclusion: 'failure' });
      await person.rest.checks.rerequestRun({ owner, repo, check_run_id: first.data.id });
    });
    expect(suites.map((item) => `${item.event}.${String(item.action)}`)).toEqual([
      'check_run.created',
      'check_run.created',
      'check_run.completed',
      'check_run.completed',
      'check_suite.completed',
      'check_run.rerequested',
    ]);
    const suite = (suites[4]?.payload as { check_suite: { id: number; conclusion: string; head_sha: string } }).check_suite;
    expect([suite.conclusion, suite.head_sha]).toEqual(['failure', head]);
    expect((suites[5]?.payload as { sender: { login: string } }).sender.login).toBe('alice');
    const fetched = await app.rest.checks.getSuite({ owner, repo, check_suite_id: suite.id });
    expect([fetched.data.status, fetched.data.conclusion, fetched.data.latest_check_runs_count, fetched.data.head_commit.message]).toEqual([
      'completed',
      'failure',
      2,
      'web v4',
    ]);
    expect((await app.rest.checks.listForSuite({ owner, repo, check_suite_id: suite.id })).data.total_count).toBe(2);
    expect(github.violations).toEqual([]);
  });

  it('squash-merges into one commit with a single parent', async () => {
    await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [], requiredApprovals: 0 });
    const mainBefore = bareGit('rev-parse', 'refs/heads/main');
    await pushBranch(alice, {
      owner,
      repo,
      branch: 'v3',
      files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: web:v3\n' },
      message: 'web v3',
    });
    await pushBranch(alice, { owner, repo, branch: 'v3', files: { 'apps/web/README.md': 'v3\n' }, message: 'notes' });
    const number = await openPullRequest(alice, { owner, repo, head: 'v3', title: 'Roll out web v3' });
    const sha = await merge(bob, { owner, repo, number, method: 'squash' });
    expect(bareGit('rev-list', '--parents', '-n', '1', sha).split(' ')).toEqual([sha, mainBefore]);
    expect(bareGit('log', '-1', '--format=%s', sha)).toBe(`Roll out web v3 (#${String(number)})`);
    const pull = await app.rest.pulls.get({ owner, repo, pull_number: number });
    expect([pull.data.state, pull.data.merged, pull.data.merged_by?.login]).toEqual(['closed', true, 'bob']);
    expect(github.violations).toEqual([]);
  });

  it('a pull request from a fork: its head is the fork’s, GitHub’s refs/pull/N/head holds it in the base repository, and a push to the fork synchronizes it', async () => {
    expect(await forkRepository(mallory, { owner, repo })).toBe(`mallory/${repo}`);
    // The app is installed on acme only: the fork is read with its owner's token.
    const fork = await new Octokit({ baseUrl: github.server.url, auth: mallory.token }).rest.repos.get({ owner: 'mallory', repo });
    expect([fork.data.fork, fork.data.parent?.full_name]).toEqual([true, `${owner}/${repo}`]);
    const first = await pushBranch(mallory, {
      owner: 'mallory',
      repo,
      branch: 'evil',
      files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: evil:1\n' },
      message: 'evil 1',
    });
    let number = 0;
    const opened = await during(async () => {
      number = await openPullRequest(mallory, { owner, repo, head: 'mallory:evil', base: 'main', title: 'From a fork' });
    });
    const payload = opened.find((item) => item.event === 'pull_request')?.payload as {
      pull_request: {
        head: { label: string; sha: string; repo: { full_name: string; fork: boolean } };
        base: { repo: { full_name: string } };
      };
    };
    expect([
      payload.pull_request.head.label,
      payload.pull_request.head.sha,
      payload.pull_request.head.repo.full_name,
      payload.pull_request.head.repo.fork,
      payload.pull_request.base.repo.full_name,
    ]).toEqual(['mallory:evil', first, `mallory/${repo}`, true, `${owner}/${repo}`]);
    expect(bareGit('rev-parse', `refs/pull/${String(number)}/head`)).toBe(first);
    // The fork's branch is not a branch of the base repository.
    expect((await app.rest.repos.listBranches({ owner, repo })).data.map((branch) => branch.name)).not.toContain('evil');

    let second = '';
    const pushed = await during(async () => {
      second = await pushBranch(mallory, {
        owner: 'mallory',
        repo,
        branch: 'evil',
        files: { 'apps/web/rollout.yaml': 'kind: Rollout\nimage: evil:2\n' },
        message: 'evil 2',
      });
    });
    const synchronize = pushed.find((item) => item.event === 'pull_request' && item.action === 'synchronize')?.payload as {
      repository: { full_name: string };
      pull_request: { number: number; head: { sha: string } };
    };
    expect([synchronize.repository.full_name, synchronize.pull_request.number, synchronize.pull_request.head.sha]).toEqual([
      `${owner}/${repo}`,
      number,
      second,
    ]);
    expect(bareGit('rev-parse', `refs/pull/${String(number)}/head`)).toBe(second);
    const files = await app.rest.pulls.listFiles({ owner, repo, pull_number: number });
    expect(files.data.map((file) => file.filename)).toEqual(['apps/web/rollout.yaml']);
    expect(github.violations).toEqual([]);
  });
});
