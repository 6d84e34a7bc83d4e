import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { describe, expect, inject, it } from 'vitest';
import type { GithubState } from '../../src/local/github/index.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';

const execFileAsync = promisify(execFile);

/**
 * `gradual local github …` spawned as a process, as a person types it,
 * against the environment's running local GitHub; every assertion reads
 * the server's persisted state (github-state.json), the bare repository,
 * or the API — never the CLI's own say-so alone.
 */
describe('gradual local github, as a process', () => {
  const environment = inject('gradualEnv');
  const github = environment.github;
  if (github === undefined) throw new Error('env.json has no github section: the environment predates the local GitHub');
  // A fresh organization per run: the shared environment may hold earlier runs' repositories.
  const owner = `cli-${Date.now().toString(36)}`;
  const repository = `${owner}/web`;

  async function gradual(...args: string[]): Promise<string> {
    const cli = ownCliInvocation();
    const { stdout } = await execFileAsync(cli.command, [...cli.args, 'local', 'github', ...args, '--dir', environment.dir], {
      cwd: cli.cwd,
    });
    return stdout.trim();
  }

  async function refused(...args: string[]): Promise<string> {
    return gradual(...args).then(
      () => 'succeeded',
      (error: unknown) => String((error as { stderr?: string }).stderr),
    );
  }

  async function state(): Promise<GithubState> {
    return JSON.parse(await readFile(github?.stateFile ?? '', 'utf8')) as GithubState;
  }

  // Each step starts the CLI through tsx: seconds apiece, tens of seconds on a loaded two-core machine.
  it(
    'installs, creates a repository, pushes, opens, comments, presses a button, approves and merges, as the people named',
    { timeout: 900_000 },
    async () => {
      const installationId = Number(await gradual('install', owner, '--as', 'alice'));
      expect((await state()).installations.find((installation) => installation.id === installationId)?.account).toBe(owner);

      const folder = await mkdtemp(join(tmpdir(), 'gradual-cli-repo-'));
      await writeFile(join(folder, 'rollout.yaml'), 'kind: Rollout\nimage: web:v1\n');
      const [cloneUrl, first] = (await gradual('create-repo', repository, '--from', folder, '--as', 'alice')).split(' ');
      expect(cloneUrl).toBe(`${environment.git.url}/${repository}.git`);
      await gradual('protect', repository, 'main', '--require-check', 'gradual/rollout', '--approvals', '1', '--as', 'alice');

      const changed = join(folder, 'rollout-v2.yaml');
      await writeFile(changed, 'kind: Rollout\nimage: web:v2\n');
      const head = await gradual(
        'push',
        repository,
        'web-v2',
        '--file',
        `rollout.yaml=${changed}`,
        '-m',
        'web v2',
        '--as',
        'bob',
        '--role',
        'write',
      );
      const number = Number(
        await gradual('open-pr', repository, '--head', 'web-v2', '--title', 'web v2', '--as', 'bob', '--role', 'write'),
      );
      const commentId = Number(await gradual('comment', repository, String(number), '/promote', '--as', 'carol', '--role', 'read'));

      let saved = await state();
      const repo = saved.repositories.find((candidate) => `${candidate.owner}/${candidate.name}` === repository);
      if (repo === undefined) throw new Error(`${repository} is not in the state`);
      expect([
        repo.collaborators['alice'],
        repo.collaborators['bob'],
        repo.collaborators['carol'],
        repo.protection?.['main']?.requiredContexts,
      ]).toEqual(['admin', 'write', 'read', ['gradual/rollout']]);
      const pull = saved.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === number);
      expect([pull?.user, pull?.head.sha, pull?.base.sha]).toEqual(['bob', head, first]);
      expect(saved.issueComments.find((candidate) => candidate.id === commentId)).toMatchObject({
        user: 'carol',
        body: '/promote',
        issueNumber: number,
      });

      // The app reports a check with buttons; carol presses one.
      const app = new Octokit({
        baseUrl: github.url,
        authStrategy: createAppAuth,
        auth: { appId: github.appId, privateKey: await readFile(github.privateKeyFile, 'utf8'), installationId },
      });
      const [owned, name] = repository.split('/') as [string, string];
      const run = await app.rest.checks.create({
        owner: owned,
        repo: name,
        name: 'gradual/rollout',
        head_sha: head,
        status: 'in_progress',
        actions: [{ label: 'Abort', description: 'Roll back', identifier: 'abort' }],
      });
      await gradual('press', String(run.data.id), 'abort', '--as', 'carol');
      saved = await state();
      const pressed = saved.deliveries
        .filter((delivery) => delivery.event === 'check_run' && delivery.action === 'requested_action')
        .map(
          (delivery) =>
            JSON.parse(delivery.body) as { check_run: { id: number }; requested_action: { identifier: string }; sender: { login: string } },
        );
      expect(
        pressed
          .filter((payload) => payload.check_run.id === run.data.id)
          .map((payload) => [payload.requested_action.identifier, payload.sender.login]),
      ).toEqual([['abort', 'carol']]);

      expect(await refused('merge', repository, String(number), '--as', 'bob', '--role', 'write')).toMatch(
        /Required status check \\?"gradual\/rollout\\?" is expected\./,
      );
      await app.rest.checks.update({ owner: owned, repo: name, check_run_id: run.data.id, conclusion: 'success' });
      await gradual('approve', repository, String(number), '--as', 'alice');
      const merged = await gradual('merge', repository, String(number), '--method', 'squash', '--as', 'bob', '--role', 'write');

      saved = await state();
      expect(saved.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === number)).toMatchObject({
        state: 'closed',
        merged: { by: 'bob', sha: merged },
      });
      expect(saved.reviews.filter((review) => review.repositoryId === repo.id).map((review) => [review.user, review.state])).toEqual([
        ['alice', 'APPROVED'],
      ]);
      const bare = join(environment.git.root, owner, 'web.git');
      expect(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/main'], { encoding: 'utf8' }).trim()).toBe(merged);
      expect(execFileSync('git', ['--git-dir', bare, 'show', `${merged}:rollout.yaml`], { encoding: 'utf8' })).toContain('web:v2');
    },
  );
});
