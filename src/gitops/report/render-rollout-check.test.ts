import { describe, expect, it } from 'vitest';
import { analysisRunSchema, rolloutSchema } from '../../api/index.js';
import { renderRolloutCheck } from './render-rollout-check.js';
import { parseRolloutCheckName, rolloutCheckName } from './rollout-check-name.js';
import { rolloutCheckState } from './rollout-check-state.js';
import { canaryHash, canaryWeb, input, scenario } from './testing/report-fixtures.js';

describe('the seed scenario fixtures', () => {
  it.each(Object.entries(scenario))('%s is a valid Rollout with valid AnalysisRuns', (_, report) => {
    expect(rolloutSchema.safeParse(report.rollout).success).toBe(true);
    for (const run of report.analysisRuns) expect(analysisRunSchema.safeParse(run).success).toBe(true);
  });
});

describe('rolloutCheckState', () => {
  it.each([
    ['progressingAtStep0', 'progressing'],
    ['pausedIndefinitely', 'paused'],
    ['pausedWithDuration', 'progressing'],
    ['analysisRunning', 'progressing'],
    ['inconclusive', 'inconclusive'],
    ['aborted', 'aborted'],
    ['healthy', 'healthy'],
    ['blueGreenWaiting', 'paused'],
  ] as const)('%s is %s', (name, state) => {
    expect(rolloutCheckState(scenario[name])).toBe(state);
  });

  it('is not healthy while the controller reports Healthy for an older revision than the one promoted', () => {
    expect(rolloutCheckState(input(canaryWeb({ currentStepIndex: 5, phase: 'Healthy', stableRS: 'older' })))).toBe('progressing');
  });

  it('is not healthy while the controller has not seen the newest spec', () => {
    const rollout = canaryWeb({ currentStepIndex: 5, phase: 'Healthy', stableRS: canaryHash, observedGeneration: '1' });
    expect(rolloutCheckState(input(rollout))).toBe('progressing');
  });

  it('is paused, for a person, when the Rollout was paused by hand', () => {
    const rollout = canaryWeb({ currentStepIndex: 0, phase: 'Paused', message: 'manually paused' });
    rollout.spec.paused = true;
    expect(rolloutCheckState(input(rollout))).toBe('paused');
  });

  it('is degraded when the progress deadline passed without an abort', () => {
    const rollout = canaryWeb({
      currentStepIndex: 0,
      phase: 'Degraded',
      message: 'ProgressDeadlineExceeded: ReplicaSet "web-7d9f8c6b4" has timed out progressing.',
    });
    expect(rolloutCheckState(input(rollout))).toBe('degraded');
  });

  it('a blue-green with timed auto-promotion is progressing while it waits', () => {
    const report = structuredClone(scenario.blueGreenWaiting);
    report.rollout.spec.strategy = { blueGreen: { activeService: 'web-active', autoPromotionSeconds: 30 } };
    expect(rolloutCheckState(report)).toBe('progressing');
  });
});

describe('renderRolloutCheck: status, conclusion, title and buttons', () => {
  it.each([
    ['progressingAtStep0', 'in_progress', undefined, 'Step 1/5 · progressing · canary 20%', ['abort']],
    ['pausedIndefinitely', 'completed', 'action_required', 'Step 2/5 · paused · canary 20%', ['promote', 'abort']],
    ['pausedWithDuration', 'in_progress', undefined, 'Step 5/5 · paused until 00:20:03Z · canary 60%', ['abort']],
    ['analysisRunning', 'in_progress', undefined, 'Step 3/5 · analysis running · canary 20%', ['abort']],
    ['inconclusive', 'completed', 'action_required', 'Step 3/5 · inconclusive: success-rate · canary 20%', ['promote', 'abort']],
    [
      'aborted',
      'completed',
      'failure',
      'Aborted · success-rate failed: [0.81], [0.79] (needs result[0] >= 0.95, fails when result[0] < 0.9 || isNaN(result[0]))',
      ['retry'],
    ],
    ['healthy', 'completed', 'success', 'Healthy · revision 2 fully promoted', undefined],
    ['blueGreenWaiting', 'completed', 'action_required', 'Preview of revision 2 ready · waiting for promotion', ['promote', 'abort']],
  ] as const)('%s: %s %s, "%s"', (name, status, conclusion, title, buttons) => {
    const output = renderRolloutCheck(scenario[name]);
    expect(output.name).toBe('gradual/rollout prod/web');
    expect(output.status).toBe(status);
    expect(output.conclusion).toBe(conclusion);
    expect(output.title).toBe(title);
    expect(output.actions?.map((action) => action.identifier)).toEqual(buttons);
  });

  it('keeps every button within GitHub limits', () => {
    for (const report of Object.values(scenario)) {
      const actions = renderRolloutCheck(report).actions ?? [];
      expect(actions.length).toBeLessThanOrEqual(3);
      for (const action of actions) {
        expect(action.label.length).toBeLessThanOrEqual(20);
        expect(action.description.length).toBeLessThanOrEqual(40);
        expect(action.identifier.length).toBeLessThanOrEqual(20);
      }
    }
  });

  it('renders the same output twice from the same state', () => {
    expect(renderRolloutCheck(scenario.analysisRunning)).toEqual(renderRolloutCheck(structuredClone(scenario.analysisRunning)));
  });

  it('takes the weights the traffic router reports over the step', () => {
    const report = structuredClone(scenario.pausedIndefinitely);
    report.rollout.status = { ...report.rollout.status, canary: { weights: { canary: { weight: 18 }, stable: { weight: 82 } } } };
    const output = renderRolloutCheck(report);
    expect(output.title).toBe('Step 2/5 · paused · canary 18%');
    expect(output.summary).toContain('canary **18%** · stable **82%** (as the traffic router reports)');
  });

  it('names the check after the rollout and reads it back', () => {
    expect(rolloutCheckName('prod', 'web')).toBe('gradual/rollout prod/web');
    expect(parseRolloutCheckName('gradual/rollout prod/web')).toEqual({ namespace: 'prod', name: 'web' });
    expect(parseRolloutCheckName('gradual/plan')).toBeUndefined();
    expect(parseRolloutCheckName('gradual/rollout web')).toBeUndefined();
  });
});

describe('renderRolloutCheck: text from the cluster', () => {
  it('escapes event messages so they cannot break a table row, link or add HTML', () => {
    const report = input(scenario.pausedIndefinitely.rollout, {
      timeline: [
        {
          at: new Date('2026-11-24T00:14:00Z'),
          reason: 'Custom',
          message: 'a | b <img src=x onerror=alert(1)> [link](http://x)\nsecond line',
        },
      ],
    });
    const row = renderRolloutCheck(report)
      .summary.split('\n')
      .find((line) => line.includes('Custom'));
    expect(row).toBe('| 00:14:00Z | Custom | a \\| b \\<img src=x onerror=alert(1)\\> \\[link\\](http://x) second line |');
  });

  it('shows the last 20 events and says how many earlier ones it left out', () => {
    const timeline = Array.from({ length: 25 }, (_, index) => ({
      at: new Date(Date.UTC(2026, 10, 23, 23, index)),
      reason: 'RolloutStepCompleted',
      message: `event ${String(index)}`,
    }));
    const summary = renderRolloutCheck(input(scenario.pausedIndefinitely.rollout, { timeline })).summary;
    expect(summary).not.toContain('| event 4 |');
    expect(summary).toContain('| 2026-11-23 23:05:00Z | RolloutStepCompleted | event 5 |');
    expect(summary).toContain('5 earlier events not shown.');
  });

  it('names the metric of the newest run when an older run of the revision failed before a retry', () => {
    const older = structuredClone(scenario.aborted.analysisRuns[0]);
    if (older === undefined) throw new Error('fixture without a run');
    older.metadata = { ...older.metadata, name: 'web-older', creationTimestamp: '2026-11-24T00:10:00Z' };
    const newer = structuredClone(older);
    newer.metadata = { ...newer.metadata, name: 'web-newer', creationTimestamp: '2026-11-24T00:16:00Z' };
    newer.status = {
      phase: 'Failed',
      metricResults: [{ name: 'success-rate', phase: 'Error', measurements: [{ phase: 'Error', message: 'connection refused' }] }],
    };
    const report = input(scenario.aborted.rollout, { analysisRuns: [newer, older] });
    expect(renderRolloutCheck(report).title).toBe(
      'Aborted · success-rate error: connection refused (needs result[0] >= 0.95, fails when result[0] < 0.9 || isNaN(result[0]))',
    );
  });

  it('a blue-green fully switched to the new revision succeeds', () => {
    const report = structuredClone(scenario.blueGreenWaiting);
    report.rollout.status = {
      observedGeneration: '2',
      currentPodHash: canaryHash,
      stableRS: canaryHash,
      phase: 'Healthy',
      blueGreen: { activeSelector: canaryHash, previewSelector: canaryHash },
    };
    const output = renderRolloutCheck(report);
    expect([output.status, output.conclusion, output.title, output.actions]).toEqual([
      'completed',
      'success',
      'Healthy · revision 2 fully promoted',
      undefined,
    ]);
  });

  it('a degraded rollout fails the check and can be aborted', () => {
    const rollout = canaryWeb({
      currentStepIndex: 0,
      phase: 'Degraded',
      message: 'ProgressDeadlineExceeded: ReplicaSet "web-7d9f8c6b4" has timed out progressing.',
    });
    const output = renderRolloutCheck(input(rollout));
    expect([output.status, output.conclusion, output.title]).toEqual([
      'completed',
      'failure',
      'Degraded · ProgressDeadlineExceeded: ReplicaSet "web-7d9f8c6b4" has timed out progressing.',
    ]);
    expect(output.actions?.map((action) => action.identifier)).toEqual(['abort']);
  });
});

describe('renderRolloutCheck: a Rollout the controller cannot act on fails the check (issue 20 item 4, issue 28 item 3)', () => {
  const cannotPlan =
    'The Rollout "web" is invalid: the controller cannot plan this Rollout (TypeError: x); it tries again when the Rollout changes';
  const refused =
    'Failed to create new replica set "web-7d9f8c6b4": ReplicaSet.apps "web-7d9f8c6b4" is invalid: spec.template.spec.containers[0].name: Invalid value: "Bad_Name"';
  it.each([
    [
      'InvalidSpec from a planner exception',
      {
        phase: 'Degraded' as const,
        message: `InvalidSpec: ${cannotPlan}`,
        conditions: [{ type: 'InvalidSpec' as const, status: 'True' as const, reason: 'InvalidSpec', message: cannotPlan }],
      },
      `Degraded · InvalidSpec: ${cannotPlan}`,
    ],
    [
      'ReplicaSetCreateError, while Argo’s phase stays Progressing',
      {
        phase: 'Progressing' as const,
        message: 'more replicas need to be updated',
        conditions: [{ type: 'Progressing' as const, status: 'False' as const, reason: 'ReplicaSetCreateError', message: refused }],
      },
      `Degraded · ReplicaSetCreateError: ${refused}`,
    ],
  ])('%s: completed, failure, the reason in the title', (_name, status, title) => {
    const output = renderRolloutCheck(input(canaryWeb({ currentStepIndex: 0, ...status })));
    expect([output.status, output.conclusion]).toEqual(['completed', 'failure']);
    // Long titles are cut (with …) at the title limit: the start is the reason.
    expect(title.startsWith(output.title.replace(/…$/u, ''))).toBe(true);
    expect(output.title.length).toBeGreaterThan(60);
  });
});

describe('renderRolloutCheck: before the controller wrote a status', () => {
  it('is in progress at the first step', () => {
    const rollout = canaryWeb({});
    delete rollout.status;
    const output = renderRolloutCheck(input(rollout, { replicaSets: [], timeline: [] }));
    expect([output.status, output.conclusion, output.title]).toEqual(['in_progress', undefined, 'Step 1/5 · progressing · canary 20%']);
  });
});
