import { describe, expect, it } from 'vitest';
import type { AnalysisRun, AnalysisTemplate, CanaryStep, Rollout, RolloutStatus } from '../api/index.js';
import { blueGreenRollout, canaryRollout, demoService } from './testing/fixtures.js';
import { reconcileOnce, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

/*
 * When a Failed or Errored AnalysisRun aborts the rollout (issue 28, the background sibling), and
 * what the abort does to the Paused condition. Argo's rolloutCanary reconciles the AnalysisRuns
 * (pauseContext.AddAbort) before the canary ReplicaSets, and rolloutBlueGreen after them, but in
 * the same reconcile either way: the abort is planned in the very pass that first sees the run's
 * phase. The ReplicaSets that pass scales are sized from the status as read, not yet aborted
 * (Argo's GetCurrentSetWeight reads rollout.Status.Abort), so a scaling due then still happens,
 * between the run's Event and RolloutAborted, as Argo's own log shows it (v1.9.1:
 * AnalysisRunError, "Scaled up ReplicaSet … from 0 to 1", RolloutAborted in one reconcile).
 */

type Phase = NonNullable<AnalysisRun['status']>['phase'];

const webTemplate = (name: string): AnalysisTemplate => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name, namespace: 'default' },
  spec: { metrics: [{ name, successCondition: 'result == 1', provider: { web: { url: 'http://health' } } }] },
});

function setPhase(cluster: SimulatedCluster, run: AnalysisRun | undefined, phase: Phase): void {
  if (run === undefined) throw new Error(`no run; have ${cluster.analysisRuns.map((r) => r.metadata?.name ?? '').join(', ')}`);
  run.status = { ...(run.status ?? {}), phase, message: `run ${String(phase)}` };
}

function runOfType(cluster: SimulatedCluster, type: string): AnalysisRun | undefined {
  return cluster.analysisRuns.find((run) => run.metadata?.labels?.['rollout-type'] === type && run.spec.terminate !== true);
}

function conditionOf(status: RolloutStatus, type: string) {
  return status.conditions?.find((condition) => condition.type === type);
}

function canaryUpdating(steps: CanaryStep[], background?: { startingStep?: number }, readyAfterMs = 5_000): SimulatedCluster {
  const rollout: Rollout = canaryRollout({ replicas: 4, steps });
  rollout.spec.strategy = {
    canary: { steps, ...(background === undefined ? {} : { analysis: { templates: [{ templateName: 'health' }], ...background } }) },
  };
  const cluster = simulatedCluster(rollout, { readyAfterMs });
  cluster.analysisTemplates = { namespaced: { health: { ok: true, template: webTemplate('health') } }, cluster: {} };
  expect(runUntilSettled(cluster).settled).toBe(true);
  updateSpec(cluster, (spec) => {
    spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image: 'demo:2' }] } };
  });
  return cluster;
}

function blueGreenUpdating(analysis: 'prePromotionAnalysis' | 'postPromotionAnalysis'): SimulatedCluster {
  const rollout = blueGreenRollout(
    { activeService: 'active', previewService: 'preview', [analysis]: { templates: [{ templateName: 'health' }] } },
    2,
  );
  const cluster = simulatedCluster(rollout);
  cluster.services = { active: demoService('active'), preview: demoService('preview') };
  cluster.analysisTemplates = { namespaced: { health: { ok: true, template: webTemplate('health') } }, cluster: {} };
  expect(runUntilSettled(cluster).settled).toBe(true);
  updateSpec(cluster, (spec) => {
    spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image: 'demo:2' }] } };
  });
  return cluster;
}

/** The pass that first sees the run's phase: its Event, then the abort, both in this one plan. */
function expectAbortInThisPass(cluster: SimulatedCluster, phase: Phase, prefix: string): ReturnType<typeof reconcileOnce> {
  const plan = reconcileOnce(cluster);
  expect(plan.status).toMatchObject({ abort: true, phase: 'Degraded' });
  expect(plan.status.message).toBe(`RolloutAborted: Rollout aborted update to revision 2: ${prefix}: run ${String(phase)}`);
  const reasons = plan.events.map((event) => event.reason);
  expect(reasons).toContain(`AnalysisRun${String(phase)}`);
  expect(reasons.indexOf(`AnalysisRun${String(phase)}`)).toBeLessThan(reasons.indexOf('RolloutAborted'));
  expect(conditionOf(plan.status, 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
  return plan;
}

describe('a Failed or Errored run aborts in the pass that sees it', () => {
  it.each(['Failed', 'Error'] as const)('canary step analysis, %s', (phase) => {
    const cluster = canaryUpdating([{ setWeight: 25 }, { analysis: { templates: [{ templateName: 'health' }] } }, { setWeight: 75 }]);
    runUntilSettled(cluster);
    setPhase(cluster, runOfType(cluster, 'Step'), phase);
    expectAbortInThisPass(cluster, phase, 'Step-based analysis phase error/failed');
  });

  it.each(['Failed', 'Error'] as const)('canary background analysis at a pause step, %s', (phase) => {
    const cluster = canaryUpdating([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }], {});
    runUntilSettled(cluster);
    setPhase(cluster, runOfType(cluster, 'Background'), phase);
    expectAbortInThisPass(cluster, phase, 'Background analysis phase error/failed');
  });

  it.each(['Failed', 'Error'] as const)('blue-green pre-promotion analysis, %s', (phase) => {
    const cluster = blueGreenUpdating('prePromotionAnalysis');
    runUntilSettled(cluster);
    setPhase(cluster, runOfType(cluster, 'PrePromotion'), phase);
    expectAbortInThisPass(cluster, phase, 'Blue/green pre-promotion analysis phase error/failed');
  });

  it.each(['Failed', 'Error'] as const)('blue-green post-promotion analysis, %s', (phase) => {
    const cluster = blueGreenUpdating('postPromotionAnalysis');
    runUntilSettled(cluster);
    setPhase(cluster, runOfType(cluster, 'PostPromotion'), phase);
    expectAbortInThisPass(cluster, phase, 'Blue/green post-promotion analysis phase error/failed');
  });

  it('a scaling due in that pass is sized from the status as read: the Event order is the run’s, the scaling, RolloutAborted', () => {
    const cluster = canaryUpdating([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }], {});
    // Up to the pass that creates the background run (it also scales the first ReplicaSet of the step).
    for (let pass = 0; pass < 10 && runOfType(cluster, 'Background') === undefined; pass += 1) reconcileOnce(cluster);
    setPhase(cluster, runOfType(cluster, 'Background'), 'Error');
    const plan = expectAbortInThisPass(cluster, 'Error', 'Background analysis phase error/failed');
    expect(plan.events.map((event) => event.reason)).toEqual(['AnalysisRunError', 'ScalingReplicaSet', 'RolloutAborted']);
    expect(plan.events[1]?.message).toMatch(/^Scaled (up|down) ReplicaSet demo-\w+ \(revision [12]\) from \d to \d$/u);
    // The next pass scales by the abort.
    runUntilSettled(cluster);
    expect(cluster.replicaSets.map((rs) => rs.spec?.replicas)).toEqual([4, 0]);
  });
});

describe('the Paused condition when a run aborts at an indefinite pause', () => {
  function atPauseWithRun(): SimulatedCluster {
    // Pods ready at once, so that passes alone (no clock) reach the pause step.
    const cluster = canaryUpdating([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }], { startingStep: 1 }, 0);
    // Up to the pass that reaches the pause step: it adds CanaryPauseStep and creates the background run.
    for (let pass = 0; pass < 30 && runOfType(cluster, 'Background') === undefined; pass += 1) reconcileOnce(cluster);
    expect(cluster.rollout.status?.pauseConditions?.map((pause) => pause.reason)).toEqual(['CanaryPauseStep']);
    expect(conditionOf(cluster.rollout.status ?? {}, 'Paused')).toBeUndefined();
    return cluster;
  }

  it('a run that errs before the Paused write lands aborts without one, as in Argo (its write is lost under the abort’s)', () => {
    const cluster = atPauseWithRun();
    setPhase(cluster, runOfType(cluster, 'Background'), 'Error');
    const plan = expectAbortInThisPass(cluster, 'Error', 'Background analysis phase error/failed');
    expect(conditionOf(plan.status, 'Paused')).toBeUndefined();
    expect(plan.status.pauseConditions).toBeUndefined();
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.conditions?.map((condition) => condition.type)).not.toContain('Paused');
    expect(cluster.rollout.status).toMatchObject({ phase: 'Degraded', abort: true });
  });

  it('a run that errs after the Paused write landed aborts with Paused True kept, as in Argo (an abort recorded stops its updates)', () => {
    const cluster = atPauseWithRun();
    const pausedWrite = reconcileOnce(cluster);
    expect(pausedWrite.actions).toEqual([]);
    expect(conditionOf(pausedWrite.status, 'Paused')).toMatchObject({ status: 'True', reason: 'RolloutPaused' });
    setPhase(cluster, runOfType(cluster, 'Background'), 'Error');
    const plan = expectAbortInThisPass(cluster, 'Error', 'Background analysis phase error/failed');
    expect(conditionOf(plan.status, 'Paused')).toMatchObject({ status: 'True' });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(conditionOf(cluster.rollout.status ?? {}, 'Paused')).toMatchObject({ status: 'True' });
  });
});
