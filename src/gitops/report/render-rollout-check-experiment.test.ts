import { describe, expect, it } from 'vitest';
import type { AnalysisRun, Rollout, RolloutStatus } from '../../api/index.js';
import type { ExperimentObject } from '../../rollout-view/experiment-info.js';
import { renderRolloutCheck } from './render-rollout-check.js';
import { canaryHash, canaryWeb, input, now, stableHash } from './testing/report-fixtures.js';

/*
 * The rollout check at a canary `experiment` step: the step in the list, the Experiment's section (phase,
 * message, templates, analyses, time left from the injected clock) and, when it failed, the abort's reason.
 * Everything an Experiment says is cluster- or pull-request-written text: it is escaped.
 */

const experimentName = `web-${canaryHash}-2-1`;
const runName = `${experimentName}-compare`;

function experimentWeb(status: RolloutStatus, templateName = 'baseline'): Rollout {
  const rollout = canaryWeb(status);
  rollout.spec.strategy = {
    canary: {
      steps: [
        { setWeight: 20 },
        {
          experiment: {
            duration: '5m',
            templates: [
              { name: templateName, specRef: 'stable' },
              { name: 'canary', specRef: 'canary' },
            ],
            analyses: [{ name: 'compare', templateName: 'job-compare', requiredForCompletion: true }],
          },
        },
        { setWeight: 100 },
      ],
    },
  };
  return rollout;
}

function experiment(status: ExperimentObject['status'], templateName = 'baseline'): ExperimentObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Experiment',
    metadata: {
      name: experimentName,
      namespace: 'prod',
      uid: 'uid-experiment',
      creationTimestamp: '2026-11-24T00:16:00Z',
      labels: { 'rollouts-pod-template-hash': canaryHash },
      ownerReferences: [{ uid: 'uid-web', controller: true, kind: 'Rollout' }],
    },
    spec: {
      duration: '5m',
      templates: [
        { name: templateName, replicas: 1 },
        { name: 'canary', replicas: 1 },
      ],
      analyses: [{ name: 'compare', templateName: 'job-compare', requiredForCompletion: true }],
    },
    status,
  };
}

function compareRun(phase: 'Running' | 'Failed', message?: string): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: runName,
      namespace: 'prod',
      creationTimestamp: '2026-11-24T00:17:00Z',
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Experiment', name: experimentName, uid: 'uid-experiment', controller: true },
      ],
    },
    spec: { metrics: [{ name: 'compare', provider: { job: { spec: { template: { spec: { containers: [] } } } } } }] },
    status: {
      phase,
      ...(message === undefined ? {} : { message }),
      metricResults: [
        phase === 'Failed'
          ? { name: 'compare', phase: 'Failed', count: 1, failed: 1, measurements: [{ phase: 'Failed', message: message ?? 'job failed' }] }
          : { name: 'compare', phase: 'Running', count: 0 },
      ],
    },
  };
}

const templateStatuses = (status: 'Running' | 'Successful' | 'Progressing') => [
  { name: 'baseline', replicas: 1, readyReplicas: 1, availableReplicas: 1, status },
  {
    name: 'canary',
    replicas: 1,
    readyReplicas: status === 'Progressing' ? 0 : 1,
    availableReplicas: status === 'Progressing' ? 0 : 1,
    status,
  },
];

const atStep = { currentStepIndex: 1, phase: 'Progressing', message: '' } as const;

const running = input(experimentWeb({ ...atStep, canary: { currentExperiment: experimentName } }), {
  experiments: [
    experiment({
      phase: 'Running',
      availableAt: '2026-11-24T00:17:00Z',
      templateStatuses: templateStatuses('Running'),
      analysisRuns: [{ name: 'compare', analysisRun: runName, phase: 'Running' }],
    }),
  ],
  analysisRuns: [compareRun('Running')],
});

const failed = input(
  // An abort sets the step index back to 0, as Argo's does: the Experiment is found as the abort's reason.
  experimentWeb({
    currentStepIndex: 0,
    abort: true,
    phase: 'Degraded',
    message: 'RolloutAborted: Rollout aborted update to revision 2: Experiment analysis phase is error/failed: job failed',
  }),
  {
    replicaSets: [],
    experiments: [
      experiment({
        phase: 'Failed',
        message: 'Metric "compare" assessed Failed due to failed (1) > failureLimit (0)',
        availableAt: '2026-11-24T00:17:00Z',
        templateStatuses: templateStatuses('Successful'),
        analysisRuns: [{ name: 'compare', analysisRun: runName, phase: 'Failed', message: 'job failed' }],
      }),
    ],
    analysisRuns: [compareRun('Failed', 'job failed')],
  },
);

describe('the rollout check at an experiment step', () => {
  it.each([
    [
      'running: the step is current, the Experiment Running with 2m left of 5m (available 00:17:00, now 00:20:00)',
      running,
      [
        '2. ◌ **experiment: baseline (stable), canary (canary) · 5m · analysis job-compare** ← current',
        '#### Experiment',
        `◌ \`${experimentName}\` **Running**`,
        'duration 5m, 2m left, ends 00:22:00Z',
        '| Template | ReplicaSet | Status | Ready | Available | Message |',
        `| \`baseline\` | \`${experimentName}-baseline\` | ◌ Running | 1/1 | 1 | — |`,
        `| \`compare\` (required) | \`${runName}\` | ◌ Running | 0 ✔ · 0 ✖ · 0 ? · 0 ⚠ | — |`,
      ],
    ],
    [
      'progressing templates, not yet available: the duration has not started',
      input(experimentWeb({ ...atStep, canary: { currentExperiment: experimentName } }), {
        experiments: [experiment({ phase: 'Pending', templateStatuses: templateStatuses('Progressing') })],
      }),
      [
        `◷ \`${experimentName}\` **Pending**`,
        'duration 5m, counted from when every template is available',
        `| \`canary\` | \`${experimentName}-canary\` | ◌ Progressing | 0/1 | 0 | — |`,
        '| `compare` (required) | — | ◷ Pending | — | — |',
      ],
    ],
    [
      'failed: the abort says which Experiment and analysis failed and why; the failed run is shown whole',
      failed,
      [
        `> ✖ Aborted: Experiment \`${experimentName}\` Failed: Metric "compare" assessed Failed due to failed (1) \\> failureLimit (0).`,
        '> Analysis `compare` Failed: job failed.',
        '> Metric `compare` Failed.',
        '> Comment `/retry web` to start again.',
        `✖ \`${experimentName}\` **Failed** — Metric "compare" assessed Failed due to failed (1) \\> failureLimit (0)`,
        `| \`compare\` (required) | \`${runName}\` | ✖ Failed | 0 ✔ · 1 ✖ · 0 ? · 0 ⚠ | job failed |`,
        `✖ \`${runName}\` **Failed** — job failed`,
      ],
    ],
  ])('%s', (_, report, expected) => {
    const { summary } = renderRolloutCheck(report);
    for (const line of expected) expect(summary).toContain(line);
  });

  it('finds a failed Experiment the status no longer names, by the Rollout’s ownership and the current pod-template hash', () => {
    expect(failed.rollout.status?.canary?.currentExperiment).toBeUndefined();
    expect(renderRolloutCheck(failed).summary).toContain('#### Experiment');
  });

  it.each([
    ['another Rollout’s Experiment', { ownerReferences: [{ uid: 'uid-other', controller: true, kind: 'Rollout' }] }],
    ['an Experiment of an older revision', { labels: { 'rollouts-pod-template-hash': stableHash } }],
  ])('does not show %s', (_, metadata) => {
    const [shown] = failed.experiments ?? [];
    const report = { ...failed, experiments: [{ ...shown, metadata: { ...shown?.metadata, ...metadata } } as ExperimentObject] };
    expect(renderRolloutCheck(report).summary).not.toContain('#### Experiment');
  });

  it('shows no Experiment section away from the experiment step, nor once the Rollout is healthy', () => {
    const before = input(experimentWeb({ currentStepIndex: 0, phase: 'Progressing', message: '' }), {
      experiments: running.experiments ?? [],
    });
    expect(renderRolloutCheck(before).summary).not.toContain('#### Experiment');
    const healthy = input(experimentWeb({ currentStepIndex: 3, phase: 'Healthy', message: '', stableRS: canaryHash }), {
      experiments: running.experiments ?? [],
    });
    expect(renderRolloutCheck(healthy).summary).not.toContain('#### Experiment');
    // Aborted by hand at step 1 while its Experiment still ran: the abort was not the Experiment's doing.
    const byHand = input(experimentWeb({ currentStepIndex: 0, abort: true, phase: 'Degraded', message: 'RolloutAborted' }), {
      experiments: running.experiments ?? [],
    });
    expect(renderRolloutCheck(byHand).summary).not.toContain('#### Experiment');
  });

  it('says when the duration has passed, and reads an Experiment without duration', () => {
    const late = { ...running, now: new Date('2026-11-24T00:30:00Z') };
    expect(renderRolloutCheck(late).summary).toContain('duration 5m, passed');
    const [shown] = running.experiments ?? [];
    const open = { ...running, experiments: [{ ...shown, spec: { ...shown?.spec, duration: undefined } } as ExperimentObject] };
    expect(renderRolloutCheck(open).summary).toContain('no duration: runs until its analyses complete or it is terminated');
    expect(now.toISOString()).toBe('2026-11-24T00:20:00.000Z');
  });

  it('escapes a hostile template name, Experiment message and analysis message: no Markdown, no HTML, no link, no mention', () => {
    const hostile = 'x` | **bold** <img src=x onerror=alert(1)> [click](https://evil.example) @octocat @org/team';
    const report = input(experimentWeb({ ...atStep, abort: true, phase: 'Degraded', message: 'RolloutAborted' }, hostile), {
      experiments: [
        experiment(
          {
            phase: 'Failed',
            message: hostile,
            templateStatuses: [{ name: hostile, replicas: 1, readyReplicas: 1, status: 'Failed', message: hostile }],
            analysisRuns: [{ name: 'compare', analysisRun: runName, phase: 'Failed', message: hostile }],
          },
          hostile,
        ),
      ],
      analysisRuns: [compareRun('Failed', hostile)],
    });
    const { summary } = renderRolloutCheck(report);
    expect(summary).toContain('#### Experiment');
    // Outside code spans: nothing that formats, links, opens a tag or mentions.
    const outsideCode = summary.replace(/(?<![`\\])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/gu, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<img/u);
    expect(outsideCode).not.toMatch(/(?<!\\)\[click(?<!\\)\]/u);
    expect(outsideCode).not.toMatch(/(?<!\\)\*\*bold/u);
    expect(outsideCode).not.toMatch(/@octocat|@org\/team/u);
    expect(summary).toContain('@\u200boctocat');
    // Every table row keeps its column count: a `|` in the text did not open a cell.
    for (const row of summary.split('\n').filter((line) => line.startsWith('| `'))) {
      const cells = row.replace(/\\\|/gu, '').split('|').length;
      expect(cells, row).toBeGreaterThanOrEqual(6);
    }
    const templateRow = summary.split('\n').find((line) => line.includes('-x'));
    expect(templateRow?.replace(/\\\|/gu, '').split('|')).toHaveLength(8);
  });
});
