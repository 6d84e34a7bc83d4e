import { posix } from 'node:path';
import { parse } from 'yaml';
import { measureYaml } from '../../api/index.js';
import type { ManifestLimits } from '../../policies/index.js';
import type { ManifestError, ManifestTree } from './types.js';

/*
 * A kustomization is hostile input that names other files: before kustomize runs, every path it
 * (and each kustomization it reaches) names is checked against the repository at the commit. A
 * URL or a path leaving the repository is refused here, so kustomize never fetches anything (a
 * local path that does not exist would make it try git or HTTP); the fields that run plugins or
 * programs (helm, exec and container functions, Go plugins) are refused outright. Only the
 * files found this way are written out for kustomize, so it cannot read anything else.
 */

/** The names kustomize looks for in a directory, in its order. */
export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** Fields that run helm, exec/container KRM functions or Go plugins. */
const refusedFields = ['helmCharts', 'helmGlobals', 'helmChartInflationGenerator', 'generators', 'transformers', 'validators'] as const;

/** At most this many kustomizations per root: a chain of bases deeper than this is a loop or an attack. */
const maxKustomizations = 100;

export interface KustomizationClosure {
  /** Every repository path kustomize may read for this root (kustomizations and the files they name). */
  files: Map<string, string>;
  /** Directories of the kustomizations reached from the root (the root included). */
  directories: Set<string>;
  errors: ManifestError[];
}

export function isKustomizationFile(path: string): boolean {
  return (kustomizationFileNames as readonly string[]).includes(posix.basename(path));
}

/** A path as kustomize reads it relative to a kustomization's directory; a URL, an absolute path or one leaving the repository is a reason string. */
export function resolveKustomizePath(directory: string, entry: string): { path: string } | { refused: string } {
  // scheme:… (https:, git:, file:, ssh:), scp-like git@host:, kustomize's `host/org/repo//dir?ref=` remote form.
  if (/^[a-z][a-z0-9+.-]*:/iu.test(entry) || /^[^/]*@[^/]*:/u.test(entry) || entry.includes('//') || entry.includes('?')) {
    return { refused: `${JSON.stringify(entry)} is a URL: remote bases and resources are not fetched (vendor them into the repository)` };
  }
  if (entry.startsWith('/'))
    return { refused: `${JSON.stringify(entry)} is an absolute path: kustomizations may only name files of the repository` };
  const path = posix.normalize(posix.join(directory === '' ? '.' : directory, entry));
  if (path === '..' || path.startsWith('../')) return { refused: `${JSON.stringify(entry)} points outside the repository` };
  return { path: path === '.' ? '' : path };
}

/** Reads every kustomization reachable from the one at `file` and the files they name, within the manifest limits. */
export async function kustomizationClosure(tree: ManifestTree, file: string, limits: ManifestLimits): Promise<KustomizationClosure> {
  const files = new Map<string, string>();
  const directories = new Set<string>();
  const errors: ManifestError[] = [];
  let bytes = 0;
  const fail = (at: string, message: string): void => {
    errors.push({ file: at, line: 1, column: 1, message });
  };

  async function readCounted(at: string, path: string): Promise<string | undefined> {
    if (files.has(path)) return files.get(path);
    const read = await tree.readFileWithin(path, limits.fileBytes);
    if (read === undefined) return undefined;
    if (read.text === undefined) {
      fail(
        at,
        `${path} is ${String(read.bytes)} bytes, more than ${String(limits.fileBytes)} (manifestLimits.fileBytes of the repository policy)`,
      );
      return '';
    }
    bytes += read.bytes;
    if (bytes > limits.pullRequestBytes) {
      fail(
        at,
        `the kustomization's files pass ${String(limits.pullRequestBytes)} bytes (manifestLimits.pullRequestBytes of the repository policy)`,
      );
      return '';
    }
    files.set(path, read.text);
    return read.text;
  }

  async function kustomizationIn(directory: string): Promise<string | undefined> {
    for (const name of kustomizationFileNames) {
      const candidate = directory === '' ? name : `${directory}/${name}`;
      // A path through a file is an error from git, not a miss: either way there is no kustomization.
      if ((await tree.readFileWithin(candidate, 0).catch(() => undefined)) !== undefined) return candidate;
    }
    return undefined;
  }

  /** A file kustomize reads (a patch, a generator's source): it must exist at the commit. */
  async function needFile(at: string, directory: string, entry: unknown, field: string): Promise<void> {
    if (typeof entry !== 'string') return;
    const resolved = resolveKustomizePath(directory, entry);
    if ('refused' in resolved) {
      fail(at, `${field}: ${resolved.refused}`);
      return;
    }
    if ((await readCounted(at, resolved.path)) === undefined)
      fail(at, `${field}: ${JSON.stringify(entry)} is not a file of the repository at this commit`);
  }

  /** A resource, base or component: a file, or a directory with a kustomization of its own. */
  async function needResource(at: string, directory: string, entry: unknown, field: string): Promise<void> {
    if (typeof entry !== 'string') return;
    const resolved = resolveKustomizePath(directory, entry);
    if ('refused' in resolved) {
      fail(at, `${field}: ${resolved.refused}`);
      return;
    }
    const nested = await kustomizationIn(resolved.path);
    if (nested !== undefined) return visit(nested);
    // A directory path reads as a blob error in git; a kustomization or a file is all kustomize accepts locally.
    const text = await readCounted(at, resolved.path).catch(() => undefined);
    if (text === undefined)
      fail(
        at,
        `${field}: ${JSON.stringify(entry)} is neither a file nor a directory with a kustomization in the repository at this commit`,
      );
  }

  async function visit(path: string): Promise<void> {
    const directory = posix.dirname(path) === '.' ? '' : posix.dirname(path);
    if (directories.has(directory)) return;
    if (directories.size >= maxKustomizations) {
      fail(path, `more than ${String(maxKustomizations)} kustomizations are reached from here`);
      return;
    }
    directories.add(directory);
    const text = await readCounted(path, path);
    if (text === undefined || text === '') return;
    const measured = measureYaml(text, { nodes: limits.fileNodes, documents: 1 });
    if (measured.over !== undefined) {
      fail(
        path,
        `the kustomization has more than ${measured.over.what === 'nodes' ? `${String(limits.fileNodes)} YAML nodes` : 'one document'}`,
      );
      return;
    }
    let value: unknown;
    try {
      value = parse(text, { maxAliasCount: 0 });
    } catch (cause) {
      fail(path, `YAML: ${cause instanceof Error ? cause.message : String(cause)}`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail(path, 'a kustomization must be a map of fields');
      return;
    }
    const k = value as Record<string, unknown>;
    for (const field of refusedFields) {
      if (k[field] !== undefined)
        fail(
          path,
          `${field} is not supported: it can run plugins or programs (helm, exec or container functions); render those yourself and commit the output`,
        );
    }
    for (const field of ['resources', 'bases', 'components'] as const) {
      for (const entry of list(k[field])) await needResource(path, directory, entry, field);
    }
    for (const entry of list(k.patchesStrategicMerge)) {
      // An inline patch is YAML text (a newline or a colon), a path is not.
      if (typeof entry === 'string' && !entry.includes('\n') && !entry.includes(': '))
        await needFile(path, directory, entry, 'patchesStrategicMerge');
    }
    for (const field of ['patches', 'patchesJson6902', 'replacements'] as const) {
      for (const entry of list(k[field])) await needFile(path, directory, (entry as { path?: unknown } | null)?.path, field);
    }
    for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
      for (const generator of list(k[field])) {
        const g = (generator ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
        // `key=path` names the key; the path is after the first `=`.
        for (const source of list(g.files))
          await needFile(path, directory, typeof source === 'string' ? source.slice(source.indexOf('=') + 1) : source, `${field}.files`);
        for (const source of [...list(g.envs), g.env]) await needFile(path, directory, source, `${field}.envs`);
      }
    }
    for (const field of ['crds', 'configurations'] as const) {
      for (const entry of list(k[field])) await needFile(path, directory, entry, field);
    }
    await needFile(path, directory, (k.openapi as { path?: unknown } | undefined)?.path, 'openapi.path');
  }

  await visit(file);
  return { files, directories, errors };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
