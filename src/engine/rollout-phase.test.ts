import { describe, expect, test } from 'vitest';
import type { RolloutSpec, RolloutStatus } from '../api/index.js';
import { calculateRolloutPhase } from './rollout-phase.js';

const canary: RolloutSpec = { replicas: 5, strategy: { canary: { steps: [{ setWeight: 20 }] } } };
const done: RolloutStatus = { replicas: 5, updatedReplicas: 5, availableReplicas: 5, stableRS: 'a', currentPodHash: 'a' };

describe('calculateRolloutPhase (Argo CalculateRolloutPhase)', () => {
  test.each<{ name: string; spec?: RolloutSpec; status: RolloutStatus; phase: string; message: string }>([
    { name: 'healthy', status: done, phase: 'Healthy', message: '' },
    {
      name: 'invalid spec wins',
      status: { ...done, conditions: [{ type: 'InvalidSpec', status: 'True', message: 'bad' }] },
      phase: 'Degraded',
      message: 'InvalidSpec: bad',
    },
    {
      name: 'aborted',
      status: { ...done, conditions: [{ type: 'Progressing', status: 'False', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' }] },
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
    },
    {
      name: 'timed out',
      status: { ...done, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'late' }] },
      phase: 'Degraded',
      message: 'ProgressDeadlineExceeded: late',
    },
    { name: 'manually paused', spec: { ...canary, paused: true }, status: done, phase: 'Paused', message: 'manually paused' },
    { name: 'pause step', status: { ...done, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] }, phase: 'Paused', message: 'CanaryPauseStep' },
    { name: 'restarting', spec: { ...canary, restartAt: '2026-01-01T00:00:00Z' }, status: done, phase: 'Progressing', message: 'rollout is restarting' },
    { name: 'updating', status: { ...done, updatedReplicas: 1 }, phase: 'Progressing', message: 'more replicas need to be updated' },
    { name: 'becoming available', status: { ...done, availableReplicas: 4 }, phase: 'Progressing', message: 'updated replicas are still becoming available' },
    { name: 'old pods left', status: { ...done, replicas: 6 }, phase: 'Progressing', message: 'old replicas are pending termination' },
    { name: 'steps left', status: { ...done, stableRS: 'b' }, phase: 'Progressing', message: 'waiting for all steps to complete' },
    {
      name: 'blue-green cutover',
      spec: { replicas: 5, strategy: { blueGreen: { activeService: 'x' } } },
      status: done,
      phase: 'Progressing',
      message: 'active service cutover pending',
    },
  ])('$name', ({ spec, status, phase, message }) => {
    expect(calculateRolloutPhase(spec ?? canary, status)).toEqual({ phase, message });
  });
});
