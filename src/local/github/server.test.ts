import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUserToken } from './seed.js';
import type { TestGithub } from './testing.js';
import { appOctokit, rawCall, startGithubWithPullRequest, type RawAnswer, type RawInit } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';
const headSha = 'a'.repeat(40);

let github: TestGithub;
let installationId: number;
let octokit: Octokit;
let personToken: string;

function annotations(
  count: number,
  from = 0,
): { path: string; start_line: number; end_line: number; annotation_level: 'warning'; message: string }[] {
  return Array.from({ length: count }, (_, index) => ({
    path: 'rollout.yaml',
    start_line: from + index + 1,
    end_line: from + index + 1,
    annotation_level: 'warning',
    message: `finding ${String(from + index)}`,
  }));
}

function raw(path: string, init?: RawInit): Promise<RawAnswer> {
  return rawCall(github, path, init);
}

beforeAll(async () => {
  ({ github, installationId } = await startGithubWithPullRequest({
    owner,
    repo,
    collaborators: { alice: 'maintain', bob: 'read' },
    title: 'Roll out v2',
    head: { ref: 'v2', sha: headSha },
    files: [
      { filename: 'apps/web/rollout.yaml', additions: 3, deletions: 1, patch: '@@ -1 +1,3 @@' },
      { filename: 'apps/web/service.yaml', status: 'added', additions: 12 },
    ],
  }));
  const now = new Date();
  personToken = await github.server.update((state) => seedUserToken(state, 'alice', now));
  octokit = appOctokit(github, installationId);
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe('the local GitHub, through @octokit/rest unchanged', () => {
  it('lists the pull request files and reads the pull request and repository', async () => {
    const files = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 1 });
    expect(files.data.map((file) => [file.filename, file.status, file.changes])).toEqual([
      ['apps/web/rollout.yaml', 'modified', 4],
      ['apps/web/service.yaml', 'added', 12],
    ]);
    const pull = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    expect(pull.data.head.sha).toBe(headSha);
    const repository = await octokit.rest.repos.get({ owner, repo });
    expect(repository.data.full_name).toBe(`${owner}/${repo}`);
    expect(github.violations).toEqual([]);
  });

  it('creates and updates a check run with 120 annotations in batches of 50, and refuses 51 in one request', async () => {
    const created = await octokit.rest.checks.create({
      owner,
      repo,
      name: 'gradual/rollout',
      head_sha: headSha,
      status: 'in_progress',
      output: { title: 'Rolling out', summary: 'step 1', annotations: annotations(50) },
    });
    const id = created.data.id;
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      output: { title: 'Rolling out', summary: 'step 2', annotations: annotations(50, 50) },
    });
    const refused = await octokit.rest.checks
      .update({ owner, repo, check_run_id: id, output: { title: 'x', summary: 'too many', annotations: annotations(51, 100) } })
      .then(
        () => undefined,
        (error: unknown) => error as { status: number; response: { data: { message: string } } },
      );
    expect(refused?.status).toBe(422);
    expect(refused?.response.data.message).toMatch(/^Invalid request\.\n\n/);
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      conclusion: 'success',
      output: { title: 'Done', summary: 'all steps', annotations: annotations(20, 100) },
      actions: [{ label: 'Abort', description: 'Abort the rollout', identifier: 'abort' }],
    });
    const listed = await octokit.paginate(octokit.rest.checks.listAnnotations, { owner, repo, check_run_id: id, per_page: 100 });
    expect(listed).toHaveLength(120);
    expect(listed.map((annotation) => annotation.message)).toEqual(Array.from({ length: 120 }, (_, index) => `finding ${String(index)}`));
    const run = await octokit.rest.checks.get({ owner, repo, check_run_id: id });
    expect(run.data).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      output: { summary: 'all steps', annotations_count: 120 },
    });
    const forRef = await octokit.rest.checks.listForRef({ owner, repo, ref: headSha });
    expect(forRef.data.check_runs.map((checkRun) => checkRun.id)).toEqual([id]);
    expect(github.violations).toEqual([]);
  });

  it('creates and edits a comment, adds a reaction, and reads a collaborator permission', async () => {
    const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'Rollout started' });
    expect(comment.data.user?.login).toBe('gradual[bot]');
    const edited = await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.data.id, body: 'Rollout at 20%' });
    expect(edited.data.body).toBe('Rollout at 20%');
    const person = new Octokit({ baseUrl: github.server.url, auth: personToken });
    const reaction = await person.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.data.id, content: 'rocket' });
    expect(reaction.status).toBe(201);
    const again = await person.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.data.id, content: 'rocket' });
    expect(again.status).toBe(200);
    const listed = await octokit.rest.issues.listComments({ owner, repo, issue_number: 1 });
    expect(listed.data.find((item) => item.id === comment.data.id)).toMatchObject({
      body: 'Rollout at 20%',
      reactions: { rocket: 1, total_count: 1 },
    });
    const alice = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'alice' });
    expect([alice.data.permission, alice.data.role_name]).toEqual(['write', 'maintain']);
    const bob = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'bob' });
    expect(bob.data.permission).toBe('read');
    expect(github.violations).toEqual([]);
  });

  it('sends rate-limit headers on every response and serves GET /rate_limit', async () => {
    const first = await octokit.rest.rateLimit.get();
    const second = await octokit.rest.rateLimit.get();
    expect(Number(first.headers['x-ratelimit-limit'])).toBe(5000);
    expect(Number(second.headers['x-ratelimit-remaining'])).toBe(Number(first.headers['x-ratelimit-remaining']) - 1);
    const anonymous = await raw('/rate_limit');
    expect(anonymous.headers.get('x-ratelimit-limit')).toBe('60');
    expect(github.violations).toEqual([]);
  });

  it('keeps commit statuses and combines them', async () => {
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha: headSha, state: 'pending', context: 'ci' });
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha: headSha, state: 'success', context: 'ci' });
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: headSha });
    expect([combined.data.state, combined.data.total_count]).toEqual(['success', 1]);
    expect(github.violations).toEqual([]);
  });

  it("creates deployments only when the commit's contexts passed, and keeps their statuses", async () => {
    const sha = 'd'.repeat(40);
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha, state: 'failure', context: 'ci' });
    const refused = await octokit.rest.repos.createDeployment({ owner, repo, ref: sha, environment: 'staging' }).then(
      () => undefined,
      (error: unknown) => (error as { status: number }).status,
    );
    expect(refused).toBe(409);
    await octokit.rest.repos.createCommitStatus({ owner, repo, sha, state: 'success', context: 'ci' });
    const deployment = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: sha,
      environment: 'staging',
      payload: { rollout: 'web' },
    });
    expect(deployment.status).toBe(201);
    const id = (deployment.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: id, state: 'in_progress' });
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state: 'success',
      environment_url: 'http://web.local',
    });
    const statuses = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: id });
    expect(statuses.data.map((status) => status.state)).toEqual(['success', 'in_progress']);
    const listed = await octokit.rest.repos.listDeployments({ owner, repo, environment: 'staging' });
    expect(listed.data.map((item) => [item.id, item.sha, item.payload])).toEqual([[id, sha, { rollout: 'web' }]]);
    expect(github.violations).toEqual([]);
  });
});
