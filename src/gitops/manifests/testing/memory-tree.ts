import type { ManifestTree } from '../types.js';

/**
 * A manifest tree over in-memory files (path → text), for tests: every file is listed for any
 * globs, a read past `maxBytes` gets the size without the text (as the git tree answers), and
 * `reads` records which files were read within a bound.
 */
export function memoryTree(files: Readonly<Record<string, string>>): ManifestTree & { reads: string[] } {
  const reads: string[] = [];
  return {
    sha: 'a'.repeat(40),
    fetch: { kind: 'cached', objects: 0, bytes: 0 },
    reads,
    listFiles: () => Promise.resolve(Object.keys(files).sort()),
    readFile: (path) => Promise.resolve(files[path]),
    readFileWithin(path, maxBytes) {
      reads.push(path);
      const text = files[path];
      if (text === undefined) return Promise.resolve(undefined);
      const bytes = Buffer.byteLength(text);
      return Promise.resolve(bytes > maxBytes ? { bytes } : { bytes, text });
    },
  };
}
