import { describe, expect, it } from 'vitest';
import { defaultManifestLimits } from '../../policies/index.js';
import { kustomizationClosure, resolveKustomizePath } from './kustomization-files.js';
import { memoryTree as treeOf } from './testing/memory-tree.js';

describe('resolveKustomizePath: what a kustomization may name', () => {
  it.each([
    ['k/overlay', '../base', { path: 'k/base' }],
    ['k/overlay', 'patch.yaml', { path: 'k/overlay/patch.yaml' }],
    ['', 'app.yaml', { path: 'app.yaml' }],
    ['k', '..', { path: '' }],
    ['k/overlay', '../../..', { refused: '"../../.." points outside the repository' }],
    ['', '../secrets', { refused: '"../secrets" points outside the repository' }],
    ['k', '/etc/passwd', { refused: '"/etc/passwd" is an absolute path: kustomizations may only name files of the repository' }],
    ['k', 'https://example.com/app.yaml', { refused: expect.stringContaining('is a URL') as unknown }],
    ['k', 'github.com/acme/app//deploy?ref=v1', { refused: expect.stringContaining('is a URL') as unknown }],
    ['k', 'git@github.com:acme/app.git', { refused: expect.stringContaining('is a URL') as unknown }],
    ['k', 'file:///etc/passwd', { refused: expect.stringContaining('is a URL') as unknown }],
  ])('in %j, %j gives %j', (directory, entry, expected) => {
    expect(resolveKustomizePath(directory, entry)).toEqual(expected);
  });
});

describe('kustomizationClosure: the files kustomize may read, and the refusals', () => {
  const base = {
    'k/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'k/base/deployment.yaml': 'kind: Deployment\n',
    'k/base/unrelated.yaml': 'kind: Secret\n',
  };

  it('follows an overlay to its base, patches and generator files; leaves the rest of the repository out', async () => {
    const tree = treeOf({
      ...base,
      'k/prod/kustomization.yaml':
        'resources: [../base]\npatches: [{ path: replicas.yaml }]\nconfigMapGenerator: [{ name: c, files: [key=app.properties], envs: [.env] }]\n',
      'k/prod/replicas.yaml': 'spec: {}\n',
      'k/prod/app.properties': 'a=b\n',
      'k/prod/.env': 'A=B\n',
      'secrets/token': 'hush',
    });
    const closure = await kustomizationClosure(tree, 'k/prod/kustomization.yaml', defaultManifestLimits);
    expect(closure.errors).toEqual([]);
    expect([...closure.directories].sort()).toEqual(['k/base', 'k/prod']);
    expect([...closure.files.keys()].sort()).toEqual([
      'k/base/deployment.yaml',
      'k/base/kustomization.yaml',
      'k/prod/.env',
      'k/prod/app.properties',
      'k/prod/kustomization.yaml',
      'k/prod/replicas.yaml',
    ]);
  });

  it.each([
    ['a remote base', 'resources: [github.com/acme/app//base?ref=main]\n', 'resources: "github.com/acme/app//base?ref=main" is a URL'],
    ['an HTTP resource', 'resources: [https://raw.example.com/app.yaml]\n', 'resources: "https://raw.example.com/app.yaml" is a URL'],
    ['a base outside the repository', 'resources: [../../../etc]\n', 'resources: "../../../etc" points outside the repository'],
    [
      'a generator file outside the repository',
      'secretGenerator: [{ name: s, files: [../../../../root/.ssh/id_rsa] }]\n',
      'secretGenerator.files: "../../../../root/.ssh/id_rsa" points outside the repository',
    ],
    [
      'a path that is not in the commit (kustomize would try it as a remote)',
      'resources: [missing]\n',
      'resources: "missing" is neither a file nor a directory with a kustomization',
    ],
    ['helm charts', 'helmCharts: [{ name: x, repo: https://charts.example.com }]\n', 'helmCharts is not supported'],
    ['exec or container functions', 'transformers: [fn.yaml]\n', 'transformers is not supported'],
    ['generators', 'generators: [gen.yaml]\n', 'generators is not supported'],
  ])('refuses %s at the kustomization', async (_name, kustomization, message) => {
    const tree = treeOf({ ...base, 'k/prod/kustomization.yaml': kustomization });
    const closure = await kustomizationClosure(tree, 'k/prod/kustomization.yaml', defaultManifestLimits);
    expect(closure.errors).toEqual([
      { file: 'k/prod/kustomization.yaml', line: 1, column: 1, message: expect.stringContaining(message) as unknown },
    ]);
  });

  it('stops a loop of bases and keeps the files within manifestLimits', async () => {
    const loop = treeOf({ 'a/kustomization.yaml': 'resources: [../b]\n', 'b/kustomization.yaml': 'resources: [../a]\n' });
    expect((await kustomizationClosure(loop, 'a/kustomization.yaml', defaultManifestLimits)).errors).toEqual([]);
    const big = treeOf({ 'k/kustomization.yaml': 'resources: [big.yaml]\n', 'k/big.yaml': 'x'.repeat(2000) });
    const closure = await kustomizationClosure(big, 'k/kustomization.yaml', { ...defaultManifestLimits, fileBytes: 1000 });
    expect(closure.errors.map((error) => error.message)).toEqual([
      expect.stringContaining('k/big.yaml is 2000 bytes, more than 1000 (manifestLimits.fileBytes'),
    ]);
  });
});
