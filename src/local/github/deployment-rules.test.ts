import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstallation, seedPerson, seedPullRequest, seedRepository } from './seed.js';
import { startTestGithub, type TestGithub } from './testing.js';
import { appJwt, rawCall, type RawAnswer, type RawInit } from './testing-calls.js';

/**
 * The Deployments, Environments and rulesets rows of README.md ("GitHub's rules"), against the
 * local GitHub: what it answers, and what it then holds. Shapes are checked by the server itself.
 */

const owner = 'acme';
const repo = 'shipping';

let github: TestGithub;
let token: string;
let admin: string;
let writer: string;
let repositoryId: number;

function call(path: string, init?: RawInit): Promise<RawAnswer> {
  return rawCall(github, path, init);
}

const api = `/repos/${owner}/${repo}`;

async function deploy(sha: string, environment: string, extra: Record<string, unknown> = {}): Promise<number> {
  const created = await call(`${api}/deployments`, {
    method: 'POST',
    token,
    body: { ref: sha, environment, required_contexts: [], auto_merge: false, ...extra },
  });
  expect(created.status).toBe(201);
  return Number(created.body['id']);
}

async function status(id: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const created = await call(`${api}/deployments/${String(id)}/statuses`, { method: 'POST', token, body });
  expect(created.status).toBe(201);
  return created.body;
}

async function states(id: number): Promise<string[]> {
  const listed = await call(`${api}/deployments/${String(id)}/statuses`, { token });
  return (listed.body as unknown as { state: string }[]).map((entry) => entry.state).reverse();
}

let pulls = 0;
async function pullRequest(): Promise<{ number: number; sha: string }> {
  pulls += 1;
  const sha = String(pulls).padStart(40, 'd');
  const number = await github.server.update(
    (state) =>
      seedPullRequest(state, {
        repositoryId,
        title: `Change ${String(pulls)}`,
        user: 'wanda',
        head: { ref: `change-${String(pulls)}`, sha },
        now: new Date(),
      }).number,
  );
  return { number, sha };
}

async function mergeAs(person: string, number: number): Promise<{ status: number; message: unknown }> {
  const merged = await call(`${api}/pulls/${String(number)}/merge`, { method: 'PUT', token: person, body: {} });
  return { status: merged.status, message: merged.body['message'] };
}

async function checkRun(sha: string, name: string, conclusion: string): Promise<void> {
  expect(
    (await call(`${api}/check-runs`, { method: 'POST', token, body: { name, head_sha: sha, status: 'completed', conclusion } })).status,
  ).toBe(201);
}

beforeAll(async () => {
  github = await startTestGithub();
  const now = new Date();
  const seeded = await github.server.update((state) => {
    const installation = seedInstallation(state, owner, now);
    const repository = seedRepository(state, { owner, name: repo, now });
    return {
      installationId: installation.id,
      repositoryId: repository.id,
      admin: seedPerson(state, { login: 'ada', role: 'admin', repository: { owner, name: repo }, now }),
      writer: seedPerson(state, { login: 'wanda', role: 'write', repository: { owner, name: repo }, now }),
    };
  });
  repositoryId = seeded.repositoryId;
  admin = seeded.admin;
  writer = seeded.writer;
  const jwt = await appJwt(github);
  token = String(
    (await call(`/app/installations/${String(seeded.installationId)}/access_tokens`, { method: 'POST', token: jwt })).body['token'],
  );
}, 60_000);

afterAll(async () => {
  expect(github.violations).toEqual([]);
  await github.stop();
});

describe('GitHub’s rules for deployments, environments and rulesets', () => {
  it('a deployment makes its environment; a status without environment keeps the previous status’s; log_url sets target_url', async () => {
    const { sha } = await pullRequest();
    const id = await deploy(sha, 'staging');
    const environments = await call(`${api}/environments`, { token });
    expect((environments.body['environments'] as { name: string }[]).map((environment) => environment.name)).toContain('staging');
    expect((await call(`${api}/environments/staging`, { token })).status).toBe(200);
    expect((await call(`${api}/environments/nowhere`, { token })).status).toBe(404);
    await status(id, { state: 'in_progress', environment: 'staging-eu' });
    const next = await status(id, {
      state: 'success',
      log_url: 'http://127.0.0.1:1/checks/9',
      environment_url: 'http://127.0.0.1:1/dashboard',
    });
    expect([next['environment'], next['target_url'], next['log_url'], next['environment_url']]).toEqual([
      'staging-eu',
      'http://127.0.0.1:1/checks/9',
      'http://127.0.0.1:1/checks/9',
      'http://127.0.0.1:1/dashboard',
    ]);
  });

  it('auto_inactive: a new success marks earlier successful deployments of the environment inactive, but not production, transient or unsuccessful ones', async () => {
    const { sha } = await pullRequest();
    const earlier = await deploy(sha, 'qa');
    await status(earlier, { state: 'success' });
    const failed = await deploy(sha, 'qa');
    await status(failed, { state: 'failure' });
    const transient = await deploy(sha, 'qa', { transient_environment: true });
    await status(transient, { state: 'success' });
    const productionEarlier = await deploy(sha, 'production');
    await status(productionEarlier, { state: 'success' });
    const later = await deploy(sha, 'qa');
    await status(later, { state: 'success' });
    const productionLater = await deploy(sha, 'production');
    await status(productionLater, { state: 'success' });
    expect(await states(earlier)).toEqual(['success', 'inactive']);
    expect(await states(failed)).toEqual(['failure']);
    expect(await states(transient)).toEqual(['success']);
    expect(await states(productionEarlier)).toEqual(['success']);
    expect(await states(later)).toEqual(['success']);
    // auto_inactive: false leaves earlier ones as they were.
    const quiet = await deploy(sha, 'qa');
    await status(quiet, { state: 'success', auto_inactive: false });
    expect(await states(later)).toEqual(['success']);
  });

  it('a ruleset requiring a deployment refuses the merge (405, rule violations) until the newest deployment of the head to that environment succeeded', async () => {
    const ruleset = await call(`${api}/rulesets`, {
      method: 'POST',
      token: admin,
      body: {
        name: 'deployed first',
        enforcement: 'active',
        target: 'branch',
        conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
        rules: [{ type: 'required_deployments', parameters: { required_deployment_environments: ['preview'] } }],
      },
    });
    expect(ruleset.status).toBe(201);
    const { number, sha } = await pullRequest();
    expect(await mergeAs(writer, number)).toEqual({
      status: 405,
      message: 'Repository rule violations found\n\nRequired deployment to "preview" has not succeeded (not deployed).\n\n',
    });
    const first = await deploy(sha, 'preview');
    await status(first, { state: 'success' });
    const second = await deploy(sha, 'preview');
    await status(second, { state: 'failure' });
    expect(await mergeAs(writer, number)).toEqual({
      status: 405,
      message: 'Repository rule violations found\n\nRequired deployment to "preview" has not succeeded (failure).\n\n',
    });
    await status(second, { state: 'success' });
    expect((await mergeAs(writer, number)).status).toBe(200);
    const listed = await call(`${api}/rulesets/${String(ruleset.body['id'])}`, { token });
    expect(listed.body['rules']).toEqual([{ type: 'required_deployments', parameters: { required_deployment_environments: ['preview'] } }]);
    expect((await call(`${api}/rulesets/${String(ruleset.body['id'])}`, { method: 'GET', token })).status).toBe(200);
    // Disabled rulesets stop refusing; the next tests start from none active.
    await github.server.update((state) => {
      for (const entry of state.rulesets ?? []) entry.enforcement = 'disabled';
    });
  });

  it('a ruleset’s required status check with integration_id reads the newest run of that name from that app only', async () => {
    const created = await call(`${api}/rulesets`, {
      method: 'POST',
      token: admin,
      body: {
        name: 'checked',
        enforcement: 'active',
        conditions: { ref_name: { include: ['refs/heads/main'], exclude: [] } },
        rules: [
          {
            type: 'required_status_checks',
            parameters: {
              strict_required_status_checks_policy: false,
              required_status_checks: [{ context: 'gradual/rollout web', integration_id: github.appId }],
            },
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const { number, sha } = await pullRequest();
    await checkRun(sha, 'gradual/rollout web', 'action_required');
    expect(await mergeAs(writer, number)).toEqual({
      status: 405,
      message: 'Repository rule violations found\n\nRequired status check "gradual/rollout web" is failing.\n\n',
    });
    // Another app's success of the same name neither satisfies nor blocks the rule.
    await checkRun(sha, 'gradual/rollout web', 'success');
    await github.server.update((state) => {
      const run = state.checkRuns.filter((candidate) => candidate.headSha === sha).at(-1);
      if (run !== undefined) run.appId = state.app.id + 1;
    });
    expect((await mergeAs(writer, number)).status).toBe(405);
    await checkRun(sha, 'gradual/rollout web', 'success');
    expect((await mergeAs(writer, number)).status).toBe(200);
    await github.server.update((state) => {
      for (const entry of state.rulesets ?? []) entry.enforcement = 'disabled';
    });
  });

  it('branch protection’s checks[].app_id: only that app’s runs count', async () => {
    const protection = await call(`${api}/branches/main/protection`, {
      method: 'PUT',
      token: admin,
      body: {
        required_status_checks: { strict: false, contexts: [], checks: [{ context: 'gradual/plan', app_id: github.appId }] },
        enforce_admins: null,
        required_pull_request_reviews: null,
        restrictions: null,
      },
    });
    expect(protection.status).toBe(200);
    expect((protection.body['required_status_checks'] as { checks: unknown[] }).checks).toEqual([
      { context: 'gradual/plan', app_id: github.appId },
    ]);
    const { number, sha } = await pullRequest();
    await checkRun(sha, 'gradual/plan', 'success');
    await github.server.update((state) => {
      const run = state.checkRuns.filter((candidate) => candidate.headSha === sha).at(-1);
      if (run !== undefined) run.appId = state.app.id + 1;
    });
    expect(await mergeAs(writer, number)).toEqual({ status: 405, message: 'Required status check "gradual/plan" is expected.' });
    await checkRun(sha, 'gradual/plan', 'success');
    expect((await mergeAs(writer, number)).status).toBe(200);
    expect((await call(`${api}/branches/main/protection`, { method: 'DELETE', token: admin })).status).toBe(204);
  });

  it('a ruleset with a rule the local GitHub does not enforce is refused (422), not stored and silently ignored', async () => {
    const refused = await call(`${api}/rulesets`, {
      method: 'POST',
      token: admin,
      body: { name: 'linear', enforcement: 'active', rules: [{ type: 'required_linear_history' }] },
    });
    expect(refused.status).toBe(422);
    expect(String(refused.body['message'])).toContain('required_linear_history');
    expect(
      (await call(`${api}/rulesets`, { method: 'POST', token: writer, body: { name: 'x', enforcement: 'active', rules: [] } })).status,
    ).toBe(403);
  });
});
