import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ManifestFetchError,
  openManifestCache,
  parseManifests,
  readManifestFiles,
  type ManifestCache,
} from '../../src/gitops/manifests/index.js';
import { repositoryKey } from '../../src/gitops/manifests/repository-key.js';
import { createGitServer, createBareRepository } from '../../src/local/git-server.js';
import { createLogger } from '../../src/log/index.js';

const execFileAsync = promisify(execFile);
// Global and system config (credential helpers, url rewrites, hooks) must not change what the test exercises.
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
const plantedToken = 'ghs_plantedManifestToken0123456789';

async function cli(cwd: string, ...args: string[]): Promise<string> {
  const identity = ['-c', 'user.name=Gradual Test', '-c', 'user.email=test@gradual.invalid', '-c', 'init.defaultBranch=main'];
  const { stdout } = await execFileAsync('git', [...identity, ...args], { cwd, env: gitEnv, timeout: 60_000 });
  return stdout.trim();
}

/** Collects every JSON log line written to it, so the test can read what was logged. */
function logSink(): { stream: Writable; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines, text: () => raw };
}

const rollout = (image: string): string =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector: { matchLabels: { app: web } }',
    '  strategy:',
    '    canary:',
    '      steps: [{ setWeight: 20 }, { pause: {} }]',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec:',
    '      containers:',
    `        - { name: web, image: "${image}" }`,
    '',
  ].join('\n');

describe('manifest cache against the local git server', () => {
  let tmp: string;
  let server: http.Server;
  let url: string;
  let work: string;
  const serverLog = logSink();
  const cacheLog = logSink();
  let cache: ManifestCache;

  /** The git server's answers to fetches (upload-pack POSTs): one per network fetch. */
  const uploadPacks = (): number =>
    serverLog.lines.filter(
      (line) => line['msg'] === 'git request' && line['method'] === 'POST' && String(line['path']).endsWith('/git-upload-pack'),
    ).length;

  async function commit(files: Record<string, string>, message: string): Promise<string> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), text);
    }
    await cli(work, 'add', '-A');
    await cli(work, 'commit', '--quiet', '-m', message);
    await cli(work, 'push', '--quiet', 'origin', 'HEAD:main');
    return cli(work, 'rev-parse', 'HEAD');
  }

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'gradual-gitops-manifests-'));
    const root = join(tmp, 'repositories');
    await mkdir(root);
    await createBareRepository(root, 'manifests');
    server = createGitServer({ root, logger: createLogger({ level: 'debug', destination: serverLog.stream }) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    url = `http://127.0.0.1:${String(port)}/manifests.git`;
    work = join(tmp, 'work');
    await cli(tmp, 'clone', '--quiet', url, work);
    cache = openManifestCache({ dir: join(tmp, 'cache'), logger: createLogger({ level: 'debug', destination: cacheLog.stream }) });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    await rm(tmp, { recursive: true, force: true });
  });

  it('clones once, then fetches only the new objects, and reads each commit as it was', async () => {
    const filler = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [
        `apps/filler/config-${String(index)}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: filler-${String(index)} }\ndata: { index: "${String(index)}" }\n`,
      ]),
    );
    const first = await commit({ 'apps/web/rollout.yaml': rollout('nginx:1.25'), 'README.md': 'manifests\n', ...filler }, 'first');
    // The token rides in the URL as a GitHub App's installation token would; the server ignores it.
    const tokenUrl = url.replace('http://', `http://x-access-token:${plantedToken}@`);

    // Counted from here: the git CLI's own clone (protocol v2's ls-refs) is an upload-pack request too.
    const before = uploadPacks();
    const cloned = await cache.checkout({ url: tokenUrl, ref: 'main', sha: first });
    expect(cloned.fetch.kind).toBe('cloned');
    // 1 commit + 4 trees (root, apps, apps/web, apps/filler) + 42 blobs.
    expect(cloned.fetch.objects).toBe(47);
    expect(uploadPacks()).toBe(before + 1);

    const second = await commit({ 'apps/web/rollout.yaml': rollout('nginx:1.26') }, 'the new image');
    const fetched = await cache.checkout({ url: tokenUrl, ref: 'main', sha: second });
    expect(fetched.fetch.kind).toBe('fetched');
    // Only what the one-file change made new: the commit, the trees on the path (root, apps, apps/web) and the blob.
    expect(fetched.fetch.objects).toBe(5);
    expect(fetched.fetch.bytes).toBeLessThan(cloned.fetch.bytes);
    expect(uploadPacks()).toBe(before + 2);

    // Files are those of the commit asked for, old and new alike, with no working copy.
    expect(await cloned.readFile('apps/web/rollout.yaml')).toContain('nginx:1.25');
    expect(await fetched.readFile('apps/web/rollout.yaml')).toContain('nginx:1.26');
    expect(await fetched.readFile('apps/web/missing.yaml')).toBeUndefined();
    expect(await fetched.listFiles(['apps/web/**/*.yaml'])).toEqual(['apps/web/rollout.yaml']);
    expect(await fetched.listFiles(['apps/**/*.yaml'])).toHaveLength(41);
    expect(await fetched.listFiles(['*.md'])).toEqual(['README.md']);

    // A commit already in the cache costs no request, whatever the credentials.
    const again = await cache.checkout({ url, ref: 'main', sha: first });
    expect(again.fetch).toEqual({ kind: 'cached', objects: 0, bytes: 0 });
    expect(uploadPacks()).toBe(before + 2);

    const files = await readManifestFiles(fetched, ['apps/web/**/*.yaml']);
    const { objects, errors } = parseManifests(files, { namespace: 'prod' });
    expect(errors).toEqual([]);
    expect(objects.map((object) => [object.ref.name, object.file, object.line])).toEqual([['web', 'apps/web/rollout.yaml', 1]]);

    // The token reached neither a log line nor the clone's config on disk.
    const clones = await readdir(join(tmp, 'cache'));
    expect(clones).toHaveLength(1);
    const configs = await Promise.all(clones.map((clone) => readFile(join(tmp, 'cache', clone, 'config'), 'utf8')));
    expect(cacheLog.text()).not.toContain(plantedToken);
    expect(configs.join('')).not.toContain(plantedToken);
    expect(cacheLog.lines.filter((line) => line['component'] === 'manifest-cache').map((line) => line['phase'])).toEqual([
      'clone',
      'ready',
      'fetch',
      'ready',
      'cached',
    ]);
    expect(cacheLog.lines.every((line) => line['repository'] === url)).toBe(true);
  });

  it('serialises concurrent checkouts of one repository: one fetch for a commit asked twice at once', async () => {
    const before = uploadPacks();
    const sha = await commit({ 'apps/web/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\n' }, 'config');
    const [a, b] = await Promise.all([cache.checkout({ url, ref: 'main', sha }), cache.checkout({ url, ref: 'main', sha })]);
    expect([a.fetch.kind, b.fetch.kind]).toEqual(['fetched', 'cached']);
    expect(uploadPacks()).toBe(before + 1);
  });

  it('fails with the HTTP status and without the token for a repository that does not exist', async () => {
    const missing = url.replace('http://', `http://x-access-token:${plantedToken}@`).replace('manifests.git', 'missing.git');
    const failure = await cache.checkout({ url: missing, sha: 'a'.repeat(40), headers: { authorization: `Bearer ${plantedToken}` } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ManifestFetchError);
    expect(failure).toMatchObject({ code: 'FETCH_FAILED', statusCode: 404, retryable: false });
    expect((failure as Error).message).not.toContain(plantedToken);
    expect((failure as Error).message).toContain(url.replace('manifests.git', 'missing.git'));
    expect(cacheLog.text()).not.toContain(plantedToken);
  });

  it('finishes a clone a killed process left half-made (git init done, no remote) instead of failing every fetch into it', async () => {
    const sha = await commit({ 'apps/web/half.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: half }\n' }, 'half');
    // What a SIGKILL between the cache's git init and its addRemote leaves: HEAD and a config without [remote "origin"].
    const dir = join(tmp, 'half-made');
    await mkdir(dir);
    await cli(dir, 'init', '--quiet', '--bare', `${repositoryKey(url)}.git`);
    const halfMade = openManifestCache({ dir, logger: createLogger({ level: 'silent' }) });
    const tree = await halfMade.checkout({ url, ref: 'main', sha });
    expect(tree.fetch.kind).toBe('cloned');
    expect(await tree.readFile('apps/web/half.yaml')).toContain('name: half');
    expect(await readFile(join(dir, `${repositoryKey(url)}.git`, 'config'), 'utf8')).toContain('[remote "origin"]');
  });

  it('says so when the commit is not on the ref', async () => {
    await expect(cache.checkout({ url, ref: 'main', sha: 'b'.repeat(40) })).rejects.toMatchObject({ code: 'COMMIT_NOT_FOUND' });
    await expect(cache.checkout({ url, sha: 'not-a-sha' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
