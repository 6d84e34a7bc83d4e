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
      status: {
        ...done,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' }],
      },
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
    {
      name: 'pause step',
      status: { ...done, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] },
      phase: 'Paused',
      message: 'CanaryPauseStep',
    },
    {
      name: 'restarting',
      spec: { ...canary, restartAt: '2026-01-01T00:00:00Z' },
      status: done,
      phase: 'Progressing',
      message: 'rollout is restarting',
    },
    { name: 'updating', status: { ...done, updatedReplicas: 1 }, phase: 'Progressing', message: 'more replicas need to be updated' },
    {
      name: 'becoming available',
      status: { ...done, availableReplicas: 4 },
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
    },
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

const blueGreenSpec = (postPromotionAnalysis: boolean): RolloutSpec => ({
  replicas: 5,
  strategy: {
    blueGreen: {
      activeService: 'x',
      ...(postPromotionAnalysis ? { postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] } } : {}),
    },
  },
});
const cutOver: RolloutStatus = { ...done, stableRS: 'a', currentPodHash: 'b', blueGreen: { activeSelector: 'b' } };

/*
 * The rows of Argo's CalculateRolloutPhase (utils/rollout/rolloututil.go, v1.9.1) where the engine's
 * copy and the CLI's used to disagree, and the edges around them: Argo decides. The engine had no
 * "waiting for analysis to complete" (waitingForBlueGreenPostPromotionAnalysis), which the CLI had.
 */
describe('calculateRolloutPhase: the one calculation, checked against Argo', () => {
  test.each<{ name: string; spec: RolloutSpec; status: RolloutStatus; phase: string; message: string }>([
    {
      name: 'blue-green, post-promotion analysis running',
      spec: blueGreenSpec(true),
      status: { ...cutOver, blueGreen: { activeSelector: 'b', postPromotionAnalysisRunStatus: { name: 'r', status: 'Running' } } },
      phase: 'Progressing',
      message: 'waiting for analysis to complete',
    },
    {
      name: 'blue-green, post-promotion analysis not started',
      spec: blueGreenSpec(true),
      status: cutOver,
      phase: 'Progressing',
      message: 'waiting for analysis to complete',
    },
    {
      name: 'blue-green, post-promotion analysis pending',
      spec: blueGreenSpec(true),
      status: { ...cutOver, blueGreen: { activeSelector: 'b', postPromotionAnalysisRunStatus: { name: 'r', status: 'Pending' } } },
      phase: 'Progressing',
      message: 'waiting for analysis to complete',
    },
    ...(['Successful', 'Failed', 'Error', 'Inconclusive'] as const).map((run) => ({
      name: `blue-green, post-promotion analysis ${run} (completed)`,
      spec: blueGreenSpec(true),
      status: { ...cutOver, blueGreen: { activeSelector: 'b', postPromotionAnalysisRunStatus: { name: 'r', status: run } } },
      phase: 'Progressing',
      message: 'waiting for post-promotion verification to complete',
    })),
    {
      name: 'blue-green without post-promotion analysis',
      spec: blueGreenSpec(false),
      status: cutOver,
      phase: 'Progressing',
      message: 'waiting for post-promotion verification to complete',
    },
    {
      name: 'blue-green, no stable ReplicaSet yet',
      spec: blueGreenSpec(false),
      status: { ...cutOver, stableRS: '', currentPodHash: 'b' },
      phase: 'Progressing',
      message: 'waiting for post-promotion verification to complete',
    },
    {
      name: 'blue-green, promoted',
      spec: blueGreenSpec(true),
      status: { ...done, blueGreen: { activeSelector: 'a' } },
      phase: 'Healthy',
      message: '',
    },
    {
      name: 'canary, no stable ReplicaSet and no pod hash',
      spec: canary,
      status: { ...done, stableRS: '', currentPodHash: '' },
      phase: 'Progressing',
      message: 'waiting for all steps to complete',
    },
    {
      name: 'canary with traffic routing keeps old replicas (scale-down delay)',
      spec: { replicas: 5, strategy: { canary: { trafficRouting: { nginx: { stableIngress: 'web' } } } } },
      status: { ...done, replicas: 7 },
      phase: 'Healthy',
      message: '',
    },
    {
      name: 'no replicas in the spec means one',
      spec: { strategy: { canary: {} } },
      status: { ...done, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      phase: 'Healthy',
      message: '',
    },
    {
      name: 'an invalid spec wins over a manual pause',
      spec: { ...canary, paused: true },
      status: { ...done, conditions: [{ type: 'InvalidSpec', status: 'True', message: 'bad' }] },
      phase: 'Degraded',
      message: 'InvalidSpec: bad',
    },
    {
      name: 'a restart already done (same instant, other spelling)',
      spec: { ...canary, restartAt: '2026-01-01T00:00:00Z' },
      status: { ...done, restartedAt: '2026-01-01T00:00:00.000Z' },
      phase: 'Healthy',
      message: '',
    },
  ])('$name', ({ spec, status, phase, message }) => {
    expect(calculateRolloutPhase(spec, status)).toEqual({ phase, message });
  });
});
