import { describe, expect, test } from 'vitest';
import { planRollout } from './plan-rollout.js';
import { conditionsByType, expectSecondPassChangesNothing } from './testing/second-pass.js';
import { canaryRollout } from './testing/fixtures.js';
import {
  patchStatus,
  promote,
  reconcileOnce,
  replicasByName,
  runUntilSettled,
  setImage,
  simulatedCluster,
  updateSpec,
  type SimulatedCluster,
} from './testing/simulate.js';

const OLD = 'demo-5bbc6ffc5c';
const NEW = 'demo-5c8d7f54c6';

function deployed(options: Parameters<typeof canaryRollout>[0] = {}, readyAfterMs = 5_000): SimulatedCluster {
  const cluster = simulatedCluster(canaryRollout(options), { readyAfterMs });
  expect(runUntilSettled(cluster).settled).toBe(true);
  cluster.events.length = 0;
  return cluster;
}

/** demo:2 applied and run to the first indefinite pause (setWeight 20), its events cleared. */
function pausedOnUpdate(): SimulatedCluster {
  const cluster = deployed();
  setImage(cluster, 'demo:2');
  runUntilSettled(cluster);
  cluster.events.length = 0;
  return cluster;
}

function reasons(cluster: SimulatedCluster): string[] {
  return cluster.events.map((event) => event.reason);
}

describe('planCanary: first deploy', () => {
  test('creates the ReplicaSet empty, scales it to spec.replicas and marks it stable without steps', () => {
    const cluster = simulatedCluster(canaryRollout());
    const first = reconcileOnce(cluster);
    // Argo's createDesiredReplicaSet, then setRolloutRevision: the Rollout's own revision annotation, before the status write.
    expect(first.actions.map((action) => action.kind)).toEqual(['createReplicaSet', 'setRolloutRevision']);
    expect(first.actions[1]).toMatchObject({ kind: 'setRolloutRevision', revision: '1' });
    expect(first.events.map((event) => event.message)).toEqual(['Rollout updated to revision 1', `Created ReplicaSet ${OLD} (revision 1)`]);
    expect(first.status.conditions?.[0]).toMatchObject({
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetCreated',
      message: `Created new replica set "${OLD}"`,
    });

    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(reasons(cluster)).toEqual([
      'RolloutUpdated',
      'NewReplicaSetCreated',
      'RolloutNotCompleted',
      'ScalingReplicaSet',
      'RolloutCompleted',
    ]);
    expect(cluster.events.at(-1)?.message).toBe('Rollout completed update to revision 1 (5bbc6ffc5c): Initial deploy');
    expect(cluster.rollout.status).toMatchObject({
      phase: 'Healthy',
      stableRS: '5bbc6ffc5c',
      currentPodHash: '5bbc6ffc5c',
      currentStepIndex: 4,
      replicas: 5,
      updatedReplicas: 5,
      availableReplicas: 5,
      HPAReplicas: 5,
      selector: 'app=demo',
      observedGeneration: '1',
    });
    expect(cluster.rollout.status?.message).toBeUndefined();
    const types = conditionsByType(cluster);
    expect(types).toEqual({
      Available: 'True/AvailableReason',
      Completed: 'True/RolloutCompleted',
      Healthy: 'True/RolloutHealthy',
      Progressing: 'True/NewReplicaSetAvailable',
    });
    expectSecondPassChangesNothing(cluster);
  });
});

describe('planCanary: an update through its steps', () => {
  test('setWeight 20 of 5 replicas: canary 1, stable 4; then pauses until promoted', () => {
    const cluster = deployed();
    setImage(cluster, 'demo:2');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 4, [NEW]: 1 });
    expect(reasons(cluster)).toEqual([
      'RolloutUpdated',
      'NewReplicaSetCreated',
      'RolloutNotCompleted',
      'ScalingReplicaSet',
      'ScalingReplicaSet',
      'RolloutStepCompleted',
      'RolloutPaused',
    ]);
    expect(cluster.events.map((event) => event.message)).toContain('Rollout step 1/4 completed (setWeight: 20)');
    expect(cluster.events.map((event) => event.message)).toContain(`Scaled down ReplicaSet ${OLD} (revision 1) from 5 to 4`);
    expect(cluster.events.at(-1)?.message).toBe('Rollout is paused (CanaryPauseStep)');
    expect(cluster.rollout.status).toMatchObject({
      phase: 'Paused',
      message: 'CanaryPauseStep',
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:10Z' }],
      updatedReplicas: 1,
    });
    expectSecondPassChangesNothing(cluster);
  });

  test('promote, setWeight 60, a timed pause, then completion scales the old ReplicaSet down', () => {
    const cluster = pausedOnUpdate();
    promote(cluster);

    // Argo's checkPausedConditions writes the resume, but the same reconcile completes the pause step, which changes
    // the conditions (Progressing ReplicaSetUpdated): its status write sends them whole, computed from those read, so
    // the resume's write is lost and Paused stays True in this write.
    const completesPause = reconcileOnce(cluster);
    expect(completesPause.events.map((event) => event.message)).toEqual(['Rollout step 2/4 completed (pause)']);
    expect(completesPause.status.controllerPause).toBeUndefined();
    expect(completesPause.status.conditions?.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(completesPause.status.conditions?.find((condition) => condition.type === 'Paused')).toMatchObject({ status: 'True' });
    // The next reconcile records it again, alone: Paused False (Progressing no longer reads paused, so it stays).
    const resumed = reconcileOnce(cluster);
    expect(resumed.actions).toEqual([]);
    expect(resumed.status.conditions?.find((condition) => condition.type === 'Paused')).toMatchObject({
      status: 'False',
      reason: 'RolloutPaused',
    });
    expect(resumed.status.conditions?.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });

    // Scaling towards 60 %: 3 canary, 2 stable.
    let result = runUntilSettled(cluster, 30);
    expect(result.settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 0, [NEW]: 5 });
    const messages = cluster.events.map((event) => event.message);
    expect(messages).toContain('Rollout step 3/4 completed (setWeight: 60)');
    expect(messages).toContain('Rollout step 4/4 completed (pause: 30s)');
    expect(messages).toContain('Rollout completed update to revision 2 (5c8d7f54c6): Completed all 4 canary steps');
    const pauseStart = result.steps.find((step) => step.plan.status.pauseConditions !== undefined);
    expect(pauseStart).toBeDefined();
    // The timed pause asks to be woken when it ends.
    const waiting = result.steps.find((step) => step.plan.requeueAfterMs === 30_000);
    expect(waiting).toBeDefined();
    expect(cluster.rollout.status).toMatchObject({
      phase: 'Healthy',
      stableRS: '5c8d7f54c6',
      currentStepIndex: 4,
      replicas: 5,
      updatedReplicas: 5,
    });
    expectSecondPassChangesNothing(cluster);
    result = runUntilSettled(cluster);
    expect(result.steps).toHaveLength(1);
  });

  test('the canary sizes at each weight follow Argo (5 replicas, 25 % surge and unavailability)', () => {
    const cluster = deployed({
      steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }, { setWeight: 80 }, { pause: {} }],
    });
    setImage(cluster, 'demo:2');
    const sizes: Record<string, number>[] = [];
    for (let i = 0; i < 3; i++) {
      runUntilSettled(cluster);
      sizes.push(replicasByName(cluster));
      promote(cluster);
    }
    expect(sizes).toEqual([
      { [OLD]: 4, [NEW]: 1 },
      { [OLD]: 3, [NEW]: 2 },
      { [OLD]: 1, [NEW]: 4 },
    ]);
  });
});

describe('planCanary: promote --full, abort, retry, fast rollback', () => {
  test('promote --full skips the remaining steps', () => {
    const cluster = pausedOnUpdate();
    patchStatus(cluster, { promoteFull: true });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 0, [NEW]: 5 });
    expect(cluster.events.map((event) => event.message)).toContain(
      'Rollout completed update to revision 2 (5c8d7f54c6): Full promotion requested',
    );
    expect(cluster.rollout.status?.promoteFull).toBeUndefined();
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    expectSecondPassChangesNothing(cluster);
  });

  test('abort scales the canary to zero and degrades the rollout; retry starts the steps again', () => {
    const cluster = pausedOnUpdate();
    patchStatus(cluster, { abort: true });
    const aborted = reconcileOnce(cluster);
    expect(aborted.events.map((event) => `${event.type} ${event.reason}: ${event.message}`)).toContain(
      'Warning RolloutAborted: Rollout aborted update to revision 2',
    );
    expect(aborted.status).toMatchObject({
      abort: true,
      abortedAt: '2026-01-01T00:00:10Z',
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      currentStepIndex: 0,
    });
    expect(aborted.status.pauseConditions).toBeUndefined();
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 5, [NEW]: 0 });
    expect(cluster.rollout.status?.phase).toBe('Degraded');
    expectSecondPassChangesNothing(cluster);

    cluster.events.length = 0;
    patchStatus(cluster, { abort: false });
    const retried = reconcileOnce(cluster);
    expect(retried.status.conditions?.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'RolloutRetry',
      message: 'Retrying Rollout after abort',
    });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 4, [NEW]: 1 });
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(cluster.rollout.status?.abortedAt).toBeUndefined();
    // Argo keeps the abort: false that retry wrote (its status patch never removes a false over a false).
    expect(cluster.rollout.status?.abort).toBe(false);
  });

  test('going back to the stable template skips the steps and scales the canary away', () => {
    const cluster = pausedOnUpdate();
    setImage(cluster, 'demo:1');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 5, [NEW]: 0 });
    expect(reasons(cluster)).toContain('SkipSteps');
    expect(reasons(cluster)).not.toContain('NewReplicaSetCreated');
    expect(cluster.events[0]).toMatchObject({ reason: 'RolloutUpdated', message: 'Rollout updated to revision 3' });
    const rs = cluster.replicaSets.find((candidate) => candidate.metadata?.name === OLD);
    expect(rs?.metadata?.annotations).toMatchObject({ 'rollout.argoproj.io/revision': '3', 'rollout.argoproj.io/revision-history': '1' });
    expect(cluster.rollout.status).toMatchObject({
      phase: 'Healthy',
      stableRS: '5bbc6ffc5c',
      currentPodHash: '5bbc6ffc5c',
      currentStepIndex: 4,
    });
    expectSecondPassChangesNothing(cluster);
  });
});

describe('planCanary: pause, deadlines, history', () => {
  test('spec.paused holds the rollout; resuming turns Paused False once a reconcile leaves the conditions as they were', () => {
    const cluster = deployed();
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    promote(cluster);
    reconcileOnce(cluster);
    expect(reconcileOnce(cluster).status.currentStepIndex).toBe(2);
    updateSpec(cluster, (spec) => {
      spec.paused = true;
    });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', message: 'manually paused', currentStepIndex: 2 });
    expect(replicasByName(cluster)).toEqual({ [OLD]: 4, [NEW]: 1 });
    expect(cluster.rollout.status?.conditions?.find((condition) => condition.type === 'Paused')).toMatchObject({
      status: 'True',
      reason: 'RolloutPaused',
    });
    expectSecondPassChangesNothing(cluster);

    updateSpec(cluster, (spec) => {
      spec.paused = false;
    });
    reconcileOnce(cluster);
    // The resume's write (Progressing RolloutResumed, Paused False) is lost under the scaling reconcile's, which changes
    // the conditions (as Argo's merge patch replaces them whole); the reconcile after records Paused False alone.
    const scaling = reconcileOnce(cluster);
    expect(scaling.actions.map((action) => action.kind)).toEqual(['updateReplicaSet']);
    expect(scaling.status.conditions?.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(scaling.status.conditions?.find((condition) => condition.type === 'Paused')).toMatchObject({ status: 'True' });
    // While each reconcile changes the conditions (the canary coming up), the resume's write keeps being lost; it
    // stands, alone, in the first reconcile that leaves them as they were.
    const settled = runUntilSettled(cluster);
    expect(settled.settled).toBe(true);
    const resumedAlone = settled.steps.find(
      (step) => step.plan.status.conditions?.find((condition) => condition.type === 'Paused')?.status === 'False',
    );
    expect(resumedAlone?.plan.actions).toEqual([]);
    expect(cluster.rollout.status?.conditions?.find((condition) => condition.type === 'Paused')).toMatchObject({ status: 'False' });
    expect(replicasByName(cluster)).toEqual({ [OLD]: 0, [NEW]: 5 });
    expect(cluster.rollout.status?.stableRS).toBe('5c8d7f54c6');
  });

  test('a spec.paused reconcile drops controllerPause, so a promote not yet seen is lost (as in Argo)', () => {
    const cluster = deployed();
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    promote(cluster);
    updateSpec(cluster, (spec) => {
      spec.paused = true;
    });
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.controllerPause).toBeUndefined();
    updateSpec(cluster, (spec) => {
      spec.paused = false;
    });
    runUntilSettled(cluster);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', currentStepIndex: 1 });
  });

  test('no progress for progressDeadlineSeconds: ProgressDeadlineExceeded and Degraded', () => {
    const cluster = deployed();
    cluster.readyAfterMs = 3_600_000;
    updateSpec(cluster, (spec) => {
      spec.progressDeadlineSeconds = 60;
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    const result = runUntilSettled(cluster, 50);
    const timedOut = result.steps.find((step) => step.plan.status.phase === 'Degraded');
    expect(timedOut?.plan.status.message).toBe(`ProgressDeadlineExceeded: ReplicaSet "${NEW}" has timed out progressing.`);
    expect(timedOut?.at).toBe(Date.parse('2026-01-01T00:00:05Z') + 61_000);
  });

  test('progressDeadlineAbort aborts the update when the deadline passes', () => {
    const cluster = deployed();
    cluster.readyAfterMs = 3_600_000;
    updateSpec(cluster, (spec) => {
      spec.progressDeadlineSeconds = 60;
      spec.progressDeadlineAbort = true;
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    runUntilSettled(cluster, 50);
    expect(cluster.rollout.status).toMatchObject({ abort: true, phase: 'Degraded' });
    expect(cluster.rollout.status?.message).toBe(
      `RolloutAborted: Rollout aborted update to revision 2: ReplicaSet "${NEW}" has timed out progressing.`,
    );
    expect(replicasByName(cluster)[NEW]).toBe(0);
  });

  test('revisionHistoryLimit deletes the oldest scaled-down ReplicaSets', () => {
    const cluster = deployed({ steps: [] });
    updateSpec(cluster, (spec) => {
      spec.revisionHistoryLimit = 1;
    });
    for (const image of ['demo:2', 'demo:3', 'demo:4']) {
      setImage(cluster, image);
      expect(runUntilSettled(cluster).settled).toBe(true);
    }
    expect(cluster.replicaSets).toHaveLength(2);
    expect(cluster.replicaSets.map((rs) => rs.metadata?.annotations?.['rollout.argoproj.io/revision'])).toEqual(['3', '4']);
    expectSecondPassChangesNothing(cluster);
  });

  test('an unsupported field only sets InvalidSpec', () => {
    const rollout = canaryRollout();
    const plan = planRollout({
      rollout: { ...rollout, spec: { ...rollout.spec, strategy: { canary: { steps: [{ plugin: { name: 'x' } }] } } } },
      replicaSets: [],
      services: {},
      pods: [],
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions).toHaveLength(1);
    expect(plan.status.conditions?.[0]).toMatchObject({ type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec' });
    expect(plan.status.conditions?.[0]?.message).toMatch(
      /^The Rollout "demo" is invalid: spec\.strategy\.canary\.steps\[0\]\.plugin: not yet supported/u,
    );
    expect(plan.status.phase).toBe('Degraded');
    expect(plan.requeueAfterMs).toBe(20_000);
  });
});

describe('planCanary: services and adoption', () => {
  test('the stable and canary Services follow the ReplicaSets, and after an abort both select the stable', () => {
    const rollout = canaryRollout();
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) Object.assign(canary, { canaryService: 'demo-canary', stableService: 'demo-stable' });
    const cluster = simulatedCluster(rollout);
    for (const name of ['demo-canary', 'demo-stable']) {
      cluster.services[name] = { metadata: { name, resourceVersion: '1' }, spec: { selector: { app: 'demo' } } };
    }
    runUntilSettled(cluster);
    const selectors = (): Record<string, string | undefined> =>
      Object.fromEntries(
        Object.entries(cluster.services).map(([name, service]) => [name, service.spec?.selector?.['rollouts-pod-template-hash']]),
      );
    expect(selectors()).toEqual({ 'demo-canary': '5bbc6ffc5c', 'demo-stable': '5bbc6ffc5c' });
    expect(cluster.services['demo-stable']?.metadata?.annotations).toEqual({ 'argo-rollouts.argoproj.io/managed-by-rollouts': 'demo' });
    expect(cluster.events.filter((event) => event.reason === 'SwitchService').map((event) => event.message)).toContain(
      "Switched selector for service 'demo-stable' from '' to '5bbc6ffc5c'",
    );
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    expect(selectors()).toEqual({ 'demo-canary': '5c8d7f54c6', 'demo-stable': '5bbc6ffc5c' });
    patchStatus(cluster, { abort: true });
    runUntilSettled(cluster);
    expect(selectors()).toEqual({ 'demo-canary': '5bbc6ffc5c', 'demo-stable': '5bbc6ffc5c' });
    expectSecondPassChangesNothing(cluster);
  });

  test('a ReplicaSet Argo made for the same template is adopted, not redeployed', () => {
    const rollout = canaryRollout();
    const cluster = simulatedCluster(rollout);
    cluster.replicaSets.push({
      metadata: {
        name: 'demo-6d4f9c7b8',
        labels: { app: 'demo', 'rollouts-pod-template-hash': '6d4f9c7b8' },
        annotations: { 'rollout.argoproj.io/revision': '1' },
        resourceVersion: '1',
        creationTimestamp: new Date('2025-12-01T00:00:00Z'),
      },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: 'demo', 'rollouts-pod-template-hash': '6d4f9c7b8' } },
        template: {
          metadata: { labels: { app: 'demo', 'rollouts-pod-template-hash': '6d4f9c7b8' } },
          spec: { containers: [{ name: 'app', image: 'demo:1' }] },
        },
      },
    });
    cluster.pods.set('demo-6d4f9c7b8', [0, 0, 0, 0, 0]);
    const first = reconcileOnce(cluster);
    expect(first.actions.map((action) => action.kind)).not.toContain('createReplicaSet');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.replicaSets).toHaveLength(1);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', currentPodHash: '6d4f9c7b8', stableRS: '6d4f9c7b8' });
    expectSecondPassChangesNothing(cluster);
  });
});

describe('planRollout: what the engine refuses', () => {
  test.each([
    [
      'pingPong Services absent',
      { strategy: { canary: { pingPong: { pingService: 'a', pongService: 'b' } } } },
      'spec.strategy.canary.pingPong.pingService: service "a" not found',
    ],
    [
      'trafficRouting without Services',
      { strategy: { canary: { trafficRouting: { smi: {} } } } },
      'spec.strategy.canary.stableService: Canary service and Stable service must to be set to use Traffic Routing',
    ],
    [
      'a header route step not in managedRoutes',
      {
        strategy: {
          canary: {
            canaryService: 'c',
            stableService: 's',
            trafficRouting: { istio: { virtualService: { name: 'vs' } } },
            steps: [{ setHeaderRoute: { name: 'h' } }],
          },
        },
      },
      'spec.strategy.canary.trafficRouting.managedRoutes: spec.strategy.canary.trafficRouting.managedRoutes must be specified',
    ],
    [
      'a missing Service',
      { strategy: { canary: { canaryService: 'nope' } } },
      'spec.strategy.canary.canaryService: service "nope" not found',
    ],
  ])('%s', (_name, change, detail) => {
    const rollout = canaryRollout();
    const plan = planRollout({
      rollout: { ...rollout, spec: { ...rollout.spec, ...change } },
      replicaSets: [],
      services: {},
      pods: [],
      now: new Date(0),
    });
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.[0]?.message).toBe(`The Rollout "demo" is invalid: ${detail}`);
  });

  test.each([
    [
      'a Service selecting a label the pods lack',
      { app: 'demo', tier: 'web' },
      {},
      'Service "demo-stable" has unmatch label "tier" in rollout',
    ],
    [
      'a Service managed by another Rollout',
      { app: 'demo' },
      { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'other' },
      'Service "demo-stable" is managed by another Rollout',
    ],
  ])('%s', (_name, selector, annotations, detail) => {
    const rollout = canaryRollout();
    const canary = { ...rollout.spec.strategy?.canary, stableService: 'demo-stable' };
    const service = { metadata: { name: 'demo-stable', annotations, resourceVersion: '1' }, spec: { selector } };
    const plan = planRollout({
      rollout: { ...rollout, spec: { ...rollout.spec, strategy: { canary } } },
      replicaSets: [],
      services: { 'demo-stable': service },
      pods: [],
      now: new Date(0),
    });
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.[0]?.message).toBe(`The Rollout "demo" is invalid: spec.strategy.canary.stableService: ${detail}`);
  });

  test('a Service this Rollout already manages, with the injected hash, is accepted', () => {
    const rollout = canaryRollout();
    const canary = { ...rollout.spec.strategy?.canary, stableService: 'demo-stable' };
    const service = {
      metadata: { name: 'demo-stable', annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'demo' }, resourceVersion: '1' },
      spec: { selector: { app: 'demo', 'rollouts-pod-template-hash': 'abc' } },
    };
    const plan = planRollout({
      rollout: { ...rollout, spec: { ...rollout.spec, strategy: { canary } } },
      replicaSets: [],
      services: { 'demo-stable': service },
      pods: [],
      now: new Date(0),
    });
    expect(plan.actions.map((action) => action.kind)).toEqual(['createReplicaSet', 'setRolloutRevision']);
  });

  test('an InvalidSpec condition is removed once the spec is fixed', () => {
    const valid = canaryRollout().spec;
    const cluster = simulatedCluster({
      ...canaryRollout(),
      spec: { ...valid, strategy: { canary: { ...valid.strategy?.canary, trafficRouting: { smi: {} } } } },
    });
    reconcileOnce(cluster);
    expect(cluster.rollout.status?.phase).toBe('Degraded');
    updateSpec(cluster, (spec) => {
      delete spec.strategy?.canary?.trafficRouting;
    });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.conditions?.some((condition) => condition.type === 'InvalidSpec')).toBe(false);
    expect(cluster.rollout.status?.phase).toBe('Healthy');
  });
});

describe('planCanary: scaling a settled rollout', () => {
  test.each([
    [5, 10],
    [5, 2],
  ])('spec.replicas %i → %i resizes the stable ReplicaSet and settles', (from, to) => {
    const cluster = deployed({ replicas: from });
    updateSpec(cluster, (spec) => {
      spec.replicas = to;
    });
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: to });
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', replicas: to, availableReplicas: to, HPAReplicas: to });
    expectSecondPassChangesNothing(cluster);
  });
});
