import { describe, expect, it } from 'vitest';
import type { RolloutObject } from '../rollout-view/types.js';
import { actionRefusal, type RolloutAction } from './rollout-actions.js';

const paused: RolloutObject = {
  metadata: { name: 'web' },
  spec: {},
  status: { currentPodHash: 'new', stableRS: 'old', pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] },
};
const promoted: RolloutObject = { metadata: { name: 'web' }, spec: {}, status: { currentPodHash: 'new', stableRS: 'new' } };
const aborted: RolloutObject = { metadata: { name: 'web' }, spec: {}, status: { currentPodHash: 'new', stableRS: 'old', abort: true } };
const manuallyPaused: RolloutObject = {
  metadata: { name: 'web' },
  spec: { paused: true },
  status: { currentPodHash: 'new', stableRS: 'old' },
};

describe('which actions apply to a rollout', () => {
  it.each<[string, RolloutObject, RolloutAction, RegExp | undefined]>([
    ['promote a paused canary', paused, { kind: 'promote', full: false }, undefined],
    ['promote a fully promoted rollout', promoted, { kind: 'promote', full: false }, /nothing to promote/u],
    ['promote an aborted rollout', aborted, { kind: 'promote', full: true }, /\/retry web/u],
    ['abort a paused canary', paused, { kind: 'abort' }, undefined],
    ['abort twice', aborted, { kind: 'abort' }, /already aborted/u],
    ['abort a promoted rollout', promoted, { kind: 'abort' }, /nothing to abort/u],
    ['retry an aborted rollout', aborted, { kind: 'retry' }, undefined],
    ['retry a healthy rollout', promoted, { kind: 'retry' }, /not aborted/u],
    ['pause twice', manuallyPaused, { kind: 'pause' }, /already paused/u],
    ['resume a manual pause', manuallyPaused, { kind: 'resume' }, undefined],
    ['resume a pause step', paused, { kind: 'resume' }, /\/promote/u],
  ])('%s', (_name, rollout, action, refusal) => {
    const reason = actionRefusal(rollout, action);
    if (refusal === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(refusal);
  });
});
