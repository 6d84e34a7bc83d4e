import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Logger } from '../log/index.js';
import { ensureWritableDir } from './cache-dir.js';
import { SetupError } from './errors.js';

/** One wrapper Go module and the commands to build from it. */
export interface GoBuildSpec {
  /** Cache key prefix and the name people see in progress lines, e.g. `kubernetes`. */
  name: string;
  version: string;
  /** Folder holding the wrapper's go.mod and go.sum. */
  moduleDir: string;
  /** Import paths of the `main` packages to build; each becomes `bin/<last path element>`. */
  packages: string[];
  ldflags?: string[];
  /** Runs after a successful build, with the fresh bin folder, to add files the binaries need (e.g. KWOK's stages). */
  afterBuild?: (binDir: string) => Promise<void>;
}

export interface GoBuildOptions {
  cacheRoot: string;
  logger: Logger;
  /** How often a progress line is logged while Go compiles. */
  progressIntervalMs?: number;
}

const completeMarker = '.complete';
const lastLinesKept = 25;

/**
 * Builds a wrapper module once into `<cacheRoot>/<name>-<version>-<hash>/bin`
 * and returns that folder. The key includes a hash of go.mod and go.sum so a
 * changed wrapper never reuses a stale build. A lock file makes concurrent
 * callers (parallel test workers, two `local up`s) wait for one build instead
 * of building twice; the output is renamed into place only when complete.
 */
export async function ensureGoBuild(spec: GoBuildSpec, options: GoBuildOptions): Promise<string> {
  const key = `${spec.name}-${spec.version}-${await wrapperHash(spec.moduleDir)}`;
  const finalDir = join(options.cacheRoot, key);
  const binDir = join(finalDir, 'bin');
  if (await exists(join(finalDir, completeMarker))) return binDir;

  await ensureWritableDir(options.cacheRoot);
  const lockTarget = join(options.cacheRoot, `${key}.lock-target`);
  await writeFile(lockTarget, '', { flag: 'a' });
  options.logger.info({ component: spec.name, version: spec.version }, 'waiting for the build lock');
  const release = await lockfile.lock(lockTarget, {
    stale: 30_000,
    update: 5_000,
    // A cold Kubernetes build takes many minutes on two cores; a waiter must outlast it.
    retries: { retries: 2_000, minTimeout: 1_000, maxTimeout: 2_000, factor: 1 },
  });
  try {
    if (await exists(join(finalDir, completeMarker))) return binDir;
    const workDir = join(options.cacheRoot, `${key}.partial-${String(process.pid)}`);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(join(workDir, 'bin'), { recursive: true });
    try {
      await runGoBuild(spec, join(workDir, 'bin'), options);
      await spec.afterBuild?.(join(workDir, 'bin'));
    } catch (cause) {
      // A failed build leaves nothing in the cache: the next attempt starts clean.
      await rm(workDir, { recursive: true, force: true });
      throw cause;
    }
    await writeFile(join(workDir, completeMarker), `${new Date().toISOString()}\n`);
    await rm(finalDir, { recursive: true, force: true });
    await rename(workDir, finalDir);
    return binDir;
  } finally {
    await release();
  }
}

async function runGoBuild(spec: GoBuildSpec, outDir: string, options: GoBuildOptions): Promise<void> {
  const args = ['build', '-v', '-trimpath', '-o', `${outDir}/`];
  if (spec.ldflags !== undefined) args.push('-ldflags', spec.ldflags.join(' '));
  args.push(...spec.packages);
  const log = options.logger.child({ component: spec.name, version: spec.version });
  const startedAt = Date.now();
  log.info({ packages: spec.packages, outDir }, 'building from Go modules (first time only; this takes minutes)');

  const lastLines: string[] = [];
  let compiled = 0;
  // Output arrives in chunks that may end mid-line; the unfinished tail waits for the next chunk.
  let partialLine = '';
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: spec.moduleDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const progress = setInterval(() => {
      log.info({ packagesCompiled: compiled, elapsedSeconds: Math.round((Date.now() - startedAt) / 1000) }, 'still building');
    }, options.progressIntervalMs ?? 15_000);
    const onChunk = (chunk: Buffer): void => {
      const lines = (partialLine + chunk.toString('utf8')).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        // `go build -v` names each package as it compiles it: a cheap progress count.
        compiled += 1;
        lastLines.push(line);
        if (lastLines.length > lastLinesKept) lastLines.shift();
      }
    };
    child.stdout.on('data', onChunk);
    child.stderr.on('data', onChunk);
    child.on('error', (cause) => {
      clearInterval(progress);
      reject(
        new SetupError('GO_BUILD_FAILED', `Could not run the Go toolchain to build ${spec.name} ${spec.version}: ${cause.message}`, {
          cause,
        }),
      );
    });
    child.on('close', (code) => {
      clearInterval(progress);
      if (partialLine.trim() !== '') lastLines.push(partialLine);
      resolve(code ?? 1);
    });
  });
  if (exitCode !== 0) {
    throw new SetupError(
      'GO_BUILD_FAILED',
      `go build of ${spec.name} ${spec.version} (wrapper module ${spec.moduleDir}) failed with exit code ${String(exitCode)}. Last lines of Go's output:\n${lastLines.join('\n')}`,
    );
  }
  log.info({ elapsedSeconds: Math.round((Date.now() - startedAt) / 1000) }, 'built');
}

async function wrapperHash(moduleDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) {
    hash.update(await readFile(join(moduleDir, file)).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex').slice(0, 10);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
