import fs from 'node:fs';
import * as git from 'isomorphic-git';
import picomatch from 'picomatch';
import type { FetchStats, ManifestTree } from './types.js';

/**
 * The files of commit `sha` in the object store at `gitdir`, read on demand.
 * The file list is read once per tree; the isomorphic-git cache object is
 * shared by the tree's reads, so packfile indexes are parsed once.
 */
export function createManifestTree(options: { gitdir: string; sha: string; fetch: FetchStats }): ManifestTree {
  const { gitdir, sha } = options;
  const cache = {};
  let allFiles: Promise<string[]> | undefined;
  return {
    sha,
    fetch: options.fetch,
    async listFiles(globs) {
      allFiles ??= git.listFiles({ fs, gitdir, ref: sha, cache });
      const files = await allFiles;
      if (globs.length === 0) return [];
      const matches = picomatch([...globs]);
      return files.filter((file) => matches(file)).sort();
    },
    async readFile(path) {
      try {
        const { blob } = await git.readBlob({ fs, gitdir, oid: sha, filepath: path, cache });
        return new TextDecoder('utf-8').decode(blob);
      } catch (error) {
        if (error instanceof git.Errors.NotFoundError) return undefined;
        throw new Error(`reading ${path} at ${sha}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    },
  };
}
