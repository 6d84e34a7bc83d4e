import type { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merge, openPullRequest, pushBranch, setBranchProtection, type Person } from './person.js';
import { countRequests, fetchRequestLog } from './request-log.js';
import type { TestGithub } from './testing.js';
import { bareGit as bareGitOf, deliveriesDuring, refusal, startGithubWithRepository, type Delivered } from './testing-calls.js';

const owner = 'acme';
const repo = 'manifests';

let github: TestGithub;
let app: Octokit;
let alice: Person;
let installationId: number;

function bareGit(...args: string[]): string {
  return bareGitOf(github, owner, repo, ...args);
}

/** The webhooks sent while `act` ran, as `event.action` with their payloads. */
function during(act: () => Promise<unknown>): Promise<Delivered[]> {
  return deliveriesDuring(github, act);
}

beforeAll(async () => {
  let people;
  ({ github, app, installationId, people } = await startGithubWithRepository({
    owner,
    repo,
    files: { 'rollout.yaml': 'kind: Rollout\nimage: web:v1\n' },
  }));
  ({ alice } = people);
}, 60_000);

afterAll(async () => {
  await github.stop();
});

// Each step runs git processes and the whole request pipeline; on two loaded cores that takes seconds.
describe(
  'branches, commits and comparisons from git; rebase merges; strict protection; deployments; the request log',
  { timeout: 60_000 },
  () => {
    it('gets a branch, a commit with its files, and a three-dot comparison', async () => {
      const main = bareGit('rev-parse', 'refs/heads/main');
      const head = await pushBranch(alice, {
        owner,
        repo,
        branch: 'v2',
        files: { 'rollout.yaml': 'kind: Rollout\nimage: web:v2\n', 'service.yaml': 'kind: Service\n' },
        message: 'web v2',
      });

      const branch = await app.rest.repos.getBranch({ owner, repo, branch: 'v2' });
      expect([
        branch.data.name,
        branch.data.commit.sha,
        branch.data.commit.commit.message,
        branch.data.commit.author?.login,
        branch.data.protected,
      ]).toEqual(['v2', head, 'web v2', 'alice', false]);
      expect(await refusal(app.rest.repos.getBranch({ owner, repo, branch: 'nope' }))).toEqual({
        status: 404,
        message: 'Branch not found',
      });

      const commit = await app.rest.repos.getCommit({ owner, repo, ref: 'v2' });
      expect([commit.data.sha, commit.data.parents.map((parent) => parent.sha), commit.data.stats]).toEqual([
        head,
        [main],
        { additions: 2, deletions: 1, total: 3 },
      ]);
      expect(commit.data.files?.map((file) => [file.filename, file.status])).toEqual([
        ['rollout.yaml', 'modified'],
        ['service.yaml', 'added'],
      ]);
      const root = await app.rest.repos.getCommit({ owner, repo, ref: main });
      expect(root.data.files?.map((file) => [file.filename, file.status])).toEqual([['rollout.yaml', 'added']]);
      expect(await refusal(app.rest.repos.getCommit({ owner, repo, ref: 'f'.repeat(40) }))).toMatchObject({ status: 422 });

      const ahead = await app.rest.repos.compareCommits({ owner, repo, base: 'main', head: 'v2' });
      expect([
        ahead.data.status,
        ahead.data.ahead_by,
        ahead.data.behind_by,
        ahead.data.merge_base_commit.sha,
        ahead.data.commits.map((item) => item.sha),
      ]).toEqual(['ahead', 1, 0, main, [head]]);
      const behind = await app.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `v2...main` });
      expect([behind.data.status, behind.data.ahead_by, behind.data.behind_by, behind.data.files]).toEqual(['behind', 0, 1, []]);
      expect(github.violations).toEqual([]);
    });

    it('refuses a merge with strict checks while the head is behind the base, and rebase-merges the head commits onto the base', async () => {
      await setBranchProtection(alice, { owner, repo, branch: 'main', requiredChecks: [], requiredApprovals: 0, strict: true });
      expect((await app.rest.repos.getBranch({ owner, repo, branch: 'main' })).data.protected).toBe(true);
      const number = await openPullRequest(alice, { owner, repo, head: 'v2', title: 'web v2' });
      await pushBranch(alice, { owner, repo, branch: 'v2', files: { 'README.md': 'web\n' }, message: 'notes' });
      // main moves on: the pull request is now behind it.
      const movedMain = await pushBranch(alice, {
        owner,
        repo,
        branch: 'main',
        files: { 'configmap.yaml': 'kind: ConfigMap\n' },
        message: 'config',
      });
      expect((await app.rest.pulls.get({ owner, repo, pull_number: number })).data.mergeable_state).toBe('behind');
      expect(await refusal(merge(alice, { owner, repo, number, method: 'rebase' }))).toEqual({
        status: 405,
        message: 'Head branch is not up to date with the base branch',
      });
      expect(bareGit('rev-parse', 'refs/heads/main')).toBe(movedMain);

      // Bring the head up to date with a merge of main (as "Update branch" does), then rebase-merge.
      const head = bareGit('rev-parse', 'refs/heads/v2');
      const tree = bareGit('merge-tree', '--write-tree', movedMain, head).split('\n')[0] ?? '';
      const updated = bareGit('commit-tree', tree, '-p', head, '-p', movedMain, '-m', 'Merge main into v2');
      bareGit('update-ref', 'refs/heads/v2', updated, head);
      await github.server.syncGit({ repository: `${owner}/${repo}` });
      expect((await app.rest.pulls.get({ owner, repo, pull_number: number })).data.mergeable_state).toBe('clean');
      let sha = '';
      const sent = await during(async () => {
        sha = await merge(alice, { owner, repo, number, method: 'rebase' });
      });
      expect(sent.map((item) => item.name)).toEqual(['pull_request.closed', 'push.undefined', 'check_suite.requested']);
      // The two commits of the branch (not the merge) replayed on main: linear, authors kept, GitHub the committer.
      expect(bareGit('rev-parse', 'refs/heads/main')).toBe(sha);
      expect(bareGit('log', '--format=%s|%an|%cn|%P', `${movedMain}..${sha}`).split('\n')).toEqual([
        `notes|alice|GitHub|${bareGit('rev-parse', `${sha}~1`)}`,
        `web v2|alice|GitHub|${movedMain}`,
      ]);
      expect(bareGit('show', `${sha}:rollout.yaml`)).toContain('web:v2');
      expect(bareGit('show', `${sha}:configmap.yaml`)).toContain('ConfigMap');
      const push = sent[1]?.payload as { commits: unknown[]; head_commit: { id: string }; pusher: { name: string } };
      expect([push.commits.length, push.head_commit.id, push.pusher.name]).toEqual([2, sha, 'alice']);
      expect((sent[0]?.payload as { pull_request: { merged: boolean } }).pull_request.merged).toBe(true);
      expect(github.violations).toEqual([]);
    });

    it('sends deployment.created and deployment_status.created, validated against the webhook schemas', async () => {
      const sha = bareGit('rev-parse', 'refs/heads/main');
      let deploymentId = 0;
      const sent = await during(async () => {
        const deployment = await app.rest.repos.createDeployment({
          owner,
          repo,
          ref: 'main',
          environment: 'staging',
          required_contexts: [],
          auto_merge: false,
          payload: { pull: 1 },
        });
        deploymentId = (deployment.data as { id: number }).id;
        await app.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: deploymentId,
          state: 'in_progress',
          log_url: 'http://127.0.0.1/log',
        });
        await app.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: deploymentId, state: 'success' });
      });
      expect(sent.map((item) => item.name)).toEqual(['deployment.created', 'deployment_status.created', 'deployment_status.created']);
      const created = sent[0]?.payload as {
        deployment: { id: number; sha: string; environment: string; payload: unknown; performed_via_github_app: { id: number } | null };
        sender: { login: string };
      };
      expect([
        created.deployment.id,
        created.deployment.sha,
        created.deployment.environment,
        created.deployment.payload,
        created.deployment.performed_via_github_app?.id,
      ]).toEqual([deploymentId, sha, 'staging', { pull: 1 }, github.appId]);
      const status = sent[2]?.payload as { deployment_status: { state: string }; deployment: { id: number } };
      expect([status.deployment_status.state, status.deployment.id]).toEqual(['success', deploymentId]);
      expect(github.violations).toEqual([]);
    });

    it('logs every API request by its OpenAPI route, for tests that count calls', async () => {
      const before = github.server.requestLog().at(-1)?.seq ?? 0;
      await app.rest.repos.get({ owner, repo });
      await app.rest.repos.get({ owner, repo });
      expect(await refusal(app.rest.repos.getBranch({ owner, repo, branch: 'missing' }))).toMatchObject({ status: 404 });
      const log = github.server.requestLog().filter((entry) => entry.seq > before);
      expect(countRequests(log, { method: 'GET', route: '/repos/{owner}/{repo}' })).toBe(2);
      expect(countRequests(log, { method: 'GET', route: '/repos/{owner}/{repo}/branches/{branch}', status: 404 })).toBe(1);
      expect(log.every((entry) => entry.caller === `installation:${String(installationId)}`)).toBe(true);
      // The same log over HTTP, for a server in another process (`local up`).
      const served = await fetchRequestLog(github.server.url, before);
      expect(served.map((entry) => [entry.method, entry.route, entry.operationId, entry.status])).toEqual([
        ['GET', '/repos/{owner}/{repo}', 'repos/get', 200],
        ['GET', '/repos/{owner}/{repo}', 'repos/get', 200],
        ['GET', '/repos/{owner}/{repo}/branches/{branch}', 'repos/get-branch', 404],
      ]);
    });
  },
);
