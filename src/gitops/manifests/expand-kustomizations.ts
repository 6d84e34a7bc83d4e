import { posix } from 'node:path';
import type { ManifestLimits } from '../../policies/index.js';
import { isKustomizationFile, kustomizationClosure } from './kustomization-files.js';
import { renderKustomization, type KustomizeOptions } from './render-kustomization.js';
import type { ManifestError, ManifestTree, ParsedManifests } from './types.js';

export interface ExpandedManifests {
  /** The commit's tree, where each rendered kustomization file reads as kustomize's output. */
  tree: ManifestTree;
  /** The files to parse: plain manifests, and each rendered kustomization file (standing for its output). */
  paths: string[];
  /** The kustomization files whose text is kustomize's output. */
  rendered: Set<string>;
  errors: ManifestError[];
}

function within(path: string, directory: string): boolean {
  return directory === '' || path === directory || path.startsWith(`${directory}/`);
}

/**
 * An environment's files, with every directory holding a kustomization rendered by kustomize: the
 * files under such a directory (and under every kustomization it reaches) are kustomize's input,
 * not manifests of their own, and a kustomization another one reaches (a base of an overlay) is
 * rendered only through it, so no object is planned twice.
 */
export async function expandKustomizations(
  tree: ManifestTree,
  paths: readonly string[],
  limits: ManifestLimits,
  kustomize: KustomizeOptions | undefined,
): Promise<ExpandedManifests> {
  const roots = paths.filter(isKustomizationFile);
  if (roots.length === 0) return { tree, paths: [...paths], rendered: new Set(), errors: [] };
  const dirOf = (file: string): string => (posix.dirname(file) === '.' ? '' : posix.dirname(file));
  const reached = new Map<string, Set<string>>();
  for (const root of roots) reached.set(root, (await kustomizationClosure(tree, root, limits)).directories);
  // A root another root reaches (besides itself) is rendered through that one.
  const top = roots.filter(
    (root) =>
      !roots.some(
        (other) => other !== root && reached.get(other)?.has(dirOf(root)) === true && reached.get(root)?.has(dirOf(other)) !== true,
      ),
  );
  const errors: ManifestError[] = [];
  const outputs = new Map<string, string>();
  const owned = new Set<string>();
  for (const root of top) {
    for (const directory of reached.get(root) ?? []) owned.add(directory);
    if (kustomize === undefined) {
      errors.push({
        file: root,
        line: 1,
        column: 1,
        message:
          'this is a kustomization, and the bot has no kustomize to render it with (the operator sets GRADUAL_KUSTOMIZE to a kustomize v5 executable)',
      });
      continue;
    }
    const rendered = await renderKustomization(tree, root, limits, kustomize);
    errors.push(...rendered.errors);
    if (rendered.text !== undefined) outputs.set(root, rendered.text);
  }
  const plain = paths.filter((path) => !isKustomizationFile(path) && ![...owned].some((directory) => within(path, directory)));
  const overlay: ManifestTree = {
    ...tree,
    listFiles: (globs) => tree.listFiles(globs),
    readFile: async (path) => outputs.get(path) ?? (await tree.readFile(path)),
    readFileWithin: async (path, maxBytes) => {
      const text = outputs.get(path);
      if (text === undefined) return tree.readFileWithin(path, maxBytes);
      const bytes = Buffer.byteLength(text);
      return bytes > maxBytes ? { bytes } : { bytes, text };
    },
  };
  return { tree: overlay, paths: [...plain, ...outputs.keys()].sort(), rendered: new Set(outputs.keys()), errors };
}

/**
 * Places in kustomize's output are not places in the repository: an error in it is reported at
 * the kustomization file's first line with the output's line in the message, and its objects are
 * located at that line too.
 */
export function locateInKustomizations(parsed: ParsedManifests, rendered: ReadonlySet<string>): ParsedManifests {
  if (rendered.size === 0) return parsed;
  return {
    objects: parsed.objects.map((object) =>
      rendered.has(object.file) ? { ...object, line: 1, column: 1, locate: () => ({ line: 1, column: 1 }) } : object,
    ),
    errors: parsed.errors.map((error) =>
      rendered.has(error.file) && error.line !== 1
        ? { ...error, line: 1, column: 1, message: `in kustomize's output, line ${String(error.line)}: ${error.message}` }
        : error,
    ),
  };
}
