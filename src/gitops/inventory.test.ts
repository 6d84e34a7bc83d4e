import { describe, expect, it } from 'vitest';
import { inventoryKey, inventoryName, parseInventory } from './inventory.js';

describe('the inventory of what a repository deployed to an environment', () => {
  it('names one ConfigMap per environment and one key per repository', () => {
    expect(inventoryName('production')).toBe('gradual-inventory-production');
    expect(inventoryKey('acme/web.site')).toBe('acme.web.site');
  });

  it.each([
    ['absent', undefined, []],
    ['not JSON', { 'acme.web': '{' }, []],
    ['the wrong shape', { 'acme.web': '[{"kind":"ConfigMap"}]' }, []],
    ['another repository only', { 'acme.other': '[{"apiVersion":"v1","kind":"ConfigMap","name":"x","file":"a.yaml"}]' }, []],
    [
      'entries, cluster-scoped or not',
      {
        'acme.web':
          '[{"apiVersion":"v1","kind":"ConfigMap","namespace":"prod","name":"x","file":"a.yaml"},{"apiVersion":"argoproj.io/v1alpha1","kind":"ClusterAnalysisTemplate","name":"t","file":"t.yaml"}]',
      },
      [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'x', file: 'a.yaml' },
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterAnalysisTemplate', name: 't', file: 't.yaml' },
      ],
    ],
  ])('reads %s', (_name, data, expected) => {
    expect(parseInventory(data, 'acme/web')).toEqual(expected);
  });
});
