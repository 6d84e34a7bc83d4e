import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRepository } from './seed.js';
import type { TestGithub } from './testing.js';
import { appJwt, rawCall, startGithubWithPullRequest, type RawAnswer, type RawInit } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';
const headSha = 'b'.repeat(40);

let github: TestGithub;
let installationId: number;
let token: string;

function call(path: string, init?: RawInit): Promise<RawAnswer> {
  return rawCall(github, path, init);
}

async function tokenWith(permissions?: Record<string, string>): Promise<string> {
  const response = await call(`/app/installations/${String(installationId)}/access_tokens`, {
    method: 'POST',
    token: await appJwt(github),
    ...(permissions !== undefined && { body: { permissions } }),
  });
  expect(response.status).toBe(201);
  return String(response.body['token']);
}

function stored(): { checkRuns: number; comments: number } {
  const state = github.server.state();
  return { checkRuns: state.checkRuns.length, comments: state.issueComments.length };
}

beforeAll(async () => {
  ({ github, installationId } = await startGithubWithPullRequest({ owner, repo, title: 'Roll out v3', head: { ref: 'v3', sha: headSha } }));
  token = await tokenWith();
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe('requests GitHub would refuse are refused the same way, and nothing is stored', () => {
  const checkRuns = `/repos/${owner}/${repo}/check-runs`;

  it('a missing required field is a 422 naming it', async () => {
    const before = stored();
    const response = await call(checkRuns, { method: 'POST', token, body: { name: 'gradual/rollout' } });
    expect(response.status).toBe(422);
    expect(response.body['message']).toBe('Invalid request.\n\n"head_sha" wasn\'t supplied.');
    expect(response.body['documentation_url']).toBe('https://docs.github.com/rest/reference/checks#create-a-check-run');
    expect(stored()).toEqual(before);
  });

  it('a wrong type is a 422 naming the property and the type', async () => {
    const before = stored();
    const response = await call(checkRuns, { method: 'POST', token, body: { name: 'gradual/rollout', head_sha: 42 } });
    expect(response.status).toBe(422);
    expect(response.body['message']).toBe("Invalid request.\n\nFor 'properties/head_sha', 42 is not a string.");
    expect(stored()).toEqual(before);
  });

  it('an unknown check-run conclusion is a 422', async () => {
    const before = stored();
    const response = await call(checkRuns, {
      method: 'POST',
      token,
      body: { name: 'gradual/rollout', head_sha: headSha, conclusion: 'great' },
    });
    expect(response.status).toBe(422);
    expect(response.body['message']).toMatch(/^Invalid request\.\n\nFor 'properties\/conclusion', "great" is not a member of \[/);
    expect(stored()).toEqual(before);
  });

  it('an over-long summary is a 422, and a summary at the limit is accepted', async () => {
    const before = stored();
    const tooLong = await call(checkRuns, {
      method: 'POST',
      token,
      body: { name: 'gradual/rollout', head_sha: headSha, output: { title: 't', summary: 'x'.repeat(65_536) } },
    });
    expect(tooLong.status).toBe(422);
    expect(stored()).toEqual(before);
    const atLimit = await call(checkRuns, {
      method: 'POST',
      token,
      body: { name: 'gradual/rollout', head_sha: headSha, output: { title: 't', summary: 'x'.repeat(65_535) } },
    });
    expect(atLimit.status).toBe(201);
    expect(stored().checkRuns).toBe(before.checkRuns + 1);
  });

  it('more than 3 actions, or an over-long action label, is a 422', async () => {
    const before = stored();
    const action = { label: 'Abort', description: 'Abort the rollout', identifier: 'abort' };
    const four = await call(checkRuns, {
      method: 'POST',
      token,
      body: { name: 'n', head_sha: headSha, actions: [action, action, action, action] },
    });
    expect(four.status).toBe(422);
    const longLabel = await call(checkRuns, {
      method: 'POST',
      token,
      body: { name: 'n', head_sha: headSha, actions: [{ ...action, label: 'x'.repeat(21) }] },
    });
    expect(longLabel.status).toBe(422);
    expect(stored()).toEqual(before);
  });

  it('a completed status without a conclusion is a 422', async () => {
    const before = stored();
    const response = await call(checkRuns, { method: 'POST', token, body: { name: 'n', head_sha: headSha, status: 'completed' } });
    expect(response.status).toBe(422);
    expect(stored()).toEqual(before);
  });

  it('a comment body over 65,536 characters is a 422; at the limit it is stored', async () => {
    const comments = `/repos/${owner}/${repo}/issues/1/comments`;
    const before = stored();
    const tooLong = await call(comments, { method: 'POST', token, body: { body: 'x'.repeat(65_537) } });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body['message']).toBe('Validation Failed');
    expect(stored()).toEqual(before);
    const atLimit = await call(comments, { method: 'POST', token, body: { body: 'x'.repeat(65_536) } });
    expect(atLimit.status).toBe(201);
    expect(stored().comments).toBe(before.comments + 1);
  });

  it('malformed JSON is a 400 "Problems parsing JSON"', async () => {
    const response = await call(checkRuns, { method: 'POST', token, body: '{"name":' });
    expect([response.status, response.body['message']]).toEqual([400, 'Problems parsing JSON']);
  });

  it('an unknown route is a 404', async () => {
    const response = await call(`/repos/${owner}/${repo}/no-such-thing`, { token });
    expect([response.status, response.body['message']]).toEqual([404, 'Not Found']);
  });

  it('a missing token is a 401 "Requires authentication"; a wrong one "Bad credentials"', async () => {
    const missing = await call(`/repos/${owner}/${repo}`);
    expect([missing.status, missing.body['message']]).toEqual([401, 'Requires authentication']);
    const wrong = await call(`/repos/${owner}/${repo}`, { token: 'ghs_notatoken' });
    expect([wrong.status, wrong.body['message']]).toEqual([401, 'Bad credentials']);
  });

  it('an expired or forged app JWT is a 401', async () => {
    const jwt = await appJwt(github);
    const [header, payload] = jwt.split('.');
    const forged = `${String(header)}.${String(payload)}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await call('/app', { token: forged })).status).toBe(401);
    const claims = JSON.parse(Buffer.from(String(payload), 'base64url').toString('utf8')) as Record<string, number>;
    const tooLong = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    // Re-signed is not possible without the key here; an altered claim alone breaks the signature, which is also a 401.
    expect((await call('/app', { token: `${String(header)}.${tooLong}.x` })).status).toBe(401);
    expect((await call('/app', { token: jwt })).status).toBe(200);
  });

  it('a token without the permission an endpoint needs is a 403 "Resource not accessible by integration"', async () => {
    const readOnly = await tokenWith({ issues: 'read', metadata: 'read' });
    const before = stored();
    const response = await call(`/repos/${owner}/${repo}/issues/1/comments`, { method: 'POST', token: readOnly, body: { body: 'hello' } });
    expect([response.status, response.body['message']]).toEqual([403, 'Resource not accessible by integration']);
    expect(stored()).toEqual(before);
    expect((await call(`/repos/${owner}/${repo}/issues/1/comments`, { token: readOnly })).status).toBe(200);
  });

  it("an installation token cannot reach another account's repository", async () => {
    await github.server.update((state) => seedRepository(state, { owner: 'other', name: 'secret', private: true, now: new Date() }));
    expect((await call('/repos/other/secret', { token })).status).toBe(404);
    expect(github.violations).toEqual([]);
  });
});
