import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ManifestLimits } from '../../policies/index.js';
import { kustomizationClosure } from './kustomization-files.js';
import type { ManifestError, ManifestTree } from './types.js';

/** How the bot runs kustomize: the `kustomize` executable (v5, as kubectl embeds it) and how long one build may take. */
export interface KustomizeOptions {
  binary: string;
  timeoutMs?: number;
}

export interface RenderedKustomization {
  /** kustomize's output (YAML documents); undefined when refused or failed. */
  text?: string;
  /** Directories of every kustomization the root reached: their files are kustomize's, not plain manifests. */
  directories: Set<string>;
  errors: ManifestError[];
}

const stderrKept = 4096;

/**
 * Renders the kustomization at `file`: its closure (kustomization-files.ts) is checked and written
 * to a fresh directory holding nothing else, and `kustomize build` runs there with the load
 * restrictor on, no plugin, exec or helm flag, no PATH (no git to clone with), a proxy on a
 * closed loopback port (no HTTP leaves the machine even if a fetch were attempted), a time limit
 * and the output capped at manifestLimits.fileBytes. Any refusal or failure is an error at the
 * kustomization file, with kustomize's own words.
 */
export async function renderKustomization(
  tree: ManifestTree,
  file: string,
  limits: ManifestLimits,
  options: KustomizeOptions,
): Promise<RenderedKustomization> {
  const closure = await kustomizationClosure(tree, file, limits);
  if (closure.errors.length > 0) return { directories: closure.directories, errors: closure.errors };
  const work = await mkdtemp(join(tmpdir(), 'gradual-kustomize-'));
  try {
    const root = join(work, 'repo');
    for (const [path, text] of closure.files) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      // Written as regular files: a symlink in git arrives as its target's name, never as a link.
      await writeFile(join(root, path), text);
    }
    const directory = dirname(file) === '.' ? '' : dirname(file);
    const result = await runBounded(options.binary, ['build', '--load-restrictor=LoadRestrictionsRootOnly', join(root, directory)], {
      cwd: work,
      env: {
        HOME: work,
        PATH: '',
        HTTP_PROXY: 'http://127.0.0.1:9',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: '',
        KUSTOMIZE_PLUGIN_HOME: join(work, 'no-plugins'),
      },
      maxStdout: limits.fileBytes,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    const fail = (message: string): RenderedKustomization => ({
      directories: closure.directories,
      errors: [{ file, line: 1, column: 1, message }],
    });
    if (result.kind === 'spawn-failed') return fail(`kustomize could not be run (${options.binary}): ${result.message}`);
    if (result.kind === 'too-long')
      return fail(
        `kustomize's output passed ${String(limits.fileBytes)} bytes (manifestLimits.fileBytes of the repository policy); it was not parsed`,
      );
    if (result.kind === 'timed-out') return fail(`kustomize build took longer than ${String((options.timeoutMs ?? 30_000) / 1000)} s`);
    if (result.code !== 0) {
      const said = result.stderr.split(`${root}/`).join('').split(root).join('.').trim();
      return fail(`kustomize build failed (exit code ${String(result.code)}): ${said}`);
    }
    return { text: result.stdout, directories: closure.directories, errors: [] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

type BoundedResult =
  | { kind: 'done'; code: number; stdout: string; stderr: string }
  | { kind: 'too-long' }
  | { kind: 'timed-out' }
  | { kind: 'spawn-failed'; message: string };

function runBounded(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; maxStdout: number; timeoutMs: number },
): Promise<BoundedResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let ended: BoundedResult | undefined;
    const stop = (result: BoundedResult): void => {
      ended ??= result;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop({ kind: 'timed-out' });
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > options.maxStdout) stop({ kind: 'too-long' });
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < stderrKept) stderr += chunk.toString('utf8').slice(0, stderrKept - stderr.length);
    });
    child.on('error', (cause) => {
      clearTimeout(timer);
      ended ??= { kind: 'spawn-failed', message: cause.message };
      resolve(ended);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(ended ?? { kind: 'done', code: code ?? 1, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
  });
}
