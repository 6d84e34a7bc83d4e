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
  /*
   * isomorphic-git inflates a blob whole (a packed object's size is in its header, but it
   * offers no way to read only that); what a size cap saves is the decoded string and all
   * parsing after it, which cost many times the blob.
   */
  async function readBlob(path: string, maxBytes = Number.POSITIVE_INFINITY): Promise<{ bytes: number; text?: string } | undefined> {
    try {
      const { blob } = await git.readBlob({ fs, gitdir, oid: sha, filepath: path, cache });
      if (blob.byteLength > maxBytes) return { bytes: blob.byteLength };
      return { bytes: blob.byteLength, text: new TextDecoder('utf-8').decode(blob) };
    } catch (error) {
      if (error instanceof git.Errors.NotFoundError) return undefined;
      throw new Error(`reading ${path} at ${sha}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
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
      return (await readBlob(path))?.text;
    },
    async readFileWithin(path, maxBytes) {
      return readBlob(path, maxBytes);
    },
  };
}
