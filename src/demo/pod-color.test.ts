import { describe, expect, it } from 'vitest';
import { colorOfImage, colorOfPod, isPodReady } from './pod-color.js';
import type { DemoPod } from './schema.js';

describe('colorOfImage', () => {
  it.each([
    ['argoproj/rollouts-demo:blue', 'blue'],
    ['demo:yellow', 'yellow'],
    ['registry.local:5000/shop/demo:green', 'green'],
    ['registry.local:5000/shop/demo', undefined],
    ['demo', undefined],
    ['demo:', undefined],
    ['demo:red@sha256:0123abcd', 'red'],
    ['demo@sha256:0123abcd', undefined],
  ])('%s → %s', (image, color) => {
    expect(colorOfImage(image)).toBe(color);
  });
});

function pod(overrides: { image?: string; ready?: string; deleting?: boolean }): DemoPod {
  return {
    metadata: { name: 'p', ...(overrides.deleting === true ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'demo', ...(overrides.image === undefined ? {} : { image: overrides.image }) }] },
    status: { phase: 'Running', conditions: overrides.ready === undefined ? [] : [{ type: 'Ready', status: overrides.ready }] },
  };
}

describe('pods', () => {
  it("takes the colour from the first container's image", () => {
    expect(colorOfPod(pod({ image: 'demo:blue' }))).toBe('blue');
    expect(colorOfPod(pod({}))).toBeUndefined();
  });

  it.each([
    [{ ready: 'True' }, true],
    [{ ready: 'False' }, false],
    [{}, false],
    [{ ready: 'True', deleting: true }, false],
  ])('ready %o → %s', (overrides, ready) => {
    expect(isPodReady(pod(overrides))).toBe(ready);
  });
});
