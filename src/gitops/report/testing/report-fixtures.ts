import type { AnalysisPhase, AnalysisRun, MetricResult, Rollout, RolloutStatus } from '../../../api/index.js';
import type { ReplicaSetReport, RolloutReportInput, TimelineEntry } from '../types.js';

/*
 * The seed scenario of issue 9 at each of its moments: a canary `prod/web` (set weight 20 →
 * pause until promoted → analysis → set weight 60 → pause 5s) moving from revision 1
 * (`web:1.0`) to revision 2 (`web:1.1`), and a blue-green twin. Tests change what they need.
 */

export const now = new Date('2026-11-24T00:20:00Z');
export const stableHash = '6c7b8d9f5';
export const canaryHash = '7d9f8c6b4';
export const runName = `web-${canaryHash}-2-2`;

export function canaryWeb(status: RolloutStatus): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'prod', uid: 'uid-web', generation: 2 },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1.1' }] } },
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            { pause: {} },
            { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: 'web' }] } },
            { setWeight: 60 },
            { pause: { duration: '5s' } },
          ],
        },
      },
    },
    status: { observedGeneration: '2', currentPodHash: canaryHash, stableRS: stableHash, replicas: 5, ...status },
  };
}

export function blueGreenWeb(status: RolloutStatus): Rollout {
  const rollout = canaryWeb(status);
  rollout.spec.strategy = { blueGreen: { activeService: 'web-active', previewService: 'web-preview', autoPromotionEnabled: false } };
  return rollout;
}

export function replicaSets(canaryReplicas: number, stableReplicas: number): ReplicaSetReport[] {
  return [
    {
      name: `web-${stableHash}`,
      revision: 1,
      podTemplateHash: stableHash,
      replicas: stableReplicas,
      readyReplicas: stableReplicas,
      availableReplicas: stableReplicas,
      images: ['registry.example/web:1.0'],
    },
    {
      name: `web-${canaryHash}`,
      revision: 2,
      podTemplateHash: canaryHash,
      replicas: canaryReplicas,
      readyReplicas: canaryReplicas,
      availableReplicas: canaryReplicas,
      images: ['registry.example/web:1.1'],
    },
  ];
}

export function successRateRun(phase: AnalysisPhase, result: MetricResult, message?: string): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: runName,
      namespace: 'prod',
      creationTimestamp: '2026-11-24T00:15:00Z',
      labels: { 'rollouts-pod-template-hash': canaryHash, 'rollout-type': 'Step', 'step-index': '2' },
      annotations: { 'rollout.argoproj.io/revision': '2' },
    },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          count: 3,
          successCondition: 'result[0] >= 0.95',
          failureCondition: 'result[0] < 0.9 || isNaN(result[0])',
          failureLimit: 1,
          provider: {
            prometheus: {
              address: 'http://prometheus:9090',
              query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
            },
          },
        },
      ],
    },
    status: { phase, startedAt: '2026-11-24T00:15:00Z', metricResults: [result], ...(message === undefined ? {} : { message }) },
  };
}

export function measurements(
  values: readonly string[],
  phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error',
): NonNullable<MetricResult['measurements']> {
  return values.map((value, index) => ({
    phase,
    value,
    startedAt: `2026-11-24T00:15:${String(index * 10).padStart(2, '0')}Z`,
    finishedAt: `2026-11-24T00:15:${String(index * 10 + 1).padStart(2, '0')}Z`,
  }));
}

export const timeline: TimelineEntry[] = [
  { at: new Date('2026-11-24T00:14:00Z'), reason: 'RolloutUpdated', message: 'Rollout updated to revision 2' },
  { at: new Date('2026-11-24T00:14:00Z'), reason: 'NewReplicaSetCreated', message: `Created ReplicaSet web-${canaryHash} (revision 2)` },
  { at: new Date('2026-11-24T00:14:10Z'), reason: 'RolloutStepCompleted', message: 'Rollout step 1/5 completed (setWeight: 20)' },
  { at: new Date('2026-11-24T00:14:10Z'), reason: 'RolloutPaused', message: 'Rollout is paused (CanaryPauseStep)' },
];

export function input(rollout: Rollout, overrides: Partial<RolloutReportInput> = {}): RolloutReportInput {
  return {
    rollout,
    analysisRuns: [],
    replicaSets: replicaSets(1, 4),
    timeline,
    pullRequest: { number: 12, headSha: '3f1c2ab9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3' },
    now,
    ...overrides,
  };
}

const pausedAt = '2026-11-24T00:14:10Z';

/** Every moment of the seed scenario the report must render. */
export const scenario = {
  progressingAtStep0: input(canaryWeb({ currentStepIndex: 0, phase: 'Progressing', message: 'more replicas need to be updated' }), {
    replicaSets: replicaSets(0, 5),
    timeline: timeline.slice(0, 2),
  }),
  pausedIndefinitely: input(
    canaryWeb({
      currentStepIndex: 1,
      phase: 'Paused',
      message: 'CanaryPauseStep',
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: pausedAt }],
    }),
  ),
  pausedWithDuration: input(
    canaryWeb({
      currentStepIndex: 4,
      phase: 'Paused',
      message: 'CanaryPauseStep',
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-11-24T00:19:58Z' }],
    }),
    { replicaSets: replicaSets(3, 2) },
  ),
  analysisRunning: input(
    canaryWeb({
      currentStepIndex: 2,
      phase: 'Progressing',
      message: '',
      canary: { currentStepAnalysisRunStatus: { name: runName, status: 'Running' } },
    }),
    {
      analysisRuns: [
        successRateRun('Running', {
          name: 'success-rate',
          phase: 'Running',
          count: 2,
          successful: 2,
          measurements: measurements(['[0.99]', '[0.97]'], 'Successful'),
        }),
      ],
    },
  ),
  inconclusive: input(
    canaryWeb({
      currentStepIndex: 2,
      phase: 'Paused',
      message: 'InconclusiveAnalysisRun',
      controllerPause: true,
      pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '2026-11-24T00:15:31Z' }],
      canary: { currentStepAnalysisRunStatus: { name: runName, status: 'Inconclusive' } },
    }),
    {
      analysisRuns: [
        successRateRun('Inconclusive', {
          name: 'success-rate',
          phase: 'Inconclusive',
          count: 1,
          inconclusive: 1,
          measurements: measurements(['[0.93]'], 'Inconclusive'),
        }),
      ],
    },
  ),
  aborted: input(
    canaryWeb({
      currentStepIndex: 2,
      abort: true,
      abortedAt: '2026-11-24T00:15:22Z',
      phase: 'Degraded',
      message:
        'RolloutAborted: Rollout aborted update to revision 2: Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)',
      canary: { currentStepAnalysisRunStatus: { name: runName, status: 'Failed' } },
    }),
    {
      replicaSets: replicaSets(0, 5),
      analysisRuns: [
        successRateRun(
          'Failed',
          {
            name: 'success-rate',
            phase: 'Failed',
            count: 2,
            failed: 2,
            message: 'Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)',
            measurements: measurements(['[0.81]', '[0.79]'], 'Failed'),
          },
          'Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)',
        ),
      ],
    },
  ),
  healthy: input(
    canaryWeb({
      currentStepIndex: 5,
      phase: 'Healthy',
      message: '',
      stableRS: canaryHash,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
    }),
    {
      replicaSets: replicaSets(5, 0),
      analysisRuns: [
        successRateRun('Successful', {
          name: 'success-rate',
          phase: 'Successful',
          count: 3,
          successful: 3,
          measurements: measurements(['[0.99]', '[0.98]', '[0.99]'], 'Successful'),
        }),
      ],
    },
  ),
  blueGreenWaiting: input(
    blueGreenWeb({
      phase: 'Paused',
      message: 'BlueGreenPause',
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: pausedAt }],
      blueGreen: { activeSelector: stableHash, previewSelector: canaryHash },
    }),
    { replicaSets: replicaSets(5, 5) },
  ),
} satisfies Record<string, RolloutReportInput>;
