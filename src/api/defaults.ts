import type { BlueGreenStrategy, CanaryStrategy, IntOrString, RolloutSpec } from './types.js';

/*
 * Argo's defaults, applied by the controller and never written to the
 * object (neither by the schema nor by the CRD): a spec read back from the
 * cluster is what its author applied, a server-side apply of the same
 * manifest changes nothing, and lint echoes the user's values. The engine
 * calls withDefaults() once per reconcile and reads only the result.
 */
export const rolloutDefaults = {
  replicas: 1,
  minReadySeconds: 0,
  revisionHistoryLimit: 10,
  progressDeadlineSeconds: 600,
  successfulRunHistoryLimit: 5,
  unsuccessfulRunHistoryLimit: 5,
  // 25% each, as Argo documents (its constants are "25", which its helpers read as a percentage).
  maxSurge: '25%',
  maxUnavailable: '25%',
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
  autoPromotionEnabled: true,
  autoPromotionSeconds: 0,
  maxTrafficWeight: 100,
} as const;

export type CanaryStrategyWithDefaults = CanaryStrategy & {
  steps: NonNullable<CanaryStrategy['steps']>;
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
  scaleDownDelaySeconds: number;
  abortScaleDownDelaySeconds: number;
  dynamicStableScale: boolean;
};

export type BlueGreenStrategyWithDefaults = BlueGreenStrategy & {
  autoPromotionEnabled: boolean;
  autoPromotionSeconds: number;
  maxUnavailable: IntOrString;
  scaleDownDelaySeconds: number;
  abortScaleDownDelaySeconds: number;
};

export type RolloutSpecWithDefaults = Omit<RolloutSpec, 'strategy' | 'analysis'> & {
  replicas: number;
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  paused: boolean;
  progressDeadlineAbort: boolean;
  analysis: { successfulRunHistoryLimit: number; unsuccessfulRunHistoryLimit: number };
  strategy: { canary?: CanaryStrategyWithDefaults; blueGreen?: BlueGreenStrategyWithDefaults };
};

/**
 * The spec with every defaulted field filled in, as Argo's controller reads
 * it. Two of Argo's rules are the engine's to apply, not this function's:
 * with the canary strategy, scaleDownDelaySeconds and
 * abortScaleDownDelaySeconds only take effect with traffic routing; and an
 * explicit `abortScaleDownDelaySeconds: 0` means "never scale down".
 */
export function withDefaults(spec: RolloutSpec): RolloutSpecWithDefaults {
  const { strategy, analysis, ...rest } = spec;
  const d = rolloutDefaults;
  return {
    ...rest,
    replicas: spec.replicas ?? d.replicas,
    minReadySeconds: spec.minReadySeconds ?? d.minReadySeconds,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? d.revisionHistoryLimit,
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? d.progressDeadlineSeconds,
    paused: spec.paused ?? false,
    progressDeadlineAbort: spec.progressDeadlineAbort ?? false,
    analysis: {
      successfulRunHistoryLimit: analysis?.successfulRunHistoryLimit ?? d.successfulRunHistoryLimit,
      unsuccessfulRunHistoryLimit: analysis?.unsuccessfulRunHistoryLimit ?? d.unsuccessfulRunHistoryLimit,
    },
    strategy: {
      ...(strategy?.canary === undefined ? {} : { canary: canaryWithDefaults(strategy.canary) }),
      ...(strategy?.blueGreen === undefined ? {} : { blueGreen: blueGreenWithDefaults(strategy.blueGreen) }),
    },
  };
}

function canaryWithDefaults(canary: CanaryStrategy): CanaryStrategyWithDefaults {
  const d = rolloutDefaults;
  return {
    ...canary,
    steps: canary.steps ?? [],
    maxSurge: canary.maxSurge ?? d.maxSurge,
    maxUnavailable: canary.maxUnavailable ?? d.maxUnavailable,
    scaleDownDelaySeconds: canary.scaleDownDelaySeconds ?? d.scaleDownDelaySeconds,
    abortScaleDownDelaySeconds: canary.abortScaleDownDelaySeconds ?? d.abortScaleDownDelaySeconds,
    dynamicStableScale: canary.dynamicStableScale ?? false,
  };
}

function blueGreenWithDefaults(blueGreen: BlueGreenStrategy): BlueGreenStrategyWithDefaults {
  const d = rolloutDefaults;
  return {
    ...blueGreen,
    autoPromotionEnabled: blueGreen.autoPromotionEnabled ?? d.autoPromotionEnabled,
    autoPromotionSeconds: blueGreen.autoPromotionSeconds ?? d.autoPromotionSeconds,
    maxUnavailable: blueGreen.maxUnavailable ?? d.maxUnavailable,
    scaleDownDelaySeconds: blueGreen.scaleDownDelaySeconds ?? d.scaleDownDelaySeconds,
    abortScaleDownDelaySeconds: blueGreen.abortScaleDownDelaySeconds ?? d.abortScaleDownDelaySeconds,
  };
}
