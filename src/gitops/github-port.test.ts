import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../local/github/person.js';
import { seedInstallation, seedPerson } from '../local/github/seed.js';
import { startTestGithub, type TestGithub } from '../local/github/testing.js';
import { githubPort, type GithubPort } from './github-port.js';

const owner = 'acme';
const repo = 'deploys';
let github: TestGithub;
let port: GithubPort;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  github = await startTestGithub({ git: true });
  const now = new Date();
  const seeded = await github.server.update((state) => ({
    installation: seedInstallation(state, owner, now).id,
    alice: seedPerson(state, { login: 'alice', role: 'admin', now }),
  }));
  alice = { login: 'alice', token: seeded.alice, apiUrl: github.server.url };
  const folder = await mkdtemp(join(tmpdir(), 'gradual-port-'));
  await writeFile(join(folder, 'app.yaml'), 'kind: ConfigMap\n');
  await createRepositoryFromFolder(alice, { owner, repo, folder });
  const bobToken = await github.server.update((state) =>
    seedPerson(state, { login: 'bob', role: 'write', repository: { owner, name: repo }, now }),
  );
  bob = { login: 'bob', token: bobToken, apiUrl: github.server.url };
  const app = new Octokit({
    baseUrl: github.server.url,
    authStrategy: createAppAuth,
    auth: { appId: github.appId, privateKey: github.privateKey, installationId: seeded.installation },
  });
  port = githubPort(app as never, { owner, repo });
}, 90_000);

afterAll(async () => {
  await github.stop();
});

// An environment's requiredApprovals (and the `approved` trigger) guard what is deployed: an approval of one head
// must not deploy another. Otherwise a contributor gets a harmless change approved, pushes the real one, and the
// synchronize deploys it under the old approval (GitHub keeps approvals across pushes unless branch protection
// dismisses them, and the bot reads reviews, not branch protection).
describe('approvals', { timeout: 60_000 }, () => {
  it('count only an approval of the head being deployed', async () => {
    const approved = await pushBranch(bob, {
      owner,
      repo,
      branch: 'change',
      files: { 'app.yaml': 'kind: ConfigMap\ndata: {a: "1"}\n' },
      message: 'harmless',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'change', title: 'change' });
    await approve(alice, { owner, repo, number });
    expect(await port.approvals(number, approved)).toEqual([{ login: 'alice', permission: 'admin' }]);

    const pushed = await pushBranch(bob, {
      owner,
      repo,
      branch: 'change',
      files: { 'app.yaml': 'kind: ConfigMap\ndata: {a: "2"}\n' },
      message: 'the real change',
    });
    expect(pushed).not.toBe(approved);
    expect(await port.approvals(number, pushed)).toEqual([]);

    await approve(alice, { owner, repo, number });
    expect(await port.approvals(number, pushed)).toEqual([{ login: 'alice', permission: 'admin' }]);
    expect(github.violations).toEqual([]);
  });
});
