import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { PodTemplateMetadata } from '../api/index.js';
import {
  assignEphemeralRoles,
  ephemeralMetadataAnnotation,
  ephemeralMetadataChanges,
  parseEphemeralMetadata,
  podMetadataChanges,
  podRemovableMetadata,
  syncReplicaSetMetadata,
} from './ephemeral-metadata.js';
import { canaryRollout } from './testing/fixtures.js';

const RECORD = 'rollout.argoproj.io/ephemeral-metadata';

function replicaSet(
  hash: string,
  templateLabels: Record<string, string>,
  record?: string,
  templateAnnotations?: Record<string, string>,
): V1ReplicaSet {
  return {
    metadata: {
      name: `demo-${hash}`,
      labels: { 'rollouts-pod-template-hash': hash },
      ...(record === undefined ? {} : { annotations: { [RECORD]: record } }),
    },
    spec: {
      selector: {},
      template: {
        metadata: {
          labels: { app: 'demo', 'rollouts-pod-template-hash': hash, ...templateLabels },
          ...(templateAnnotations === undefined ? {} : { annotations: templateAnnotations }),
        },
      },
    },
  };
}

describe('ephemeralMetadataChanges (Argo SyncEphemeralPodMetadata)', () => {
  const table: [
    string,
    { labels?: Record<string, string>; annotations?: Record<string, string> },
    PodTemplateMetadata | undefined,
    PodTemplateMetadata | undefined,
    object,
    boolean,
  ][] = [
    [
      'injects into a bare object',
      { labels: { app: 'a' } },
      undefined,
      { labels: { role: 'canary' } },
      { labels: { role: 'canary' } },
      true,
    ],
    [
      'swaps a role: the old value is overwritten, not removed',
      { labels: { app: 'a', role: 'canary' } },
      { labels: { role: 'canary' } },
      { labels: { role: 'stable' } },
      { labels: { role: 'stable' } },
      true,
    ],
    [
      'removes what was injected and is no longer desired',
      { labels: { app: 'a', tier: 'x' }, annotations: { note: 'n' } },
      { labels: { tier: 'x' }, annotations: { note: 'n' } },
      undefined,
      { labels: { tier: null }, annotations: { note: null } },
      true,
    ],
    [
      'leaves metadata it never injected',
      { labels: { app: 'a', owner: 'istio' } },
      { labels: { role: 'canary' } },
      { labels: { role: 'stable' } },
      { labels: { role: 'stable' } },
      true,
    ],
    [
      'nothing to do when in sync',
      { labels: { app: 'a', role: 'stable' } },
      { labels: { role: 'stable' } },
      { labels: { role: 'stable' } },
      {},
      false,
    ],
    [
      'a recorded key already gone still counts as modified (Argo rewrites the record)',
      { labels: { app: 'a' } },
      { labels: { gone: 'x' } },
      undefined,
      {},
      true,
    ],
    ['without a map there is nothing to remove', {}, { labels: { gone: 'x' } }, undefined, {}, false],
    [
      'the hash label is never removed',
      { labels: { 'rollouts-pod-template-hash': 'h' } },
      { labels: { 'rollouts-pod-template-hash': 'h' } },
      undefined,
      {},
      true,
    ],
  ];
  test.each(table)('%s', (_name, current, injected, desired, changes, modified) => {
    expect(ephemeralMetadataChanges(current, injected, desired)).toEqual({ changes, modified });
  });
});

describe('the ReplicaSet record', () => {
  test.each([
    ['{"labels":{"role":"canary"}}', { labels: { role: 'canary' } }],
    ['{"labels":{"a":"1"},"annotations":{"b":"2"},"extra":true}', { labels: { a: '1' }, annotations: { b: '2' } }],
    ['not json', undefined],
    ['{"labels":{"a":1}}', undefined],
    ['"a string"', undefined],
  ])('%s parses to %j', (text, expected) => {
    expect(parseEphemeralMetadata(replicaSet('h', {}, text))).toEqual(expected);
  });

  test('is written as Go writes it: labels before annotations, keys sorted, empty maps left out', () => {
    expect(ephemeralMetadataAnnotation({ annotations: { z: '1', a: '2' }, labels: { role: 'x' } })).toBe(
      '{"labels":{"role":"x"},"annotations":{"a":"2","z":"1"}}',
    );
    expect(ephemeralMetadataAnnotation({ labels: {}, annotations: { a: '1' } })).toBe('{"annotations":{"a":"1"}}');
  });
});

describe('syncReplicaSetMetadata (Argo SyncReplicaSetEphemeralPodMetadata)', () => {
  test.each([
    [
      'canary → stable on promotion',
      replicaSet('h', { role: 'canary' }, '{"labels":{"role":"canary"}}'),
      { labels: { role: 'stable' } },
      { template: { labels: { role: 'stable' } }, annotations: { [RECORD]: '{"labels":{"role":"stable"}}' } },
    ],
    [
      'stable → none when it becomes an older ReplicaSet',
      replicaSet('h', { role: 'stable' }, '{"labels":{"role":"stable"}}'),
      undefined,
      { template: { labels: { role: null } }, annotations: { [RECORD]: null } },
    ],
    [
      'injected for the first time (stableMetadata added to the spec later)',
      replicaSet('h', {}),
      { labels: { role: 'stable' }, annotations: { a: 'b' } },
      {
        template: { labels: { role: 'stable' }, annotations: { a: 'b' } },
        annotations: { [RECORD]: '{"labels":{"role":"stable"},"annotations":{"a":"b"}}' },
      },
    ],
    ['already in sync', replicaSet('h', { role: 'stable' }, '{"labels":{"role":"stable"}}'), { labels: { role: 'stable' } }, undefined],
    ['no role and nothing recorded', replicaSet('h', {}), undefined, undefined],
    ['a stale record only', replicaSet('h', {}, '{"labels":{"gone":"x"}}'), undefined, { template: {}, annotations: { [RECORD]: null } }],
  ])('%s', (_name, rs, desired, expected) => {
    expect(syncReplicaSetMetadata(rs, desired)).toEqual(expected);
  });
});

describe('podMetadataChanges', () => {
  test.each([
    [
      'a canary pod promoted',
      { labels: { app: 'demo', role: 'canary' } },
      { labels: { role: 'canary' } },
      { labels: { role: 'stable' } },
      { labels: { role: 'stable' } },
    ],
    [
      'a preview pod promoted to active with a different key',
      { labels: { app: 'demo', preview: 'yes' }, annotations: { x: '1' } },
      { labels: { preview: 'yes' }, annotations: { x: '1' } },
      { labels: { active: 'yes' } },
      { labels: { preview: null, active: 'yes' }, annotations: { x: null } },
    ],
    [
      'a pod already relabelled',
      { labels: { app: 'demo', role: 'stable' } },
      { labels: { role: 'canary' } },
      { labels: { role: 'stable' } },
      undefined,
    ],
    ['a pod with no metadata', {}, undefined, { labels: { role: 'stable' } }, { labels: { role: 'stable' } }],
  ])('%s', (_name, metadata, injected, desired, expected) => {
    expect(podMetadataChanges({ metadata }, injected, desired)).toEqual(expected);
  });
});

describe('podRemovableMetadata', () => {
  const roles = {
    upcoming: { labels: { role: 'preview', previewed: 'yes' }, annotations: { stage: 'preview' } },
    stable: { labels: { role: 'active', app: 'demo' } },
  };
  test.each([
    [
      'every role key the template no longer has, even once the record moved on',
      { labels: { app: 'demo', role: 'active' } },
      { labels: { role: 'active' } },
      { labels: { previewed: '' }, annotations: { stage: '' } },
    ],
    [
      'a recorded key no role knows any more',
      { labels: { app: 'demo' } },
      { labels: { legacy: 'x' } },
      { labels: { role: '', previewed: '', legacy: '' }, annotations: { stage: '' } },
    ],
    [
      "never a key the template still has (here a role's key that is also the selector's)",
      { labels: { app: 'demo', role: 'x', previewed: 'y' }, annotations: { stage: 's' } },
      undefined,
      { labels: {}, annotations: {} },
    ],
  ])('%s', (_name, template, recorded, expected) => {
    expect(podRemovableMetadata(template, recorded, roles)).toEqual(expected);
  });

  test('a pod promoted after a failed relabel still loses the preview-only keys', () => {
    const removable = podRemovableMetadata({ labels: { app: 'demo', role: 'active' } }, { labels: { role: 'active' } }, roles);
    expect(
      podMetadataChanges(
        { metadata: { labels: { app: 'demo', role: 'preview', previewed: 'yes' }, annotations: { stage: 'preview' } } },
        removable,
        roles.stable,
      ),
    ).toEqual({
      labels: { role: 'active', previewed: null },
      annotations: { stage: null },
    });
  });
});

describe('assignEphemeralRoles (Argo reconcileEphemeralMetadata)', () => {
  const newRS = replicaSet('new', {});
  const stableRS = replicaSet('old', {});
  const older = replicaSet('older', {});
  const rollout = canaryRollout();
  const canary = rollout.spec.strategy?.canary;
  if (canary !== undefined) {
    canary.canaryMetadata = { labels: { role: 'canary' } };
    canary.stableMetadata = { labels: { role: 'stable' } };
  }
  const roles = (stableHash: string | undefined, stable: V1ReplicaSet | undefined, others: V1ReplicaSet[]) =>
    assignEphemeralRoles(
      { ...rollout, status: stableHash === undefined ? {} : { stableRS: stableHash } },
      { newRS, stableRS: stable, others },
    ).map(({ rs, desired }) => [rs.metadata?.name, desired?.labels?.['role']]);

  test.each([
    ['first deploy: the new ReplicaSet will be stable', undefined, undefined, [], [['demo-new', 'stable']]],
    [
      'fully promoted: the new ReplicaSet is stable, the rest lose their roles',
      'new',
      newRS,
      [stableRS, older],
      [
        ['demo-new', 'stable'],
        ['demo-old', undefined],
        ['demo-older', undefined],
      ],
    ],
    [
      'during an update: canary and stable',
      'old',
      stableRS,
      [older],
      [
        ['demo-new', 'canary'],
        ['demo-old', 'stable'],
        ['demo-older', undefined],
      ],
    ],
    ['the recorded stable ReplicaSet is gone: only the canary', 'old', undefined, [], [['demo-new', 'canary']]],
  ])('%s', (_name, stableHash, stable, others, expected) => {
    expect(roles(stableHash, stable, others)).toEqual(expected);
  });

  test('blue-green uses previewMetadata and activeMetadata', () => {
    const blueGreen: typeof rollout = {
      ...rollout,
      spec: {
        ...rollout.spec,
        strategy: {
          blueGreen: {
            activeService: 'a',
            previewMetadata: { labels: { role: 'preview' } },
            activeMetadata: { labels: { role: 'active' } },
          },
        },
      },
      status: { stableRS: 'old' },
    };
    expect(assignEphemeralRoles(blueGreen, { newRS, stableRS, others: [] }).map(({ desired }) => desired?.labels?.['role'])).toEqual([
      'preview',
      'active',
    ]);
  });
});
