import { describe, expect, it } from 'vitest';
import { defaultManifestLimits, type ManifestLimits } from '../../policies/index.js';
import { newManifestBudget, readBoundedManifests } from './read-bounded-manifests.js';
import { memoryTree } from './testing/memory-tree.js';
import type { ManifestTree } from './types.js';

/** A tree over in-memory files that records which files were read; no globs list nothing. */
function treeOf(files: Record<string, string>): ManifestTree & { reads: string[] } {
  const tree = memoryTree(files);
  return { ...tree, listFiles: (globs) => (globs.length === 0 ? Promise.resolve([]) : tree.listFiles(globs)) };
}

const configMap = (name: string, extra = ''): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n${extra}`;
const limits = (overrides: Partial<ManifestLimits>): ManifestLimits => ({ ...defaultManifestLimits, ...overrides });

describe("readBoundedManifests: the policy's size caps, a plan error at the file", () => {
  it('under the caps, the objects are parsed as parseManifests does', async () => {
    const tree = treeOf({ 'a.yaml': configMap('a'), 'b.yaml': configMap('b') });
    const parsed = await readBoundedManifests(tree, ['a.yaml', 'b.yaml'], { namespace: 'ns', limits: defaultManifestLimits });
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map((object) => object.ref.name)).toEqual(['a', 'b']);
  });

  it.each([
    {
      name: 'a file over fileBytes is not decoded',
      files: { 'a.yaml': configMap('a'), 'big.yaml': configMap('big', `  blob: "${'x'.repeat(2000)}"\n`) },
      limits: limits({ fileBytes: 1000 }),
      error: {
        file: 'big.yaml',
        line: 1,
        column: 1,
        message: /^the file is 2\d{3} bytes, more than 1000 \(manifestLimits.fileBytes of the repository policy\); it was not parsed$/u,
      },
    },
    {
      name: 'a file over fileNodes, at the line where the cap was passed',
      files: { 'keys.yaml': configMap('keys', Array.from({ length: 100 }, (_, index) => `  k${String(index)}: v\n`).join('')) },
      limits: limits({ fileNodes: 50 }),
      // 10 nodes on lines 1-6, then two a line: node 51 is the key on line 7 + 20.
      error: { file: 'keys.yaml', line: 27, column: 3, message: /more than 50 YAML nodes \(manifestLimits.fileNodes/u },
    },
    {
      name: 'a file over fileObjects, at the first document past the cap',
      files: { 'many.yaml': Array.from({ length: 5 }, (_, index) => configMap(`m${String(index)}`)).join('---\n') },
      limits: limits({ fileObjects: 3 }),
      error: { file: 'many.yaml', line: 21, column: 1, message: /more than 3 documents \(manifestLimits.fileObjects/u },
    },
    {
      name: 'the pull request over pullRequestBytes, at the file that passes it',
      files: { 'a.yaml': configMap('a'), 'b.yaml': configMap('b'), 'c.yaml': configMap('c') },
      limits: limits({ pullRequestBytes: 150 }),
      error: {
        file: 'c.yaml',
        line: 1,
        column: 1,
        message: /the pull request's manifests are 192 bytes, more than 150 \(manifestLimits.pullRequestBytes/u,
      },
    },
    {
      name: 'the pull request over pullRequestNodes',
      files: { 'a.yaml': configMap('a'), 'b.yaml': configMap('b') },
      limits: limits({ pullRequestNodes: 15 }),
      error: { file: 'b.yaml', line: 4, column: 3, message: /pass 15 YAML nodes \(manifestLimits.pullRequestNodes/u },
    },
    {
      name: 'the pull request over pullRequestObjects',
      files: { 'a.yaml': `${configMap('a1')}---\n${configMap('a2')}`, 'b.yaml': `${configMap('b1')}---\n${configMap('b2')}` },
      limits: limits({ pullRequestObjects: 3 }),
      error: { file: 'b.yaml', line: 7, column: 1, message: /pass 3 documents \(manifestLimits.pullRequestObjects/u },
    },
  ])('$name', async ({ files, limits: caps, error }) => {
    const tree = treeOf(files);
    const parsed = await readBoundedManifests(tree, Object.keys(files), { namespace: 'ns', limits: caps });
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ file: error.file, line: error.line, column: error.column });
    expect(parsed.errors[0]?.message).toMatch(error.message);
    // With any error nothing is applied.
    expect(parsed.objects).toEqual([]);
  });

  it('once the pull request is over a cap, the files after it are not read', async () => {
    const tree = treeOf({ 'a.yaml': configMap('a'), 'b.yaml': configMap('b'), 'c.yaml': configMap('c') });
    await readBoundedManifests(tree, ['a.yaml', 'b.yaml', 'c.yaml'], { namespace: 'ns', limits: limits({ pullRequestBytes: 100 }) });
    expect(tree.reads).toEqual(['a.yaml', 'b.yaml']);
  });

  it("the budget is the pull request's: environments add up, a file shared by two counts once", async () => {
    const tree = treeOf({ 'a.yaml': configMap('a'), 'b.yaml': configMap('b'), 'shared.yaml': configMap('s') });
    const budget = newManifestBudget();
    const caps = limits({ pullRequestObjects: 3 });
    expect((await readBoundedManifests(tree, ['a.yaml', 'shared.yaml'], { namespace: 'ns', limits: caps, budget })).errors).toEqual([]);
    expect((await readBoundedManifests(tree, ['shared.yaml', 'b.yaml'], { namespace: 'ns', limits: caps, budget })).errors).toEqual([]);
    expect(budget.objects).toBe(3);
    const third = await readBoundedManifests(treeOf({ 'c.yaml': configMap('c') }), ['c.yaml'], { namespace: 'ns', limits: caps, budget });
    expect(third.errors[0]?.message).toMatch(/pullRequestObjects/u);
  });

  it('a duplicate key is an error at the second key, as before', async () => {
    const tree = treeOf({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n' });
    const parsed = await readBoundedManifests(tree, ['a.yaml'], { namespace: 'ns', limits: defaultManifestLimits });
    expect(parsed.errors).toEqual([{ file: 'a.yaml', line: 5, column: 3, message: 'YAML: Map keys must be unique' }]);
  });

  it('40,000 keys parse in linear time', { timeout: 60_000 }, async () => {
    const keys = 40_000;
    const text = configMap('big', Array.from({ length: keys }, (_, index) => `  k${String(index)}: v\n`).join(''));
    const tree = treeOf({ 'big.yaml': text });
    const started = performance.now();
    const parsed = await readBoundedManifests(tree, ['big.yaml'], { namespace: 'ns', limits: defaultManifestLimits });
    const elapsed = performance.now() - started;
    console.log(`${String(keys)} keys (${String(text.length)} bytes) read and parsed in ${elapsed.toFixed(0)} ms`);
    expect(parsed.errors).toEqual([]);
    expect(Object.keys((parsed.objects[0]?.object as { data: object }).data)).toHaveLength(keys + 1);
    // yaml's own duplicate-key check made this quadratic: 40,000 keys took over a minute here.
    expect(elapsed).toBeLessThan(30_000);
  });
});
