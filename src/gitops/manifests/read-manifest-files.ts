import type { ManifestFileText, ManifestTree } from './types.js';

/** The text of every file of the tree matching the globs, ready for parseManifests. */
export async function readManifestFiles(tree: ManifestTree, globs: readonly string[]): Promise<ManifestFileText[]> {
  const files: ManifestFileText[] = [];
  for (const path of await tree.listFiles(globs)) {
    const text = await tree.readFile(path);
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}
