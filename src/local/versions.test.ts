import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { infraModulesDir } from './binaries.js';
import { pinnedVersions } from './versions.js';

interface GoMod {
  /** module path → version, from `require` lines (single-line and block form). */
  requires: Map<string, string>;
  /** replaced module path → replacement path and version, from `replace` lines. */
  replaces: Map<string, { path: string; version: string }>;
}

/** Just enough of go.mod: a regex per line, tracking whether we are inside a `require (` or `replace (` block. */
function parseGoMod(text: string): GoMod {
  const requires = new Map<string, string>();
  const replaces = new Map<string, { path: string; version: string }>();
  let block: 'require' | 'replace' | 'other' | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block !== undefined) {
      if (line === ')') {
        block = undefined;
        continue;
      }
    } else {
      const opened = /^(\w+)\s*\($/.exec(line);
      if (opened !== null) {
        block = opened[1] === 'require' || opened[1] === 'replace' ? opened[1] : 'other';
        continue;
      }
    }
    const single = /^(require|replace)\s+(.*)$/.exec(line);
    const kind = block ?? (single?.[1] as 'require' | 'replace' | undefined);
    const body = block === undefined ? single?.[2] : line;
    if (kind === undefined || body === undefined) continue;
    if (kind === 'require') {
      const match = /^(\S+)\s+(\S+)$/.exec(body);
      if (match?.[1] !== undefined && match[2] !== undefined) requires.set(match[1], match[2]);
    } else if (kind === 'replace') {
      const match = /^(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+(\S+))?$/.exec(body);
      if (match?.[1] !== undefined && match[2] !== undefined) replaces.set(match[1], { path: match[2], version: match[3] ?? '' });
    }
  }
  return { requires, replaces };
}

async function readGoMod(
  module: 'kubernetes' | 'kubectl' | 'etcd' | 'kwok' | 'argo-rollouts' | 'argo-rollouts-plugin' | 'kustomize',
): Promise<GoMod> {
  return parseGoMod(await readFile(join(infraModulesDir, module, 'go.mod'), 'utf8'));
}

describe('parseGoMod (the helper this file relies on)', () => {
  it('reads single-line and block requires and replaces, ignoring comments and tool blocks', () => {
    const parsed = parseGoMod(
      [
        '// a comment',
        'module example.test/x',
        'go 1.24.0',
        'require a.test/one v1.2.3',
        'require (',
        '\tb.test/two v0.0.0 // indirect',
        ')',
        'tool (',
        '\tb.test/two/cmd/tool',
        ')',
        'replace b.test/two => b.test/two v0.4.5',
        'replace (',
        '\tc.test/three v1.0.0 => ../three',
        ')',
      ].join('\n'),
    );

    expect(Object.fromEntries(parsed.requires)).toEqual({ 'a.test/one': 'v1.2.3', 'b.test/two': 'v0.0.0' });
    expect(Object.fromEntries(parsed.replaces)).toEqual({
      'b.test/two': { path: 'b.test/two', version: 'v0.4.5' },
      'c.test/three': { path: '../three', version: '' },
    });
  });
});

describe('pinned versions agree with the Go wrapper modules', () => {
  it.each([
    { module: 'kubernetes', dependency: 'k8s.io/kubernetes', pinned: pinnedVersions.kubernetes },
    { module: 'kubectl', dependency: 'k8s.io/kubernetes', pinned: pinnedVersions.kubernetes },
    { module: 'etcd', dependency: 'go.etcd.io/etcd/server/v3', pinned: pinnedVersions.etcd },
    { module: 'kwok', dependency: 'sigs.k8s.io/kwok', pinned: pinnedVersions.kwok },
    { module: 'argo-rollouts', dependency: 'github.com/argoproj/argo-rollouts', pinned: pinnedVersions.argoRollouts },
    { module: 'argo-rollouts-plugin', dependency: 'github.com/argoproj/argo-rollouts', pinned: pinnedVersions.argoRollouts },
    { module: 'kustomize', dependency: 'sigs.k8s.io/kustomize/kustomize/v5', pinned: pinnedVersions.kustomize },
  ] as const)('test/infra/$module/go.mod requires $dependency at the pinned $pinned', async ({ module, dependency, pinned }) => {
    const goMod = await readGoMod(module);

    expect(goMod.requires.get(dependency)).toBe(pinned);
  });

  it('replaces every k8s.io staging module with its published v0.<minor>.<patch> matching the pinned Kubernetes', async () => {
    const match = /^v1\.(\d+)\.(\d+)$/.exec(pinnedVersions.kubernetes);
    expect(match, `pinned Kubernetes version ${pinnedVersions.kubernetes} is not v1.<minor>.<patch>`).not.toBeNull();
    const stagingVersion = `v0.${match?.[1] ?? ''}.${match?.[2] ?? ''}`;
    const goMod = await readGoMod('kubernetes');

    const k8sReplaces = [...goMod.replaces].filter(([path]) => path.startsWith('k8s.io/'));
    // k8s.io/kubernetes has some thirty staging modules; an empty or truncated replace block must not pass vacuously.
    expect(k8sReplaces.length).toBeGreaterThanOrEqual(25);
    for (const [path, replacement] of k8sReplaces) {
      expect({ path, replacement }).toEqual({ path, replacement: { path, version: stagingVersion } });
    }
  });

  it("builds kubectl from the control plane's requirements and replacements (test/infra/kubectl differs in go.sum only)", async () => {
    const [kubernetes, kubectl] = await Promise.all([readGoMod('kubernetes'), readGoMod('kubectl')]);
    expect(kubectl.requires.size).toBeGreaterThan(25);
    expect(kubectl).toEqual(kubernetes);
  });

  it('replaces every k8s.io module the Kubernetes wrapper requires at the placeholder v0.0.0', async () => {
    const goMod = await readGoMod('kubernetes');

    const placeholders = [...goMod.requires]
      .filter(([path, version]) => path.startsWith('k8s.io/') && version === 'v0.0.0')
      .map(([path]) => path);
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders.filter((path) => !goMod.replaces.has(path))).toEqual([]);
  });

  it("repeats Argo Rollouts' k8s.io replace directives (they only apply in the main module): every k8s.io client module at one v0.<minor>.<patch>", async () => {
    const goMod = await readGoMod('argo-rollouts');

    const k8sReplaces = [...goMod.replaces].filter(([path]) => path.startsWith('k8s.io/') && path !== 'k8s.io/legacy-cloud-providers');
    expect(k8sReplaces.length).toBeGreaterThanOrEqual(25);
    expect(new Set(k8sReplaces.map(([, replacement]) => replacement.version)).size).toBe(1);
    expect(goMod.replaces.get('k8s.io/client-go')?.version).toMatch(/^v0\.\d+\.\d+$/);
  });

  it("builds Argo's kubectl plugin with the controller wrapper's very replaces (one Argo, two builds)", async () => {
    const controller = await readGoMod('argo-rollouts');
    const plugin = await readGoMod('argo-rollouts-plugin');

    expect([...plugin.replaces].sort()).toEqual([...controller.replaces].sort());
    expect([...plugin.requires].sort()).toEqual([...controller.requires].sort());
  });
});
