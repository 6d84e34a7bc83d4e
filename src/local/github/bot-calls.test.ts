import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, close, comment, openPullRequest, pressCheckRunButton, pushBranch, type Person } from './person.js';
import { countRequests } from './request-log.js';
import { seedUserToken } from './seed.js';
import type { TestGithub } from './testing.js';
import { deliveriesDuring, appOctokit, personOn, startGithubWithRepository, type Delivered } from './testing-calls.js';

/**
 * Every call the bot (issue 9) makes, through @octokit/rest as the
 * installation, and every webhook it listens to, with the fields it reads:
 * each response is checked against GitHub's description by the server
 * (violations fail the test) and each payload against the webhook schemas.
 */
const owner = 'acme';
const repo = 'delivery';

let github: TestGithub;
let app: Octokit;
let alice: Person;
let bob: Person;
let carol: Person;
let dave: Person;
let installationId: number;
let number: number;
let head: string;

function during(act: () => Promise<unknown>): Promise<Delivered[]> {
  return deliveriesDuring(github, act);
}

beforeAll(async () => {
  let people;
  ({ github, app, installationId, people } = await startGithubWithRepository({
    owner,
    repo,
    files: { '.gradual.yml': 'environments:\n  staging: {}\n', 'rollout.yaml': 'kind: Rollout\nimage: web:v1\n' },
    people: { bob: 'write', carol: 'read' },
  }));
  ({ alice, bob, carol } = people);
  // A signed-in user with no role on the repository.
  dave = personOn(github, 'dave', await github.server.update((state) => seedUserToken(state, 'dave', new Date())));
  head = await pushBranch(bob, {
    owner,
    repo,
    branch: 'web-v2',
    files: { 'rollout.yaml': 'kind: Rollout\nimage: web:v2\n' },
    message: 'web v2',
  });
  number = await openPullRequest(bob, { owner, repo, head: 'web-v2', title: 'web v2' });
}, 90_000);

afterAll(async () => {
  await github.stop();
});

describe('the calls and webhooks the bot relies on', { timeout: 60_000 }, () => {
  it('installation: finds the installation with the app JWT and mints a token that works', async () => {
    const asApp = appOctokit(github);
    const found = await asApp.rest.apps.getRepoInstallation({ owner, repo });
    expect(found.data.id).toBe(installationId);
    const token = await asApp.rest.apps.createInstallationAccessToken({ installation_id: installationId });
    const withToken = new Octokit({ baseUrl: github.server.url, auth: token.data.token });
    expect((await withToken.rest.repos.get({ owner, repo })).data.full_name).toBe(`${owner}/${repo}`);
    expect(github.violations).toEqual([]);
  });

  it('reads the policy from the default branch, the files, reviews and permissions of the pull request', async () => {
    const policy = await app.rest.repos.getContent({ owner, repo, path: '.gradual.yml', ref: 'main' });
    expect(Buffer.from((policy.data as { content: string }).content, 'base64').toString('utf8')).toContain('staging');
    expect((await app.rest.pulls.listFiles({ owner, repo, pull_number: number })).data.map((file) => file.filename)).toEqual([
      'rollout.yaml',
    ]);
    const reviewed = await during(() => approve(alice, { owner, repo, number }));
    expect(reviewed.map((item) => item.name)).toEqual(['pull_request_review.submitted']);
    const reviews = await app.rest.pulls.listReviews({ owner, repo, pull_number: number });
    expect(reviews.data.map((review) => [review.user?.login, review.state, review.commit_id])).toEqual([['alice', 'APPROVED', head]]);
    const levels = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map(
        async (username) => (await app.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username })).data.role_name,
      ),
    );
    expect(levels).toEqual(['admin', 'write', 'read', 'read']);
    expect(github.violations).toEqual([]);
  });

  it('issue_comment.created names the commenter and their author_association; the bot reacts (eyes, rocket, +1, confused) and pages through comments', async () => {
    const sent = await during(async () => {
      await comment(carol, { owner, repo, number, body: '/promote' });
      await comment(dave, { owner, repo, number, body: '/abort' });
    });
    expect(sent.map((item) => item.name)).toEqual(['issue_comment.created', 'issue_comment.created']);
    const commented = sent.map(
      (item) =>
        item.payload as {
          comment: { id: number; body: string; author_association: string; user: { login: string } };
          sender: { login: string };
          issue: { number: number };
        },
    );
    expect(
      commented.map((payload) => [
        payload.comment.body,
        payload.comment.user.login,
        payload.sender.login,
        payload.comment.author_association,
        payload.issue.number,
      ]),
    ).toEqual([
      ['/promote', 'carol', 'carol', 'COLLABORATOR', number],
      ['/abort', 'dave', 'dave', 'NONE', number],
    ]);
    const commentId = commented[0]?.comment.id ?? 0;
    for (const content of ['eyes', 'rocket', '+1', 'confused'] as const) {
      expect((await app.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content })).status).toBe(201);
    }
    const reactions = await app.rest.reactions.listForIssueComment({ owner, repo, comment_id: commentId });
    expect(reactions.data.map((reaction) => [reaction.content, reaction.user?.login])).toEqual([
      ['eyes', 'gradual[bot]'],
      ['rocket', 'gradual[bot]'],
      ['+1', 'gradual[bot]'],
      ['confused', 'gradual[bot]'],
    ]);

    const sticky = await app.rest.issues.createComment({ owner, repo, issue_number: number, body: '<!-- gradual:sticky -->\nPlanned' });
    for (let index = 0; index < 30; index += 1)
      await app.rest.issues.createComment({ owner, repo, issue_number: number, body: `event ${String(index)}` });
    const before = github.server.requestLog().at(-1)?.seq ?? 0;
    const all = await app.paginate(app.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 20 });
    expect(all).toHaveLength(33);
    expect(all.filter((item) => item.body?.startsWith('<!-- gradual:sticky -->') === true).map((item) => item.id)).toEqual([
      sticky.data.id,
    ]);
    expect(
      countRequests(
        github.server.requestLog().filter((entry) => entry.seq > before),
        { method: 'GET', route: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
      ),
    ).toBe(2);
    const edited = await during(() =>
      app.rest.issues.updateComment({ owner, repo, comment_id: sticky.data.id, body: '<!-- gradual:sticky -->\nDeployed' }),
    );
    expect(edited.map((item) => item.name)).toEqual(['issue_comment.edited']);
    expect(github.violations).toEqual([]);
  });

  it('check runs: output, annotations, actions; listed for the ref by check_name; a button press names the person who clicked', async () => {
    const plan = await app.rest.checks.create({
      owner,
      repo,
      name: 'gradual/plan',
      head_sha: head,
      conclusion: 'failure',
      output: {
        title: 'Invalid manifest',
        summary: 'one error',
        annotations: [{ path: 'rollout.yaml', start_line: 2, end_line: 2, annotation_level: 'failure', message: 'unknown field' }],
      },
    });
    const rollout = await app.rest.checks.create({
      owner,
      repo,
      name: 'gradual/rollout default/web',
      head_sha: head,
      status: 'in_progress',
      output: { title: 'Step 1 of 3', summary: '| step | weight |\n| --- | --- |\n| 1 | 20 |', text: 'timeline' },
      actions: [
        { label: 'Promote', description: 'Go to the next step', identifier: 'promote' },
        { label: 'Abort', description: 'Roll back to stable', identifier: 'abort' },
        { label: 'Retry', description: 'Start the rollout again', identifier: 'retry' },
      ],
    });
    const found = await app.rest.checks.listForRef({ owner, repo, ref: head, check_name: 'gradual/rollout default/web' });
    expect([found.data.total_count, found.data.check_runs.map((run) => run.id)]).toEqual([1, [rollout.data.id]]);
    expect((await app.rest.checks.listForRef({ owner, repo, ref: 'web-v2' })).data.check_runs.map((run) => run.id).sort()).toEqual(
      [plan.data.id, rollout.data.id].sort(),
    );
    expect(
      (await app.rest.checks.listAnnotations({ owner, repo, check_run_id: plan.data.id })).data.map((annotation) => annotation.start_line),
    ).toEqual([2]);
    const pressed = await during(() =>
      pressCheckRunButton({ apiUrl: github.server.url, login: 'carol', checkRunId: rollout.data.id, identifier: 'abort' }),
    );
    expect(pressed.map((item) => item.name)).toEqual(['check_run.requested_action']);
    const payload = pressed[0]?.payload as {
      requested_action: { identifier: string };
      sender: { login: string };
      check_run: { id: number; head_sha: string };
    };
    expect([payload.requested_action.identifier, payload.sender.login, payload.check_run.id, payload.check_run.head_sha]).toEqual([
      'abort',
      'carol',
      rollout.data.id,
      head,
    ]);
    await app.rest.repos.createCommitStatus({ owner, repo, sha: head, state: 'success', context: 'gradual/drift' });
    expect(
      (await app.rest.repos.getCombinedStatusForRef({ owner, repo, ref: head })).data.statuses.map((status) => [
        status.context,
        status.state,
      ]),
    ).toEqual([['gradual/drift', 'success']]);
    expect(github.violations).toEqual([]);
  });

  it('pull_request closed unmerged and reopened, synchronize on push, and a push to the default branch with pusher and head_commit, each with a delivery id', async () => {
    const sent = await during(async () => {
      await close(bob, { owner, repo, number });
      await new Octokit({ baseUrl: github.server.url, auth: bob.token }).rest.pulls.update({
        owner,
        repo,
        pull_number: number,
        state: 'open',
      });
      await pushBranch(bob, {
        owner,
        repo,
        branch: 'web-v2',
        files: { 'rollout.yaml': 'kind: Rollout\nimage: web:v3\n' },
        message: 'web v3',
      });
      await pushBranch(alice, { owner, repo, branch: 'main', files: { 'hotfix.yaml': 'kind: ConfigMap\n' }, message: 'hotfix on main' });
    });
    expect(sent.map((item) => item.name).filter((name) => !name.startsWith('check_suite'))).toEqual([
      'pull_request.closed',
      'pull_request.reopened',
      'push.undefined',
      'pull_request.synchronize',
      'push.undefined',
    ]);
    const closed = sent[0]?.payload as { pull_request: { merged: boolean; state: string } };
    expect([closed.pull_request.state, closed.pull_request.merged]).toEqual(['closed', false]);
    const push = sent.filter((item) => item.name === 'push.undefined').at(-1)?.payload as {
      ref: string;
      pusher: { name: string };
      head_commit: { id: string; message: string };
      after: string;
    };
    expect([push.ref, push.pusher.name, push.head_commit.message, push.head_commit.id]).toEqual([
      'refs/heads/main',
      'alice',
      'hotfix on main',
      push.after,
    ]);
    expect(new Set(sent.map((item) => item.delivery)).size).toBe(sent.length);
    expect(sent.every((item) => /^[0-9a-f-]{36}$/.test(item.delivery))).toBe(true);
    expect(github.violations).toEqual([]);
  });
});
