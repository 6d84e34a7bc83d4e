import { readFile, stat } from 'node:fs/promises';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { describe, expect, inject, it } from 'vitest';

describe('the local GitHub of the embedded environment', () => {
  it('is in env.json and answers the app that env.json names, with its private key', async () => {
    const github = inject('gradualEnv').github;
    if (github === undefined) throw new Error('env.json has no github section: the environment predates the local GitHub');
    const privateKey = await readFile(github.privateKeyFile, 'utf8');
    expect((await stat(github.privateKeyFile)).mode & 0o077).toBe(0);
    const octokit = new Octokit({ baseUrl: github.url, authStrategy: createAppAuth, auth: { appId: github.appId, privateKey } });
    const app = await octokit.rest.apps.getAuthenticated();
    expect(app.data?.id).toBe(github.appId);
    const anonymous = await fetch(`${github.url}/app`);
    expect(anonymous.status).toBe(401);
    expect((await stat(github.stateFile)).isFile()).toBe(true);
  });
});
