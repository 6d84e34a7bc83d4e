import { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGithub } from './testing.js';
import { startGithubWithPullRequest } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';

let github: TestGithub;
let installationId: number;

beforeAll(async () => {
  ({ github, installationId } = await startGithubWithPullRequest({
    owner,
    repo,
    collaborators: { alice: 'admin' },
    title: 'Roll out v6',
    head: { ref: 'v6', sha: 'f'.repeat(40) },
    files: [{ filename: 'rollout.yaml', additions: 1 }],
  }));
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe("Probot's authenticated client against the local GitHub (its base URL, as for GitHub Enterprise Server)", () => {
  it('authenticates as the app and as the installation, and makes the calls the bot makes', async () => {
    const probot = new Probot({
      appId: github.appId,
      privateKey: github.privateKey,
      secret: github.webhookSecret,
      baseUrl: github.server.url,
      logLevel: 'fatal',
    });
    const asApp = await probot.auth();
    const app = await asApp.rest.apps.getAuthenticated();
    expect(app.data?.id).toBe(github.appId);
    const found = await asApp.rest.apps.getRepoInstallation({ owner, repo });
    expect(found.data.id).toBe(installationId);

    const octokit = await probot.auth(installationId);
    const files = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 1 });
    expect(files.data.map((file) => file.filename)).toEqual(['rollout.yaml']);
    const permission = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: 'alice' });
    expect(permission.data.permission).toBe('admin');
    const run = await octokit.rest.checks.create({ owner, repo, name: 'gradual/rollout', head_sha: 'f'.repeat(40), status: 'queued' });
    expect(github.server.state().checkRuns.map((checkRun) => checkRun.id)).toEqual([run.data.id]);
    expect(github.violations).toEqual([]);
  });
});
