import { readdir, readFile } from 'node:fs/promises';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUserToken } from './seed.js';
import { stateFileName } from './state-file.js';
import type { TestGithub } from './testing.js';
import { appOctokit, startGithubWithPullRequest } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';
const headSha = 'd'.repeat(40);

let github: TestGithub;
let installationId: number;

beforeAll(async () => {
  ({ github, installationId } = await startGithubWithPullRequest({ owner, repo, title: 'Roll out v5', head: { ref: 'v5', sha: headSha } }));
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe('the local GitHub keeps its state across restarts', () => {
  it('serves after a restart what it stored before, and the tokens it issued still work', async () => {
    const octokit = appOctokit(github, installationId);
    const personToken = await github.server.update((state) => seedUserToken(state, 'alice', new Date()));
    const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'Rollout started' });
    const run = await octokit.rest.checks.create({
      owner,
      repo,
      name: 'gradual/rollout',
      head_sha: headSha,
      output: {
        title: 'Rolling out',
        summary: 'step 1',
        annotations: [{ path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'kept' }],
      },
    });
    await github.server.idle();
    const before = github.server.state();

    await github.restart();

    expect(github.server.state()).toEqual(before);
    const person = new Octokit({ baseUrl: github.server.url, auth: personToken });
    const comments = await person.rest.issues.listComments({ owner, repo, issue_number: 1 });
    expect(comments.data.map((item) => [item.id, item.body])).toEqual([[comment.data.id, 'Rollout started']]);
    const again = appOctokit(github, installationId);
    const annotations = await again.rest.checks.listAnnotations({ owner, repo, check_run_id: run.data.id });
    expect(annotations.data.map((annotation) => annotation.message)).toEqual(['kept']);
    expect(github.violations).toEqual([]);
  });

  it('writes the state file atomically and keeps no credential in it', async () => {
    const files = await readdir(github.dir);
    expect(files).toEqual([stateFileName]);
    const text = await readFile(`${github.dir}/${stateFileName}`, 'utf8');
    expect(text).not.toMatch(/gh[sp]_[A-Za-z0-9]{20,}/);
    expect(text).not.toContain('PRIVATE KEY');
  });
});
