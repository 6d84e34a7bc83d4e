import { describe, expect, it } from 'vitest';
import { rolloutDefaults, withDefaults } from './defaults.js';
import type { RolloutSpec } from './types.js';

describe('withDefaults', () => {
  it('fills in Argo’s defaults for a canary', () => {
    const spec: RolloutSpec = { strategy: { canary: {} } };
    expect(withDefaults(spec)).toEqual({
      replicas: 1,
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      paused: false,
      progressDeadlineAbort: false,
      analysis: { successfulRunHistoryLimit: 5, unsuccessfulRunHistoryLimit: 5 },
      strategy: {
        canary: {
          steps: [],
          maxSurge: '25%',
          maxUnavailable: '25%',
          scaleDownDelaySeconds: 30,
          abortScaleDownDelaySeconds: 30,
          dynamicStableScale: false,
        },
      },
    });
  });

  it('fills in Argo’s defaults for a blue-green and keeps what is set, zero included', () => {
    const spec: RolloutSpec = {
      replicas: 0,
      revisionHistoryLimit: 0,
      strategy: { blueGreen: { activeService: 'web', abortScaleDownDelaySeconds: 0 } },
    };
    const result = withDefaults(spec);
    expect(result.replicas).toBe(0);
    expect(result.revisionHistoryLimit).toBe(0);
    expect(result.strategy.blueGreen).toEqual({
      activeService: 'web',
      autoPromotionEnabled: true,
      autoPromotionSeconds: 0,
      maxUnavailable: '25%',
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 0,
    });
    expect(result.strategy.canary).toBeUndefined();
  });

  it('does not change the spec it is given', () => {
    const spec: RolloutSpec = { strategy: { canary: { steps: [{ setWeight: 10 }] } } };
    withDefaults(spec);
    expect(spec).toEqual({ strategy: { canary: { steps: [{ setWeight: 10 }] } } });
    expect(rolloutDefaults.maxSurge).toBe('25%');
  });
});
