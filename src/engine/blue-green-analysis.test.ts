import { describe, expect, it } from 'vitest';
import type { AnalysisRun, AnalysisTemplate, BlueGreenStrategy } from '../api/index.js';
import { blueGreenRollout, demoService } from './testing/fixtures.js';
import { runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

// Blue-green pre- and post-promotion analysis through the planner on the simulated cluster; the
// test sets the runs' phases, standing in for the AnalysisRun controller.
const HASH = 'rollouts-pod-template-hash';

const template: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'smoke', namespace: 'default' },
  spec: { metrics: [{ name: 'smoke', successCondition: 'result == true', provider: { web: { url: 'http://smoke' } } }] },
};

function released(blueGreen: Partial<BlueGreenStrategy>): SimulatedCluster {
  const cluster = simulatedCluster(blueGreenRollout({ activeService: 'active', previewService: 'preview', ...blueGreen }, 2));
  cluster.services = { active: demoService('active'), preview: demoService('preview') };
  cluster.analysisTemplates = { namespaced: { smoke: { ok: true, template } }, cluster: {} };
  expect(runUntilSettled(cluster).settled).toBe(true);
  updateSpec(cluster, (spec) => {
    spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image: 'demo:2' }] } };
  });
  return cluster;
}

function setPhase(cluster: SimulatedCluster, suffix: string, phase: NonNullable<AnalysisRun['status']>['phase']): void {
  const run = cluster.analysisRuns.find((candidate) => candidate.metadata?.name?.endsWith(suffix) === true);
  if (run === undefined) throw new Error(`no run ending in ${suffix}`);
  run.status = { phase, ...(phase === 'Failed' ? { message: 'smoke failed' } : {}) };
}

const activeHash = (cluster: SimulatedCluster) => cluster.services['active']?.spec?.selector?.[HASH];

describe('blue-green analysis', () => {
  it('pre-promotion analysis starts on a saturated preview and holds the switch until it succeeds', () => {
    const cluster = released({ prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
    const blue = cluster.rollout.status?.stableRS;
    runUntilSettled(cluster);
    const green = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.analysisRuns.map((run) => [run.metadata?.name, run.metadata?.labels?.['rollout-type']])).toEqual([
      [`demo-${green}-2-pre`, 'PrePromotion'],
    ]);
    expect(activeHash(cluster)).toBe(blue);
    expect(cluster.services['preview']?.spec?.selector?.[HASH]).toBe(green);
    setPhase(cluster, '-pre', 'Running');
    runUntilSettled(cluster);
    expect(activeHash(cluster)).toBe(blue);
    setPhase(cluster, '-pre', 'Successful');
    runUntilSettled(cluster);
    expect(activeHash(cluster)).toBe(green);
    expect(cluster.rollout.status).toMatchObject({ stableRS: green, phase: 'Healthy' });
    // Blue-green keeps the run in the status once stable.
    expect(cluster.rollout.status?.blueGreen?.prePromotionAnalysisRunStatus).toEqual({ name: `demo-${green}-2-pre`, status: 'Successful' });
  });

  it('a failed pre-promotion analysis aborts without switching', () => {
    const cluster = released({ prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
    const blue = cluster.rollout.status?.stableRS;
    runUntilSettled(cluster);
    setPhase(cluster, '-pre', 'Failed');
    runUntilSettled(cluster);
    expect(activeHash(cluster)).toBe(blue);
    expect(cluster.rollout.status?.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed: smoke failed',
    );
  });

  it('post-promotion analysis runs after the switch; the old ReplicaSet is kept until it succeeds, and its failure switches back', () => {
    const cluster = released({ postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
    const blue = cluster.rollout.status?.stableRS ?? '';
    runUntilSettled(cluster);
    const green = cluster.rollout.status?.currentPodHash ?? '';
    expect(activeHash(cluster)).toBe(green);
    expect(cluster.analysisRuns.map((run) => run.metadata?.name)).toEqual([`demo-${green}-2-post`]);
    // Not yet stable: promotion waits for the analysis, and blue keeps its pods (no scaleDownDelaySeconds set).
    expect(cluster.rollout.status?.stableRS).toBe(blue);
    cluster.now += 120_000;
    runUntilSettled(cluster);
    const blueRS = cluster.replicaSets.find((rs) => rs.metadata?.labels?.[HASH] === blue);
    expect(blueRS?.spec?.replicas).toBe(2);
    setPhase(cluster, '-post', 'Failed');
    runUntilSettled(cluster);
    expect(activeHash(cluster)).toBe(blue);
    expect(cluster.rollout.status).toMatchObject({ abort: true, stableRS: blue, phase: 'Degraded' });
  });

  it('a successful post-promotion analysis makes the new ReplicaSet stable', () => {
    const cluster = released({ postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
    runUntilSettled(cluster);
    const green = cluster.rollout.status?.currentPodHash ?? '';
    setPhase(cluster, '-post', 'Successful');
    runUntilSettled(cluster);
    expect(cluster.rollout.status).toMatchObject({ stableRS: green, phase: 'Healthy' });
  });
});
