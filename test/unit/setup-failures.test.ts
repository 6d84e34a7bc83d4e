import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from '../../src/local/debian-packages.js';
import { SetupError } from '../../src/local/errors.js';
import { ensureGoBuild, type GoBuildSpec } from '../../src/local/go-build.js';
import { createLogger, type Logger } from '../../src/log/index.js';

const run = promisify(execFile);

interface LogLine {
  msg: string;
  level: number;
  [key: string]: unknown;
}

/** A real pino logger whose JSON lines land in an array the test can read. */
function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback): void {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function goModule(dir: string, modulePath: string, mainGo: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'go.mod'), `module ${modulePath}\n\ngo 1.24\n`);
  await writeFile(join(dir, 'go.sum'), '');
  await writeFile(join(dir, 'main.go'), mainGo);
  return dir;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradual-setup-failures-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureGoBuild', () => {
  describe('with a module that does not compile', () => {
    let cacheRoot: string;
    let error: unknown;
    let lines: LogLine[];

    beforeAll(async () => {
      const moduleDir = await goModule(join(dir, 'broken'), 'example.test/broken', 'package main\n\nfunc main() {\n\tdoesNotExist()\n}\n');
      cacheRoot = join(dir, 'cache-broken');
      const capture = capturingLogger();
      lines = capture.lines;
      error = await ensureGoBuild(
        { name: 'broken', version: 'v9.9.9', moduleDir, packages: ['.'] },
        { cacheRoot, logger: capture.logger },
      ).catch((cause: unknown) => cause);
    }, 120_000);

    it("rejects with GO_BUILD_FAILED naming the component, its version and Go's own error", () => {
      expect(error).toBeInstanceOf(SetupError);
      expect(error).toMatchObject({ code: 'GO_BUILD_FAILED' });
      const message = (error as SetupError).message;
      expect(message).toContain('broken');
      expect(message).toContain('v9.9.9');
      expect(message).toContain('undefined: doesNotExist');
      expect(message).toMatch(/exit code [1-9]/);
      expect(lines.map((line) => line.msg)).toContain('building from Go modules (first time only; this takes minutes)');
    });

    it('leaves no completed build and releases the build lock', async () => {
      const entries = await readdir(cacheRoot);

      expect(entries.filter((entry) => /^broken-v9\.9\.9-[0-9a-f]{10}$/.test(entry))).toEqual([]);
      expect(entries.filter((entry) => entry.endsWith('.lock'))).toEqual([]);
      for (const entry of entries) expect(await exists(join(cacheRoot, entry, '.complete'))).toBe(false);
    });

    // The `<key>.partial-<pid>` work folder must go on failure too, or every failed pid would leave one behind.
    it('leaves no partial build folder behind', async () => {
      expect((await readdir(cacheRoot)).filter((entry) => entry.includes('.partial-'))).toEqual([]);
    });
  });

  describe('with a module that compiles', () => {
    let moduleDir: string;

    beforeAll(async () => {
      moduleDir = await goModule(
        join(dir, 'hello'),
        'example.test/hello',
        'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n',
      );
    });

    it('builds once for concurrent callers, then returns the cached build without building', { timeout: 120_000 }, async () => {
      const cacheRoot = join(dir, 'cache-hello');
      const { logger, lines } = capturingLogger();
      let afterBuildRuns = 0;
      const spec: GoBuildSpec = {
        name: 'hello',
        version: 'v1.0.0',
        moduleDir,
        packages: ['.'],
        afterBuild: async (binDir) => {
          afterBuildRuns += 1;
          await writeFile(join(binDir, 'extra.txt'), 'added after the build\n');
        },
      };

      const [first, second] = await Promise.all([ensureGoBuild(spec, { cacheRoot, logger }), ensureGoBuild(spec, { cacheRoot, logger })]);

      expect(second).toBe(first);
      expect(first.startsWith(join(cacheRoot, 'hello-v1.0.0-'))).toBe(true);
      expect(afterBuildRuns).toBe(1);
      expect((await run(join(first, 'hello'))).stdout).toBe('hello\n');
      expect(await exists(join(first, 'extra.txt'))).toBe(true);
      expect(await exists(join(first, '..', '.complete'))).toBe(true);
      expect((await readdir(cacheRoot)).filter((entry) => entry.includes('.partial-'))).toEqual([]);
      const builds = (): number => lines.filter((line) => line.msg.startsWith('building from Go modules')).length;
      expect(builds()).toBe(1);

      const logLinesBefore = lines.length;
      const third = await ensureGoBuild(spec, { cacheRoot, logger });

      expect(third).toBe(first);
      expect(afterBuildRuns).toBe(1);
      expect(builds()).toBe(1);
      // A warm cache answers before even taking the lock.
      expect(lines.slice(logLinesBefore)).toEqual([]);
    });

    it('keys the cache by go.mod and go.sum, so a changed wrapper builds again', { timeout: 120_000 }, async () => {
      const cacheRoot = join(dir, 'cache-rekey');
      const { logger } = capturingLogger();
      const copy = await goModule(join(dir, 'hello-copy'), 'example.test/hello', 'package main\n\nfunc main() { println("v1") }\n');
      const spec: GoBuildSpec = { name: 'hello', version: 'v1.0.0', moduleDir: copy, packages: ['.'] };

      const before = await ensureGoBuild(spec, { cacheRoot, logger });
      await writeFile(join(copy, 'go.mod'), 'module example.test/hello\n\ngo 1.24\n\n// changed\n');
      const after = await ensureGoBuild(spec, { cacheRoot, logger });

      expect(after).not.toBe(before);
      expect(await exists(join(after, '..', '.complete'))).toBe(true);
      expect(await exists(join(before, '..', '.complete'))).toBe(true);
    });
  });
});

describe('ensureDebianPackages', () => {
  it('rejects a package apt cannot install with PACKAGE_UNAVAILABLE naming it', { timeout: 120_000 }, async () => {
    const { logger, lines } = capturingLogger();

    const error: unknown = await ensureDebianPackages(['gradual-no-such-package-xyz'], logger).catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'PACKAGE_UNAVAILABLE' });
    expect((error as SetupError).message).toMatch(/^apt-get could not install gradual-no-such-package-xyz \(exit code [1-9]\d*\)/);
    expect(lines.find((line) => line.msg.startsWith('installing Debian packages'))).toMatchObject({
      packages: ['gradual-no-such-package-xyz'],
    });
    expect(lines.map((line) => line.msg)).not.toContain('installed Debian packages');
  });

  it('does nothing for packages already installed', { timeout: 30_000 }, async () => {
    const { logger, lines } = capturingLogger();
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', 'git']);
    expect(stdout).toBe('install ok installed');

    await ensureDebianPackages(['git'], logger);

    expect(lines.filter((line) => line.msg.startsWith('installing Debian packages'))).toEqual([]);
    expect(lines).toEqual([]);
  });
});
