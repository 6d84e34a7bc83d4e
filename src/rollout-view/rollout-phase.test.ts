import { describe, expect, test } from 'vitest';
import { rolloutPhase } from './rollout-phase.js';
import type { RolloutObject } from './types.js';

const base: RolloutObject = {
  metadata: { name: 'web', generation: 3 },
  spec: { replicas: 1, strategy: { canary: {} } },
  status: {
    observedGeneration: '3',
    replicas: 1,
    updatedReplicas: 1,
    availableReplicas: 1,
    stableRS: 'a',
    currentPodHash: 'a',
    phase: 'Healthy',
    message: '',
  },
};

/** Argo's GetRolloutPhase (utils/rollout/rolloututil.go, v1.9.1), which the plugin's get, list and status show. */
describe('rolloutPhase (Argo GetRolloutPhase)', () => {
  test.each<{ name: string; rollout: RolloutObject; phase: string; message: string }>([
    {
      name: "the controller's phase",
      rollout: { ...base, status: { ...base.status, phase: 'Paused', message: 'CanaryPauseStep' } },
      phase: 'Paused',
      message: 'CanaryPauseStep',
    },
    {
      name: 'a newer spec not yet observed',
      rollout: { ...base, metadata: { ...base.metadata, generation: 4 } },
      phase: 'Progressing',
      message: 'waiting for rollout spec update to be observed',
    },
    {
      name: 'a signed generation, as Go parses it',
      rollout: { ...base, status: { ...base.status, observedGeneration: '+3' } },
      phase: 'Healthy',
      message: '',
    },
    {
      name: "a pre-0.10 controller's hash says nothing",
      rollout: { ...base, status: { ...base.status, observedGeneration: '5d4f8b' } },
      phase: 'Healthy',
      message: '',
    },
    {
      name: 'unpausing',
      rollout: { ...base, status: { ...base.status, controllerPause: true, pauseConditions: null } },
      phase: 'Progressing',
      message: 'waiting for rollout to unpause',
    },
    {
      name: 'no status.phase: the calculation the engine writes',
      rollout: {
        ...base,
        spec: { replicas: 1, strategy: { blueGreen: { activeService: 'x', postPromotionAnalysis: {} } } },
        status: { ...base.status, phase: undefined, currentPodHash: 'b', blueGreen: { activeSelector: 'b' } },
      },
      phase: 'Progressing',
      message: 'waiting for analysis to complete',
    },
  ])('$name', ({ rollout, phase, message }) => {
    expect(rolloutPhase(rollout)).toEqual({ phase, message });
  });
});
