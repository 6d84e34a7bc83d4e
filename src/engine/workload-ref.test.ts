import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout, RolloutStatus, WorkloadRefScaleDown } from '../api/index.js';
import { REVISION_ANNOTATION } from '../api/argo-labels.js';
import { planRollout } from './plan-rollout.js';
import type { KubeAction } from './reconcile-types.js';
import { canaryRollout } from './testing/fixtures.js';
import { reconcileOnce, runUntilSettled, simulatedCluster } from './testing/simulate.js';
import { planWorkloadScaleDown, resolveWorkloadRef, withWorkloadObservedGeneration, workloadScaleDownReplicas } from './workload-ref.js';

const now = new Date('2026-11-23T12:00:00Z');

function deployment(
  options: { replicas?: number; image?: string; generation?: number; labels?: Record<string, string>; containers?: boolean } = {},
): V1Deployment {
  const labels = options.labels ?? { app: 'demo' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', namespace: 'default', generation: options.generation ?? 1, resourceVersion: '100' },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: 'demo' } },
      template: {
        metadata: { labels },
        spec: { containers: options.containers === false ? [] : [{ name: 'app', image: options.image ?? 'demo:1' }] },
      },
    },
  };
}

/** A canary Rollout that takes its template and selector from the Deployment "demo". */
function referencing(
  options: { scaleDown?: WorkloadRefScaleDown; kind?: string; apiVersion?: string; selector?: boolean; replicas?: number } = {},
): Rollout {
  const rollout = canaryRollout({ replicas: options.replicas ?? 3, steps: [{ setWeight: 50 }, { pause: {} }] });
  const spec = { ...rollout.spec };
  const { selector } = spec;
  delete spec.template;
  delete spec.selector;
  return {
    ...rollout,
    spec: {
      ...spec,
      ...(options.selector === true && selector !== undefined ? { selector } : {}),
      workloadRef: {
        apiVersion: options.apiVersion ?? 'apps/v1',
        kind: options.kind ?? 'Deployment',
        name: 'demo',
        ...(options.scaleDown === undefined ? {} : { scaleDown: options.scaleDown }),
      },
    },
  };
}

describe('resolveWorkloadRef', () => {
  it('leaves a Rollout without a workloadRef as it is', () => {
    const rollout = canaryRollout();
    expect(resolveWorkloadRef(rollout, undefined)).toEqual({ ok: true, rollout });
  });

  it("takes the Deployment's template, and its selector when the Rollout has none, keeping the workloadRef", () => {
    const result = resolveWorkloadRef(referencing(), deployment({ image: 'demo:7' }));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.rollout.spec.template?.spec?.containers?.[0]?.image).toBe('demo:7');
    expect(result.rollout.spec.selector).toEqual({ matchLabels: { app: 'demo' } });
    expect(result.rollout.spec.workloadRef?.name).toBe('demo');
  });

  it("keeps the Rollout's own selector", () => {
    const own = referencing({ selector: true });
    const result = resolveWorkloadRef(
      { ...own, spec: { ...own.spec, selector: { matchLabels: { app: 'demo', tier: 'web' } } } },
      deployment({ labels: { app: 'demo', tier: 'web' } }),
    );
    expect(result.ok && result.rollout.spec.selector).toEqual({ matchLabels: { app: 'demo', tier: 'web' } });
  });

  it.each<[string, Rollout, V1Deployment | undefined, string, string]>([
    ['a missing Deployment, named', referencing(), undefined, 'spec.workloadRef', 'deployment "demo" not found'],
    [
      'a kind other than Deployment',
      referencing({ kind: 'ReplicaSet' }),
      deployment(),
      'spec.workloadRef',
      'workload of type apps/ReplicaSet is not supported',
    ],
    [
      'a Deployment in another group',
      referencing({ apiVersion: 'example.com/v1' }),
      deployment(),
      'spec.workloadRef',
      'workload of type example.com/Deployment is not supported',
    ],
    [
      'a template without containers, saying where it came from',
      referencing(),
      deployment({ containers: false }),
      'spec.template.spec.containers',
      'the pod template comes from deployment "demo"',
    ],
    [
      "a template the Rollout's own selector does not match",
      referencing({ selector: true }),
      deployment({ labels: { app: 'other' } }),
      'spec.template.metadata.labels',
      'do not match spec.selector',
    ],
  ])('refuses %s', (_name, rollout, workload, path, message) => {
    const result = resolveWorkloadRef(rollout, workload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path.join('.')).toBe(path);
    expect(result.issues[0]?.message).toContain(message);
  });
});

function replicaSet(revision: number, replicas = 3): V1ReplicaSet {
  return {
    metadata: { name: 'demo-abc', resourceVersion: '7', annotations: { [REVISION_ANNOTATION]: String(revision) } },
    spec: { replicas, selector: {} },
  };
}

function withStatus(rollout: Rollout, status: RolloutStatus): Rollout {
  return { ...rollout, status };
}

describe('workloadScaleDownReplicas', () => {
  const scaleNewRSDown: KubeAction[] = [{ kind: 'updateReplicaSet', name: 'demo-abc', resourceVersion: '7', replicas: 1 }];
  it.each<[string, WorkloadRefScaleDown | undefined, number, RolloutStatus, KubeAction[], number | undefined]>([
    ['never (the default) leaves the Deployment alone', undefined, 1, { phase: 'Healthy', readyReplicas: 3 }, [], undefined],
    ['never, said so', 'never', 1, { phase: 'Healthy', readyReplicas: 3 }, [], undefined],
    ['onsuccess waits for Healthy', 'onsuccess', 1, { phase: 'Progressing', readyReplicas: 2 }, [], undefined],
    ['onsuccess scales to 0 once Healthy', 'onsuccess', 1, { phase: 'Healthy', readyReplicas: 3 }, [], 0],
    ['progressively scales to 0 once Healthy', 'progressively', 1, { phase: 'Healthy', readyReplicas: 3 }, [], 0],
    ['progressively gives up one pod per ready Rollout pod', 'progressively', 1, { phase: 'Progressing', readyReplicas: 2 }, [], 1],
    [
      'progressively does nothing before a Rollout pod is ready',
      'progressively',
      1,
      { phase: 'Progressing', readyReplicas: 0 },
      [],
      undefined,
    ],
    [
      'progressively scales back up when the new ReplicaSet shrinks with no ready pod',
      'progressively',
      1,
      { phase: 'Degraded', readyReplicas: 0 },
      scaleNewRSDown,
      3,
    ],
    ['progressively never goes below 0', 'progressively', 1, { phase: 'Progressing', readyReplicas: 5 }, [], 0],
    [
      'only the first revision: a later one leaves the Deployment alone (onsuccess)',
      'onsuccess',
      2,
      { phase: 'Healthy', readyReplicas: 3 },
      [],
      undefined,
    ],
    [
      'only the first revision: a later one leaves the Deployment alone (progressively)',
      'progressively',
      2,
      { phase: 'Paused', readyReplicas: 3 },
      [],
      undefined,
    ],
  ])('%s', (_name, scaleDown, revision, status, actions, expected) => {
    const rollout = withStatus(referencing(scaleDown === undefined ? {} : { scaleDown }), status);
    expect(workloadScaleDownReplicas({ rollout, deployment: deployment(), newRS: replicaSet(revision), actions })).toBe(expected);
  });

  it('progressively needs spec.replicas, as in Argo', () => {
    const rollout = withStatus(referencing({ scaleDown: 'progressively' }), { phase: 'Progressing', readyReplicas: 1 });
    const spec = { ...rollout.spec };
    delete spec.replicas;
    expect(
      workloadScaleDownReplicas({ rollout: { ...rollout, spec }, deployment: deployment(), newRS: replicaSet(1), actions: [] }),
    ).toBeUndefined();
  });

  it('plans no write when the Deployment already has the replicas, else a scaleDeployment with its resourceVersion', () => {
    const rollout = withStatus(referencing({ scaleDown: 'onsuccess' }), { phase: 'Healthy' });
    expect(planWorkloadScaleDown({ rollout, deployment: deployment({ replicas: 0 }), newRS: replicaSet(1), actions: [] })).toBeUndefined();
    expect(planWorkloadScaleDown({ rollout, deployment: deployment(), newRS: replicaSet(1), actions: [] })).toEqual({
      kind: 'scaleDeployment',
      name: 'demo',
      resourceVersion: '100',
      replicas: 0,
    });
  });
});

describe('withWorkloadObservedGeneration', () => {
  it("records the Deployment's generation, and drops it without a Deployment", () => {
    expect(withWorkloadObservedGeneration({ phase: 'Healthy' }, deployment({ generation: 4 }))).toEqual({
      phase: 'Healthy',
      workloadObservedGeneration: '4',
    });
    expect(withWorkloadObservedGeneration({ phase: 'Healthy', workloadObservedGeneration: '4' }, undefined)).toEqual({ phase: 'Healthy' });
  });
});

describe('planRollout with a workloadRef', () => {
  it('refuses a Rollout whose Deployment is missing with InvalidSpec naming it, and comes back', () => {
    const plan = planRollout({ rollout: referencing(), replicaSets: [], services: {}, pods: [], now });
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(20_000);
    const invalid = plan.status.conditions?.find((condition) => condition.type === 'InvalidSpec');
    expect(invalid?.message).toContain('spec.workloadRef: deployment "demo" not found');
    expect(plan.status.phase).toBe('Degraded');
  });

  it("refuses a template beside the workloadRef with Argo's own words, the one condition (Argo's TestWorkloadRefTemplate)", () => {
    const rollout = referencing();
    rollout.spec = { ...rollout.spec, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'demo' } } } };
    const plan = planRollout({ rollout, replicaSets: [], services: {}, pods: [], workload: deployment(), now });
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.map((condition) => [condition.type, condition.message])).toEqual([
      ['InvalidSpec', 'The Rollout "demo" is invalid: template must be empty for workload reference rollout'],
    ]);
    expect(plan.status.phase).toBe('Degraded');
  });

  it("creates the first ReplicaSet from the Deployment's template and selector", () => {
    const plan = planRollout({
      rollout: referencing(),
      replicaSets: [],
      services: {},
      pods: [],
      workload: deployment({ image: 'demo:9' }),
      now,
    });
    const create = plan.actions[0];
    expect(create?.kind).toBe('createReplicaSet');
    if (create?.kind !== 'createReplicaSet') return;
    expect(create.replicaSet.spec?.template?.spec?.containers[0]?.image).toBe('demo:9');
    expect(create.replicaSet.spec?.selector.matchLabels).toMatchObject({ app: 'demo' });
    expect(plan.status.workloadObservedGeneration).toBe('1');
  });

  it('scales the Deployment down progressively as the first revision comes up, then to 0; a new Deployment template is a canary that leaves it alone', () => {
    const cluster = simulatedCluster(referencing({ scaleDown: 'progressively' }), { now });
    cluster.workload = deployment();
    // Until the first ReplicaSet is scaled up; then its three pods become ready one second apart.
    for (let i = 0; i < 10 && (cluster.pods.values().next().value?.length ?? 0) < 3; i++) reconcileOnce(cluster);
    const [name = '', created = []] = [...cluster.pods.entries()][0] ?? [];
    cluster.pods.set(
      name,
      created.map((time, index) => time + index * 1_000),
    );
    runUntilSettled(cluster);
    const seen = cluster.plans.flatMap((plan) =>
      plan.actions.flatMap((action) => (action.kind === 'scaleDeployment' ? [action.replicas] : [])),
    );
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    expect(cluster.workload.spec?.replicas).toBe(0);
    // Down as the Rollout's pods became ready (never up), ending at 0.
    expect(seen).toEqual([2, 1, 0]);
    expect(cluster.rollout.status?.workloadObservedGeneration).toBe('1');

    // The Deployment's image changes (as `kubectl set image deployment` would): its generation moves, the Rollout starts a canary.
    const template = cluster.workload.spec?.template;
    if (template?.spec?.containers[0] !== undefined) template.spec.containers[0].image = 'demo:2';
    // The Rollout itself is unchanged (same generation): only the Deployment's generation moves.
    if (cluster.workload.metadata !== undefined) cluster.workload.metadata.generation = 2;
    runUntilSettled(cluster);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1, workloadObservedGeneration: '2' });
    expect(cluster.replicaSets).toHaveLength(2);
    expect(cluster.workload.spec?.replicas).toBe(0);
  });

  it('scales the Deployment to 0 with onsuccess only once the Rollout is Healthy', () => {
    const cluster = simulatedCluster(referencing({ scaleDown: 'onsuccess' }), { now });
    cluster.workload = deployment();
    runUntilSettled(cluster);
    const scaling = cluster.plans.flatMap((plan, index) =>
      plan.actions.some((action) => action.kind === 'scaleDeployment') ? [index] : [],
    );
    expect(scaling).toHaveLength(1);
    // Decided on the status the reconcile before it wrote: Healthy.
    expect(cluster.plans[(scaling[0] ?? 0) - 1]?.status.phase).toBe('Healthy');
    expect(cluster.workload.spec?.replicas).toBe(0);
  });

  it("works the same for a blue-green Rollout: the Deployment's template behind the active Service, the Deployment scaled to 0 on success", () => {
    const base = referencing({ scaleDown: 'onsuccess' });
    const rollout: Rollout = { ...base, spec: { ...base.spec, strategy: { blueGreen: { activeService: 'demo-active' } } } };
    const cluster = simulatedCluster(rollout, { now });
    cluster.services['demo-active'] = {
      metadata: { name: 'demo-active', namespace: 'default', resourceVersion: '1' },
      spec: { selector: { app: 'demo' } },
    };
    cluster.workload = deployment({ image: 'demo:5' });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.services['demo-active'].spec?.selector).toMatchObject({ 'rollouts-pod-template-hash': hash });
    expect(cluster.replicaSets.map((rs) => rs.spec?.template?.spec?.containers[0]?.image)).toEqual(['demo:5']);
    expect(cluster.workload.spec?.replicas).toBe(0);
  });
});
