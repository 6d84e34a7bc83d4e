import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPerson, seedTeam } from './seed.js';
import type { TestGithub } from './testing.js';
import { appJwt, rawCall, startGithubWithPullRequest, type RawAnswer, type RawInit } from './testing-calls.js';

/**
 * One test per rule in README.md ("GitHub's rules"): what GitHub answers, asserted on the
 * answer and on what the local GitHub then holds. Shapes are checked by the server itself
 * (every response against GitHub's description; `violations` stays empty).
 */

const owner = 'acme';
const repo = 'deploys';
const headSha = 'c'.repeat(40);

let github: TestGithub;
let installationId: number;
let token: string;
let commentId: number;
let writer: string;

function call(path: string, init?: RawInit): Promise<RawAnswer> {
  return rawCall(github, path, init);
}

const checkRuns = `/repos/${owner}/${repo}/check-runs`;
const action = { label: 'Promote', description: 'Go on to the next step', identifier: 'promote' };

async function createRun(body: Record<string, unknown>): Promise<number> {
  const created = await call(checkRuns, { method: 'POST', token, body: { head_sha: headSha, ...body } });
  expect(created.status).toBe(201);
  return Number(created.body['id']);
}

beforeAll(async () => {
  ({ github, installationId } = await startGithubWithPullRequest({ owner, repo, title: 'Roll out v4', head: { ref: 'v4', sha: headSha } }));
  writer = await github.server.update((state) =>
    seedPerson(state, { login: 'wanda', role: 'write', repository: { owner, name: repo }, now: new Date() }),
  );
  const minted = await call(`/app/installations/${String(installationId)}/access_tokens`, { method: 'POST', token: await appJwt(github) });
  token = String(minted.body['token']);
  const comment = await call(`/repos/${owner}/${repo}/issues/1/comments`, { method: 'POST', token: writer, body: { body: '/promote' } });
  expect(comment.status).toBe(201);
  commentId = Number(comment.body['id']);
}, 60_000);

afterAll(async () => {
  expect(github.violations).toEqual([]);
  await github.stop();
});

describe("GitHub's rules, as the local GitHub answers them", () => {
  it('a completed check run keeps its status and conclusion: the update is answered 200 and changes neither; its output still changes', async () => {
    const id = await createRun({
      name: 'gradual/rollout',
      status: 'completed',
      conclusion: 'action_required',
      output: { title: 'Paused', summary: 'waiting' },
    });
    const completedAt = github.server.state().checkRuns.find((run) => run.id === id)?.completedAt;
    const back = await call(`${checkRuns}/${String(id)}`, {
      method: 'PATCH',
      token,
      body: { status: 'in_progress', output: { title: 'Promoted', summary: 'going on' } },
    });
    expect(back.status).toBe(200);
    expect(back.body['status']).toBe('completed');
    expect(back.body['conclusion']).toBe('action_required');
    expect((back.body['output'] as { title: string }).title).toBe('Promoted');
    const other = await call(`${checkRuns}/${String(id)}`, {
      method: 'PATCH',
      token,
      body: { conclusion: 'success', completed_at: '2030-01-01T00:00:00Z' },
    });
    expect(other.status).toBe(200);
    const stored = github.server.state().checkRuns.find((run) => run.id === id);
    expect({ status: stored?.status, conclusion: stored?.conclusion, completedAt: stored?.completedAt }).toEqual({
      status: 'completed',
      conclusion: 'action_required',
      completedAt,
    });
    const read = await call(`${checkRuns}/${String(id)}`, { token });
    expect(read.body['conclusion']).toBe('action_required');
  });

  it('a run that is not completed yet may still complete (queued → in_progress → completed), and sends check_run.completed once', async () => {
    const id = await createRun({ name: 'gradual/plan', status: 'queued' });
    expect((await call(`${checkRuns}/${String(id)}`, { method: 'PATCH', token, body: { status: 'in_progress' } })).body['status']).toBe(
      'in_progress',
    );
    await github.server.idle();
    const before = github.received.length;
    const done = await call(`${checkRuns}/${String(id)}`, { method: 'PATCH', token, body: { conclusion: 'success' } });
    expect([done.body['status'], done.body['conclusion']]).toEqual(['completed', 'success']);
    await call(`${checkRuns}/${String(id)}`, { method: 'PATCH', token, body: { conclusion: 'failure' } });
    await github.server.idle();
    const completions = github.received
      .slice(before)
      .map((webhook) => JSON.parse(webhook.body) as { action: string; check_run?: { id: number } })
      .filter((payload) => payload.check_run?.id === id && payload.action === 'completed');
    expect(completions).toHaveLength(1);
  });

  it("the list of a commit's check runs (filter=latest, the default) shows the newest run of a name: a new run supersedes a completed one", async () => {
    await createRun({ name: 'gradual/latest', status: 'completed', conclusion: 'action_required' });
    const newer = await createRun({ name: 'gradual/latest', status: 'completed', conclusion: 'success' });
    const latest = await call(`/repos/${owner}/${repo}/commits/${headSha}/check-runs?check_name=gradual/latest`, { token });
    expect((latest.body['check_runs'] as { id: number }[]).map((run) => run.id)).toEqual([newer]);
    const all = await call(`/repos/${owner}/${repo}/commits/${headSha}/check-runs?check_name=gradual/latest&filter=all`, { token });
    expect((all.body['check_runs'] as { conclusion: string }[]).map((run) => run.conclusion)).toEqual(['success', 'action_required']);
  });

  it('at most 50 annotations per request (51 is a 422, nothing stored); more arrive over several updates', async () => {
    const annotation = { path: 'rollout.yaml', start_line: 1, end_line: 1, annotation_level: 'warning', message: 'm' };
    const before = github.server.state().checkRuns.length;
    const refused = await call(checkRuns, {
      method: 'POST',
      token,
      body: {
        name: 'a',
        head_sha: headSha,
        output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => annotation) },
      },
    });
    expect(refused.status).toBe(422);
    expect(github.server.state().checkRuns.length).toBe(before);
    const id = await createRun({
      name: 'a',
      output: { title: 't', summary: 's', annotations: Array.from({ length: 50 }, () => annotation) },
    });
    await call(`${checkRuns}/${String(id)}`, {
      method: 'PATCH',
      token,
      body: { output: { title: 't', summary: 's', annotations: Array.from({ length: 50 }, () => annotation) } },
    });
    expect(github.server.state().checkRuns.find((run) => run.id === id)?.annotations).toHaveLength(100);
  });

  it.each([
    ['four actions', { actions: [action, action, action, action] }],
    ['a label of 21 characters', { actions: [{ ...action, label: 'x'.repeat(21) }] }],
    ['a description of 41 characters', { actions: [{ ...action, description: 'x'.repeat(41) }] }],
    ['an identifier of 21 characters', { actions: [{ ...action, identifier: 'x'.repeat(21) }] }],
    ['a summary of 65,536 characters', { output: { title: 't', summary: 'x'.repeat(65_536) } }],
    ['a text of 65,536 characters', { output: { title: 't', summary: 's', text: 'x'.repeat(65_536) } }],
  ])('a check run with %s is a 422 and nothing is stored', async (_, body) => {
    const before = github.server.state().checkRuns.length;
    const refused = await call(checkRuns, { method: 'POST', token, body: { name: 'limits', head_sha: headSha, ...body } });
    expect(refused.status).toBe(422);
    expect(github.server.state().checkRuns.length).toBe(before);
  });

  it('at the limits (3 actions of 20/40/20 characters, 65,535-character summary and text) a check run is stored', async () => {
    const full = { label: 'l'.repeat(20), description: 'd'.repeat(40), identifier: 'i'.repeat(20) };
    await createRun({
      name: 'limits',
      actions: [full, full, full],
      output: { title: 't', summary: 'x'.repeat(65_535), text: 'y'.repeat(65_535) },
    });
  });

  it('a comment body of 65,537 characters is a 422 on create and on edit; 65,536 is stored', async () => {
    const comments = `/repos/${owner}/${repo}/issues/1/comments`;
    expect((await call(comments, { method: 'POST', token, body: { body: 'x'.repeat(65_537) } })).status).toBe(422);
    const edited = await call(`/repos/${owner}/${repo}/issues/comments/${String(commentId)}`, {
      method: 'PATCH',
      token,
      body: { body: 'x'.repeat(65_537) },
    });
    expect(edited.status).toBe(422);
    expect(github.server.state().issueComments.find((comment) => comment.id === commentId)?.body).toBe('/promote');
    expect((await call(comments, { method: 'POST', token, body: { body: 'x'.repeat(65_536) } })).status).toBe(201);
  });

  it('a reaction is one of the eight contents GitHub lists; anything else is a 422', async () => {
    const reactions = `/repos/${owner}/${repo}/issues/comments/${String(commentId)}/reactions`;
    for (const content of ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']) {
      expect((await call(reactions, { method: 'POST', token, body: { content } })).status).toBe(201);
    }
    for (const content of ['thumbsup', 'tada', 'ROCKET', '']) {
      expect((await call(reactions, { method: 'POST', token, body: { content } })).status).toBe(422);
    }
    expect(github.server.state().issueComments.find((comment) => comment.id === commentId)?.reactions).toHaveLength(8);
  });

  it("requested_action goes only to the app that created the run: a press on another app's run sends nothing to this app", async () => {
    const ours = await createRun({ name: 'ours', status: 'in_progress', actions: [action] });
    const theirs = await createRun({ name: 'theirs', status: 'in_progress', actions: [action] });
    await github.server.update((state) => {
      const run = state.checkRuns.find((candidate) => candidate.id === theirs);
      if (run !== undefined) run.appId = state.app.id + 1;
    });
    await github.server.idle();
    const before = github.received.length;
    await github.server.requestCheckRunAction({ checkRunId: theirs, identifier: 'promote', login: 'wanda' });
    await github.server.requestCheckRunAction({ checkRunId: ours, identifier: 'promote', login: 'wanda' });
    await github.server.idle();
    const requested = github.received
      .slice(before)
      .map((webhook) => JSON.parse(webhook.body) as { action: string; check_run: { id: number } })
      .filter((payload) => payload.action === 'requested_action');
    expect(requested.map((payload) => payload.check_run.id)).toEqual([ours]);
  });

  it('a secondary rate limit (injected) refuses content-creating requests with 403 and retry-after, stores nothing, lets reads through, then lifts', async () => {
    const comments = `/repos/${owner}/${repo}/issues/1/comments`;
    const before = github.server.state().issueComments.length;
    github.server.secondaryRateLimit({ refuse: 2, retryAfterSeconds: 7 });
    const response = await fetch(`${github.server.url}${comments}`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'hello' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(((await response.json()) as { message: string }).message).toMatch(/secondary rate limit/u);
    expect((await call(comments, { token })).status).toBe(200);
    expect((await call(checkRuns, { method: 'POST', token, body: { name: 'limited', head_sha: headSha } })).status).toBe(403);
    expect(github.server.state().issueComments.length).toBe(before);
    expect((await call(comments, { method: 'POST', token, body: { body: 'hello' } })).status).toBe(201);
    github.server.secondaryRateLimit({ refuse: 1, retryAfterSeconds: 1, status: 429 });
    expect((await call(comments, { method: 'POST', token, body: { body: 'again' } })).status).toBe(429);
    github.server.secondaryRateLimit(undefined);
    expect(github.server.state().issueComments.length).toBe(before + 1);
  });

  it('team membership: 200 active for a member, 404 for a non-member or an unknown team; an installation token without members: read is a 403', async () => {
    await github.server.update((state) => seedTeam(state, { org: owner, slug: 'deployers', members: ['dave'] }));
    const member = await call(`/orgs/${owner}/teams/deployers/memberships/dave`, { token });
    expect([member.status, member.body['state'], member.body['role']]).toEqual([200, 'active', 'member']);
    expect((await call(`/orgs/${owner}/teams/deployers/memberships/wanda`, { token })).status).toBe(404);
    expect((await call(`/orgs/${owner}/teams/nobody/memberships/dave`, { token })).status).toBe(404);
    const narrowed = await call(`/app/installations/${String(installationId)}/access_tokens`, {
      method: 'POST',
      token: await appJwt(github),
      body: { permissions: { checks: 'write' } },
    });
    expect((await call(`/orgs/${owner}/teams/deployers/memberships/dave`, { token: String(narrowed.body['token']) })).status).toBe(403);
  });

  it("GET /app/installations answers 200 in GitHub's shape (an organization account, with the app's JWT)", async () => {
    const listed = await call('/app/installations', { token: await appJwt(github) });
    expect(listed.status).toBe(200);
    expect(listed.body.map((installation) => (installation as { id: number; account: { login: string } }).account.login)).toEqual([owner]);
    const one = await call(`/app/installations/${String(installationId)}`, { token: await appJwt(github) });
    expect(one.status).toBe(200);
    expect(github.violations).toEqual([]);
  });
});
