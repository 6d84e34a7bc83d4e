import { describe, expect, it } from 'vitest';
import { isHandledByInstance } from './argo-labels.js';

describe('isHandledByInstance', () => {
  it.each([
    { labels: undefined, instanceId: undefined, handled: true },
    { labels: {}, instanceId: '', handled: true },
    { labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'argo' }, instanceId: undefined, handled: false },
    { labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'gradual' }, instanceId: 'gradual', handled: true },
    { labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'argo' }, instanceId: 'gradual', handled: false },
    { labels: {}, instanceId: 'gradual', handled: false },
  ])('labels $labels with instance id $instanceId → $handled', ({ labels, instanceId, handled }) => {
    expect(isHandledByInstance(labels, instanceId)).toBe(handled);
  });
});
