import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/index.js';
import { parseManifests, type ObjectRef } from '../manifests/index.js';
import { diffAgainstLive } from './diff-against-live.js';

const text = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: { name: settings }',
  'data: { mode: canary }',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: { name: fresh }',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: { name: same }',
  'data: { a: "1" }',
  '',
].join('\n');

describe('diffAgainstLive', () => {
  it('plans created, changed and unchanged objects in manifest order, reading each object once', async () => {
    const { objects } = parseManifests([{ path: 'config.yaml', text }], { namespace: 'prod' });
    const cluster: Record<string, KubeObject> = {
      settings: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'prod', resourceVersion: '9' },
        data: { mode: 'stable' },
      } as KubeObject,
      same: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'same', namespace: 'prod', uid: 'u' },
        data: { a: '1' },
      } as KubeObject,
    };
    const reads: ObjectRef[] = [];
    const planned = await diffAgainstLive(objects, (ref) => {
      reads.push(ref);
      return Promise.resolve(cluster[ref.name]);
    });
    expect(planned.map(({ ref, file, line, change, changes }) => [ref.name, file, line, change, changes])).toEqual([
      ['settings', 'config.yaml', 1, 'changed', [{ path: 'data.mode', from: 'stable', to: 'canary' }]],
      ['fresh', 'config.yaml', 6, 'created', []],
      ['same', 'config.yaml', 10, 'unchanged', []],
    ]);
    expect(reads.map((ref) => ref.name).sort()).toEqual(['fresh', 'same', 'settings']);
  });

  it('rejects when a read fails', async () => {
    const { objects } = parseManifests([{ path: 'config.yaml', text }], { namespace: 'prod' });
    await expect(diffAgainstLive(objects, () => Promise.reject(new Error('GET …: HTTP 403')))).rejects.toThrow('HTTP 403');
  });
});
