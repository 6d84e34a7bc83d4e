import { describe, expect, it } from 'vitest';
import { parseRolloutStatus } from './rollout-status.js';

describe('parseRolloutStatus', () => {
  it('keeps a status in Argo’s shape, including fields it does not know', () => {
    const status = {
      phase: 'Paused',
      message: 'CanaryPauseStep',
      observedGeneration: '4',
      currentPodHash: '6d4f8c9b7',
      currentStepIndex: 1,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-05-01T10:00:00Z' }],
      controllerPause: true,
      canary: { weights: { canary: { weight: 20, podTemplateHash: 'a' }, stable: { weight: 80, podTemplateHash: 'b' } } },
      blueGreen: {},
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: 'updated',
          lastUpdateTime: '2024-05-01T10:00:00Z',
          lastTransitionTime: '2024-05-01T10:00:00Z',
        },
      ],
      HPAReplicas: 5,
      selector: 'app=web',
      writtenByANewerController: { anything: [1, 2] },
    };
    expect(parseRolloutStatus(status)).toEqual({ status, dropped: [] });
  });

  it('drops what has the wrong type, or misses a required field, and says where', () => {
    const result = parseRolloutStatus({
      phase: 'Sleeping',
      replicas: 'three',
      readyReplicas: 2,
      pauseConditions: [
        { reason: 'CanaryPauseStep' },
        { reason: 'BlueGreenPause', startTime: '2024-05-01T10:00:00Z' },
        { reason: 1, startTime: 'yesterday' },
      ],
      canary: { weights: { canary: { weight: 'x' }, stable: { weight: 100 } } },
    });
    expect(result.status).toEqual({
      readyReplicas: 2,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: '2024-05-01T10:00:00Z' }],
      canary: {},
    });
    expect(result.dropped).toEqual(
      expect.arrayContaining([['phase'], ['replicas'], ['pauseConditions', 0], ['canary', 'weights', 'canary', 'weight']]),
    );
  });

  it('reads no status as none, and a status that is not an object as none', () => {
    expect(parseRolloutStatus(undefined)).toEqual({ status: undefined, dropped: [] });
    expect(parseRolloutStatus('Healthy')).toEqual({ status: undefined, dropped: [[]] });
  });

  it('does not change its argument', () => {
    const status = { phase: 'Broken', replicas: 1 };
    parseRolloutStatus(status);
    expect(status).toEqual({ phase: 'Broken', replicas: 1 });
  });
});
