import { describe, expect, test } from 'vitest';
import { planUnplannable } from './plan-rollout.js';
import { canaryRollout } from './testing/fixtures.js';

describe('planUnplannable: a reconcile that threw becomes the InvalidSpec condition, planned once', () => {
  const long = 'x'.repeat(2_000);
  test.each([
    [
      'a TypeError',
      new TypeError("Cannot read properties of null (reading 'labelSelector')"),
      "TypeError: Cannot read properties of null (reading 'labelSelector')",
    ],
    ['a thrown string', 'boom', 'boom'],
    ['a long message, cut', new Error(long), `Error: ${long}`.slice(0, 500) + '…'],
  ])('%s', (_name, cause, shown) => {
    const rollout = { ...canaryRollout(), status: { phase: 'Healthy' as const, stableRS: 'abc' } };
    const plan = planUnplannable({ rollout, replicaSets: [], services: {}, pods: [], now: new Date('2026-01-01T00:00:00Z') }, cause);
    expect(plan.actions).toEqual([]);
    expect(plan.events).toEqual([]);
    // No requeue: the next attempt is the Rollout (or what it references) changing.
    expect(plan.requeueAfterMs).toBeUndefined();
    const message = `The Rollout "demo" is invalid: the controller cannot plan this Rollout (${shown}); it tries again when the Rollout changes`;
    expect(plan.status.conditions).toEqual([
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message,
        lastUpdateTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    // Argo's phase for an InvalidSpec condition; the rest of the status is kept.
    expect(plan.status).toMatchObject({ phase: 'Degraded', message: `InvalidSpec: ${message}`, stableRS: 'abc', observedGeneration: '1' });
  });
});
