import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBareRepository } from '../../src/local/git-server.js';

const execFileAsync = promisify(execFile);
const author = { name: 'Gradual Test', email: 'test@gradual.invalid' };
// Global and system config (credential helpers, url rewrites, hooks) must not change what the test exercises.
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };

/** Runs the git CLI with a fixed identity; a timeout turns a hung server into a failure instead of a stuck run. */
async function cli(cwd: string, ...args: string[]): Promise<string> {
  const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, '-c', 'init.defaultBranch=main'];
  const { stdout } = await execFileAsync('git', [...identity, ...args], { cwd, env: gitEnv, timeout: 60_000 });
  return stdout.trim();
}

/** A raw request, because fetch() and the URL parser would normalise `..` away before it reached the server. */
function rawGet(base: string, path: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('local git server', () => {
  const env = inject('gradualEnv');
  let tmp: string;
  const created: string[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'gradual-git-server-'));
  });

  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
    await Promise.all(created.map((bare) => rm(bare, { recursive: true, force: true })));
  });

  it('round-trips commits between the git CLI and isomorphic-git over HTTP', async () => {
    const name = `round-trip-${randomUUID()}`;
    const bare = await createBareRepository(env.git.root, name);
    created.push(bare);
    expect(await createBareRepository(env.git.root, name)).toBe(bare);
    const url = `${env.git.url}/${name}.git`;

    // CLI: clone the empty repository, commit, push.
    const cliDir = join(tmp, `${name}-cli`);
    await cli(tmp, 'clone', '--quiet', url, cliDir);
    await writeFile(join(cliDir, 'README.md'), 'first\n');
    await cli(cliDir, 'add', 'README.md');
    await cli(cliDir, 'commit', '--quiet', '-m', 'first');
    await cli(cliDir, 'push', '--quiet', 'origin', 'HEAD:main');
    const first = await cli(cliDir, 'rev-parse', 'HEAD');
    expect(await cli(tmp, '--git-dir', bare, 'rev-parse', 'main')).toBe(first);

    // isomorphic-git: clone sees the CLI's commit.
    const isoDir = join(tmp, `${name}-iso`);
    await git.clone({ fs, http, dir: isoDir, url, ref: 'main', singleBranch: true });
    expect(await readFile(join(isoDir, 'README.md'), 'utf8')).toBe('first\n');
    expect(await git.resolveRef({ fs, dir: isoDir, ref: 'HEAD' })).toBe(first);

    // CLI pushes again; isomorphic-git fetches exactly that commit.
    await writeFile(join(cliDir, 'README.md'), 'second\n');
    await cli(cliDir, 'commit', '--quiet', '-am', 'second');
    await cli(cliDir, 'push', '--quiet', 'origin', 'HEAD:main');
    const second = await cli(cliDir, 'rev-parse', 'HEAD');
    const fetched = await git.fetch({ fs, http, dir: isoDir, ref: 'main', singleBranch: true });
    expect(fetched.fetchHead).toBe(second);
    const blob = await git.readBlob({ fs, dir: isoDir, oid: second, filepath: 'README.md' });
    expect(Buffer.from(blob.blob).toString('utf8')).toBe('second\n');
    await git.merge({ fs, dir: isoDir, ours: 'main', theirs: 'origin/main', fastForwardOnly: true });
    await git.checkout({ fs, dir: isoDir, ref: 'main' });
    expect(await readFile(join(isoDir, 'README.md'), 'utf8')).toBe('second\n');

    // isomorphic-git commits and pushes; the bare repository has that commit.
    await writeFile(join(isoDir, 'README.md'), 'third\n');
    await git.add({ fs, dir: isoDir, filepath: 'README.md' });
    const third = await git.commit({ fs, dir: isoDir, message: 'third', author });
    const pushed = await git.push({ fs, http, dir: isoDir, remote: 'origin', ref: 'main' });
    expect(pushed.ok).toBe(true);
    expect(await cli(tmp, '--git-dir', bare, 'rev-parse', 'main')).toBe(third);
    expect(await cli(tmp, '--git-dir', bare, 'log', '-1', '--format=%P', 'main')).toBe(second);
  });

  it('answers 404 for a repository that does not exist', async () => {
    const url = `${env.git.url}/missing-${randomUUID()}.git`;
    const res = await fetch(`${url}/info/refs?service=git-upload-pack`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(404);
    await expect(git.getRemoteInfo({ http, url })).rejects.toMatchObject({ data: { statusCode: 404 } });
    await expect(cli(tmp, 'ls-remote', url)).rejects.toThrow(/not found|404/i);
  });

  it('rejects paths that climb out of the repository root with 400', async () => {
    expect(await rawGet(env.git.url, '/../etc/passwd')).toBe(400);
    expect(await rawGet(env.git.url, `/${randomUUID()}.git/../../info/refs?service=git-upload-pack`)).toBe(400);
    expect(await rawGet(env.git.url, '/%2e%2e/etc/passwd')).toBe(400);
  });
});
