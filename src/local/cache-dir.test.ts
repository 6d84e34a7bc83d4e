import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot, ensureWritableDir } from './cache-dir.js';
import { SetupError } from './errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradual-cache-dir-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cacheRoot', () => {
  it.each([
    {
      case: 'GRADUAL_CACHE_DIR first',
      env: { GRADUAL_CACHE_DIR: '/srv/gradual-cache', XDG_CACHE_HOME: '/xdg' },
      expected: '/srv/gradual-cache',
    },
    { case: 'XDG_CACHE_HOME next', env: { XDG_CACHE_HOME: '/xdg' }, expected: '/xdg/gradual' },
    { case: 'an empty GRADUAL_CACHE_DIR as unset', env: { GRADUAL_CACHE_DIR: '', XDG_CACHE_HOME: '/xdg' }, expected: '/xdg/gradual' },
    { case: '~/.cache/gradual last', env: {}, expected: join(homedir(), '.cache', 'gradual') },
    { case: 'an empty XDG_CACHE_HOME as unset', env: { XDG_CACHE_HOME: '' }, expected: join(homedir(), '.cache', 'gradual') },
  ])('takes $case', ({ env, expected }) => {
    expect(cacheRoot(env)).toBe(expected);
  });
});

describe('ensureWritableDir', () => {
  it('creates a nested folder and leaves no probe file in it', async () => {
    const nested = join(dir, 'a', 'b', 'c');

    await ensureWritableDir(nested);

    expect((await stat(nested)).isDirectory()).toBe(true);
    expect(await readdir(nested)).toEqual([]);
  });

  it('accepts a folder that already exists and keeps its contents', async () => {
    const existing = join(dir, 'existing');
    await ensureWritableDir(existing);
    await writeFile(join(existing, 'kept'), 'x');

    await ensureWritableDir(existing);

    expect(await readdir(existing)).toEqual(['kept']);
  });

  it.each([
    { case: 'under a regular file', sub: 'sub', errno: 'ENOTDIR' },
    // mkdir of an existing path is accepted, so it is the probe write inside it that fails.
    { case: 'that is a regular file', sub: '', errno: 'ENOTDIR' },
  ])('rejects a path $case with CACHE_NOT_WRITABLE naming the path', async ({ sub, errno }) => {
    const file = join(dir, `regular-file-${sub === '' ? 'itself' : 'parent'}`);
    await writeFile(file, '');
    const target = sub === '' ? file : join(file, sub);

    const error: unknown = await ensureWritableDir(target, 'build cache').catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'CACHE_NOT_WRITABLE' });
    expect((error as SetupError).message).toContain(`The build cache ${target} is not writable (${errno})`);
    expect((error as SetupError).message).toContain('GRADUAL_CACHE_DIR');
  });

  it('rejects a path under a regular file with CACHE_NOT_WRITABLE in a separate process too (checks the harness below)', async () => {
    const file = join(dir, 'regular-file-child');
    await writeFile(file, '');

    const outcome = await ensureWritableDirInChild(join(file, 'sub'));

    expect(outcome).toEqual({
      kind: 'rejected',
      code: 'CACHE_NOT_WRITABLE',
      message: expect.stringContaining(join(file, 'sub')) as unknown,
    });
  });

  // Node 20's mkdir({ recursive: true }) never settles for a path whose parent exists but cannot hold children and
  // answers ENOENT (procfs): it loops mkdir(parent) = EEXIST, mkdir(path) = ENOENT, burning a core. ensureWritableDir
  // therefore creates one level at a time. Run in a child process so a regression (a spin) can be killed.
  it('rejects a path under /proc with CACHE_NOT_WRITABLE naming the path', { timeout: 30_000 }, async () => {
    const outcome = await ensureWritableDirInChild('/proc/gradual-cache-test', 6_000);

    expect(outcome).toEqual({
      kind: 'rejected',
      code: 'CACHE_NOT_WRITABLE',
      message: expect.stringContaining('/proc/gradual-cache-test') as unknown,
    });
  });
});

type ChildOutcome =
  { kind: 'resolved' } | { kind: 'rejected'; code: unknown; message: unknown } | { kind: 'killed'; afterMs: number; stderr: string };

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheDirModule = new URL('./cache-dir.ts', import.meta.url).href;

/** Calls ensureWritableDir in a fresh Node process (with tsx), killed after `limitMs` if it has not answered. */
async function ensureWritableDirInChild(target: string, limitMs = 10_000): Promise<ChildOutcome> {
  const script = [
    `const { ensureWritableDir } = await import(${JSON.stringify(cacheDirModule)});`,
    'try {',
    `  await ensureWritableDir(${JSON.stringify(target)});`,
    "  console.log(JSON.stringify({ kind: 'resolved' }));",
    '} catch (error) {',
    "  console.log(JSON.stringify({ kind: 'rejected', code: error.code, message: error.message }));",
    '}',
  ].join('\n');
  const scriptFile = join(dir, `child-${String(Date.now())}-${String(Math.random()).slice(2)}.mjs`);
  await writeFile(scriptFile, script);
  const startedAt = Date.now();
  return new Promise<ChildOutcome>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(cause);
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (killed) {
        resolve({ kind: 'killed', afterMs: Date.now() - startedAt, stderr });
        return;
      }
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(lastLine) as ChildOutcome);
      } catch {
        reject(new Error(`child printed no outcome; stdout: ${stdout}; stderr: ${stderr}`));
      }
    });
  });
}
