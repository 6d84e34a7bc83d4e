import { describe, expect, test } from 'vitest';
import type { BlueGreenStrategy, RolloutStatus } from '../api/index.js';
import { conditionsByType, expectSecondPassChangesNothing } from './testing/second-pass.js';
import { blueGreenRollout, demoService } from './testing/fixtures.js';
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

const HASH_KEY = 'rollouts-pod-template-hash';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

function cluster(blueGreen: Partial<BlueGreenStrategy> = {}, replicas = 3): SimulatedCluster {
  const simulated = simulatedCluster(blueGreenRollout(blueGreen, replicas));
  simulated.services['demo-active'] = demoService('demo-active');
  if (blueGreen.previewService !== '') simulated.services['demo-preview'] = demoService('demo-preview');
  return simulated;
}

function deployed(blueGreen: Partial<BlueGreenStrategy> = {}, replicas = 3): SimulatedCluster {
  const simulated = cluster(blueGreen, replicas);
  expect(runUntilSettled(simulated).settled).toBe(true);
  simulated.events.length = 0;
  return simulated;
}

function selectors(simulated: SimulatedCluster): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(simulated.services).map(([name, svc]) => [name, svc.spec?.selector?.[HASH_KEY]]));
}

function hashByImage(simulated: SimulatedCluster, image: string): string {
  const rs = simulated.replicaSets.find((candidate) => candidate.spec?.template?.spec?.containers[0]?.image === image);
  return rs?.metadata?.labels?.[HASH_KEY] ?? '';
}

function sizes(simulated: SimulatedCluster): Record<string, number> {
  return Object.fromEntries(Object.entries(replicasByName(simulated)).map(([name, replicas]) => [name.replace(/^demo-/u, ''), replicas]));
}

function reasons(simulated: SimulatedCluster): string[] {
  return simulated.events.map((event) => event.reason);
}

function deadlineOf(simulated: SimulatedCluster, hash: string): string | undefined {
  return simulated.replicaSets.find((rs) => rs.metadata?.labels?.[HASH_KEY] === hash)?.metadata?.annotations?.['scale-down-deadline'];
}

/** Deployed demo:1, then demo:2 applied and run until the manual pause. */
function pausedForPromotion(blueGreen: Partial<BlueGreenStrategy> = {}): { simulated: SimulatedCluster; blue: string; green: string } {
  const simulated = deployed({ autoPromotionEnabled: false, ...blueGreen });
  const blue = simulated.rollout.status?.currentPodHash ?? '';
  setImage(simulated, 'demo:2');
  expect(runUntilSettled(simulated).settled).toBe(true);
  return { simulated, blue, green: hashByImage(simulated, 'demo:2') };
}

describe('planBlueGreen: first deploy', () => {
  test('creates the ReplicaSet empty, scales it up, points both Services at it and is Healthy', () => {
    const simulated = cluster();
    const first = reconcileOnce(simulated);
    expect(first.actions.map((action) => action.kind)).toEqual(['createReplicaSet', 'setRolloutRevision']);
    expect(first.actions[0]?.kind === 'createReplicaSet' ? first.actions[0].replicaSet.spec?.replicas : undefined).toBe(0);
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(simulated.rollout.metadata?.annotations?.['rollout.argoproj.io/revision']).toBe('1');
    const hash = simulated.rollout.status?.currentPodHash ?? '';
    expect(selectors(simulated)).toEqual({ 'demo-active': hash, 'demo-preview': hash });
    expect(simulated.services['demo-active']?.metadata?.annotations).toEqual({ [MANAGED_BY]: 'demo' });
    expect(reasons(simulated)).toEqual([
      'RolloutUpdated',
      'NewReplicaSetCreated',
      'SwitchService',
      'ScalingReplicaSet',
      'RolloutCompleted',
      'SwitchService',
    ]);
    expect(simulated.events.map((event) => event.message)).toContain(`Rollout completed update to revision 1 (${hash}): Initial deploy`);
    expect(simulated.events.at(-1)?.message).toBe(`Switched selector for service 'demo-active' from '' to '${hash}'`);
    expect(simulated.rollout.status).toMatchObject({
      phase: 'Healthy',
      stableRS: hash,
      currentPodHash: hash,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      readyReplicas: 3,
      HPAReplicas: 3,
      selector: `app=demo,${HASH_KEY}=${hash}`,
      blueGreen: { activeSelector: hash, previewSelector: hash },
      observedGeneration: '1',
    });
    const conditions = conditionsByType(simulated);
    expect(conditions).toEqual({
      Available: 'True/AvailableReason',
      Completed: 'True/RolloutCompleted',
      Healthy: 'True/RolloutHealthy',
      Progressing: 'True/NewReplicaSetAvailable',
    });
    expectSecondPassChangesNothing(simulated);
  });
});

describe('planBlueGreen: an update waiting for promotion', () => {
  test('autoPromotionEnabled false: preview on the new hash, active on the old, paused with BlueGreenPause', () => {
    const { simulated, blue, green } = pausedForPromotion();
    expect(green).not.toBe(blue);
    expect(selectors(simulated)).toEqual({ 'demo-active': blue, 'demo-preview': green });
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 3 });
    expect(simulated.rollout.status).toMatchObject({
      phase: 'Paused',
      message: 'BlueGreenPause',
      stableRS: blue,
      currentPodHash: green,
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: '2026-01-01T00:00:10Z' }],
      blueGreen: { activeSelector: blue, previewSelector: green },
      // The counts follow the active ReplicaSet.
      availableReplicas: 3,
      HPAReplicas: 3,
      selector: `app=demo,${HASH_KEY}=${blue}`,
    });
    expect(reasons(simulated)).toEqual([
      'RolloutUpdated',
      'NewReplicaSetCreated',
      'SwitchService',
      'RolloutNotCompleted',
      'ScalingReplicaSet',
      'RolloutPaused',
    ]);
    expect(simulated.events[2]?.message).toBe(`Switched selector for service 'demo-preview' from '${blue}' to '${green}'`);
    expect(simulated.events.at(-1)?.message).toBe('Rollout is paused (BlueGreenPause)');
    const paused = simulated.rollout.status?.conditions?.find((c) => c.type === 'Paused');
    expect(paused).toMatchObject({ status: 'True', reason: 'RolloutPaused' });
    expectSecondPassChangesNothing(simulated);
  });

  test('previewReplicaCount sizes the preview before promotion, then spec.replicas before the switch', () => {
    const { simulated, blue, green } = pausedForPromotion({ previewReplicaCount: 1 });
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 1 });
    expect(simulated.rollout.status?.phase).toBe('Paused');
    promote(simulated);
    const result = runUntilSettled(simulated);
    expect(result.settled).toBe(true);
    // The new ReplicaSet reached full size before the active Service moved to it.
    const checkpoint = result.steps.find((step) => step.plan.status.blueGreen?.scaleUpPreviewCheckPoint === true);
    expect(checkpoint).toBeDefined();
    const switchStep = result.steps.find((step) => step.plan.events.some((event) => event.message.includes("service 'demo-active'")));
    expect(switchStep?.plan.status.updatedReplicas).toBe(3);
    expect(simulated.rollout.status).toMatchObject({
      phase: 'Healthy',
      stableRS: green,
      blueGreen: { activeSelector: green, previewSelector: green },
    });
    expect(simulated.rollout.status?.blueGreen?.scaleUpPreviewCheckPoint).toBeUndefined();
  });

  test('autoPromotionEnabled true (default) switches at once when the preview is available', () => {
    const simulated = deployed();
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    setImage(simulated, 'demo:2');
    expect(runUntilSettled(simulated).settled).toBe(true);
    const green = hashByImage(simulated, 'demo:2');
    expect(selectors(simulated)).toEqual({ 'demo-active': green, 'demo-preview': green });
    expect(reasons(simulated)).not.toContain('RolloutPaused');
    expect(sizes(simulated)).toEqual({ [blue]: 0, [green]: 3 });
  });
});

describe('planBlueGreen: promotion and the old ReplicaSet', () => {
  test('promote switches the active Service, marks the new ReplicaSet stable, and scales the old one down after scaleDownDelaySeconds', () => {
    const { simulated, blue, green } = pausedForPromotion();
    simulated.events.length = 0;
    promote(simulated);
    // The resume's own write (checkPausedConditions) is lost under the switch's, which changes the conditions and
    // sends them whole, as Argo's does: Paused stays True in it, and the next reconcile records Paused False alone.
    const switched = reconcileOnce(simulated);
    expect(switched.actions).toEqual([
      {
        kind: 'updateServiceSelector',
        name: 'demo-active',
        resourceVersion: expect.any(String) as string,
        selector: { [HASH_KEY]: green },
      },
    ]);
    expect(switched.events.map((event) => `${event.reason}: ${event.message}`)).toEqual([
      `SwitchService: Switched selector for service 'demo-active' from '${blue}' to '${green}'`,
      `RolloutCompleted: Rollout completed update to revision 2 (${green}): Completed blue-green update`,
    ]);
    expect(switched.status).toMatchObject({
      phase: 'Healthy',
      stableRS: green,
      blueGreen: { activeSelector: green, previewSelector: green },
    });
    expect(switched.status.pauseConditions).toBeUndefined();
    expect(switched.status.controllerPause).toBeUndefined();
    expect(switched.status.conditions?.find((c) => c.type === 'Paused')).toMatchObject({ status: 'True' });
    const resumed = reconcileOnce(simulated);
    expect(resumed.actions).toEqual([]);
    expect(resumed.status.conditions?.find((c) => c.type === 'Paused')).toMatchObject({ status: 'False' });

    // The next reconcile stamps the old ReplicaSet's deadline (default 30 s) and asks to be woken then.
    const stamped = reconcileOnce(simulated);
    const stampedAt = simulated.now;
    expect(deadlineOf(simulated, blue)).toBe(new Date(stampedAt + 30_000).toISOString().replace('.000Z', 'Z'));
    expect(stamped.requeueAfterMs).toBe(30_000);
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 3 });

    const result = runUntilSettled(simulated);
    expect(result.settled).toBe(true);
    const scaledDown = result.steps.find((step) => step.plan.events.some((event) => event.reason === 'ScalingReplicaSet'));
    expect(scaledDown?.at).toBe(stampedAt + 30_000);
    expect(scaledDown?.plan.events.map((event) => event.message)).toEqual([`Scaled down ReplicaSet demo-${blue} (revision 1) from 3 to 0`]);
    expect(sizes(simulated)).toEqual({ [blue]: 0, [green]: 3 });
    expect(deadlineOf(simulated, blue)).toBeUndefined();
    expect(simulated.rollout.status?.conditions?.find((c) => c.type === 'Paused')).toMatchObject({ status: 'False' });
    expect(simulated.rollout.status?.phase).toBe('Healthy');
    expectSecondPassChangesNothing(simulated);
  });

  test('promote --full sizes the preview fully and switches at once', () => {
    const { simulated, blue, green } = pausedForPromotion({ previewReplicaCount: 1 });
    simulated.events.length = 0;
    patchStatus(simulated, { promoteFull: true });
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(selectors(simulated)).toEqual({ 'demo-active': green, 'demo-preview': green });
    expect(simulated.events.map((event) => event.message)).toContain(
      `Rollout completed update to revision 2 (${green}): Full promotion requested`,
    );
    expect(sizes(simulated)).toEqual({ [blue]: 0, [green]: 3 });
    expect(simulated.rollout.status?.promoteFull).toBeUndefined();
    expect(simulated.rollout.status?.phase).toBe('Healthy');
    expectSecondPassChangesNothing(simulated);
  });

  test('autoPromotionSeconds promotes by itself that long after the pause began', () => {
    const simulated = deployed({ autoPromotionSeconds: 20 });
    setImage(simulated, 'demo:2');
    const result = runUntilSettled(simulated);
    expect(result.settled).toBe(true);
    const green = hashByImage(simulated, 'demo:2');
    const pausedStep = result.steps.find((step) => step.plan.events.some((event) => event.reason === 'RolloutPaused'));
    const waiting = result.steps.find((step) => step.plan.requeueAfterMs === 20_000);
    expect(waiting).toBeDefined();
    const switchStep = result.steps.find((step) => step.plan.events.some((event) => event.message.includes("service 'demo-active'")));
    expect(pausedStep).toBeDefined();
    expect(switchStep?.at).toBe((pausedStep?.at ?? 0) + 20_000);
    expect(switchStep?.plan.events.map((event) => event.reason)).toEqual(['SwitchService', 'RolloutCompleted', 'RolloutResumed']);
    expect(simulated.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: green });
    expectSecondPassChangesNothing(simulated);
  });

  test('scaleDownDelayRevisionLimit 0 scales an old ReplicaSet down at once', () => {
    const simulated = deployed({ scaleDownDelayRevisionLimit: 0 });
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    setImage(simulated, 'demo:2');
    const result = runUntilSettled(simulated);
    expect(result.settled).toBe(true);
    expect(sizes(simulated)[blue]).toBe(0);
    expect(result.steps.some((step) => step.plan.requeueAfterMs === 30_000)).toBe(false);
    expect(deadlineOf(simulated, blue)).toBeUndefined();
  });

  test('scaleDownDelayRevisionLimit 1 keeps only the newest old ReplicaSet waiting', () => {
    const simulated = deployed({ scaleDownDelayRevisionLimit: 1, scaleDownDelaySeconds: 600 });
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    setImage(simulated, 'demo:2');
    runUntilSettledWithin(simulated, 60_000);
    const green = hashByImage(simulated, 'demo:2');
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 3 });
    setImage(simulated, 'demo:3');
    runUntilSettledWithin(simulated, 60_000);
    const red = hashByImage(simulated, 'demo:3');
    expect(sizes(simulated)).toEqual({ [blue]: 0, [green]: 3, [red]: 3 });
  });
});

/** Reconciles until nothing changes before `ms` have passed (deadlines further away are left waiting). */
function runUntilSettledWithin(simulated: SimulatedCluster, ms: number): void {
  const end = simulated.now + ms;
  for (let i = 0; i < 100 && simulated.now < end; i++) {
    const before = structuredClone(simulated.rollout.status);
    const plan = reconcileOnce(simulated);
    if (plan.actions.length > 0 || JSON.stringify(before) !== JSON.stringify(plan.status)) continue;
    simulated.now += 1_000;
  }
}

describe('planBlueGreen: abort', () => {
  test('abort keeps the active Service on the stable ReplicaSet, degrades the rollout and scales the preview down after abortScaleDownDelaySeconds', () => {
    const { simulated, blue, green } = pausedForPromotion({ abortScaleDownDelaySeconds: 10 });
    simulated.events.length = 0;
    patchStatus(simulated, { abort: true });
    const aborted = reconcileOnce(simulated);
    const abortedAt = simulated.now;
    expect(aborted.events.map((event) => `${event.type} ${event.reason}: ${event.message}`)).toEqual([
      'Warning RolloutAborted: Rollout aborted update to revision 2',
    ]);
    expect(aborted.status).toMatchObject({
      abort: true,
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      blueGreen: { activeSelector: blue, previewSelector: green },
    });
    expect(aborted.status.pauseConditions).toBeUndefined();
    // The preview's deadline is stamped once the stable stack is fully available.
    expect(deadlineOf(simulated, green)).toBe(new Date(abortedAt + 10_000).toISOString().replace('.000Z', 'Z'));
    expect(aborted.requeueAfterMs).toBe(10_000);

    const result = runUntilSettled(simulated);
    expect(result.settled).toBe(true);
    const scaledDown = result.steps.find((step) => step.plan.events.some((event) => event.reason === 'ScalingReplicaSet'));
    expect(scaledDown?.at).toBe(abortedAt + 10_000);
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 0 });
    expect(selectors(simulated)).toEqual({ 'demo-active': blue, 'demo-preview': green });
    expect(simulated.rollout.status?.phase).toBe('Degraded');
    expectSecondPassChangesNothing(simulated);
  });

  test('retry after an abort scales the preview up again and pauses for promotion', () => {
    const { simulated, blue, green } = pausedForPromotion({ abortScaleDownDelaySeconds: 10 });
    patchStatus(simulated, { abort: true });
    runUntilSettled(simulated);
    patchStatus(simulated, { abort: false });
    const retried = reconcileOnce(simulated);
    expect(retried.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'RolloutRetry' });
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 3 });
    // abort: false as retry wrote it, kept as Argo's status patch keeps it.
    expect(simulated.rollout.status).toMatchObject({ phase: 'Paused', message: 'BlueGreenPause', abort: false });
    expect(deadlineOf(simulated, green)).toBeUndefined();
  });
});

describe('planBlueGreen: spec.paused, rollback, refusals', () => {
  test('spec.paused holds the preview Service and the promotion', () => {
    const simulated = deployed({ autoPromotionEnabled: false });
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    updateSpec(simulated, (spec) => {
      spec.paused = true;
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(selectors(simulated)).toEqual({ 'demo-active': blue, 'demo-preview': blue });
    expect(simulated.rollout.status).toMatchObject({ phase: 'Paused', message: 'manually paused' });
    expectSecondPassChangesNothing(simulated);
  });

  test('going back to the active template while paused needs no promotion', () => {
    const { simulated, blue, green } = pausedForPromotion();
    setImage(simulated, 'demo:1');
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(selectors(simulated)).toEqual({ 'demo-active': blue, 'demo-preview': blue });
    expect(sizes(simulated)).toEqual({ [blue]: 3, [green]: 0 });
    expect(simulated.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: blue, currentPodHash: blue });
    expect(simulated.rollout.status?.pauseConditions).toBeUndefined();
    expectSecondPassChangesNothing(simulated);
  });

  test('without a preview Service the rollout still pauses and promotes', () => {
    const { simulated, blue, green } = pausedForPromotion({ previewService: '' });
    expect(selectors(simulated)).toEqual({ 'demo-active': blue });
    expect(simulated.rollout.status?.blueGreen).toEqual({ activeSelector: blue });
    promote(simulated);
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(selectors(simulated)).toEqual({ 'demo-active': green });
    expect(simulated.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: green });
  });

  test.each([
    ['a missing active Service', 'demo-active', 'spec.strategy.blueGreen.activeService: service "demo-active" not found'],
    ['a missing preview Service', 'demo-preview', 'spec.strategy.blueGreen.previewService: service "demo-preview" not found'],
  ])('%s is InvalidSpec, requeued every 20 s', (_name, missing, detail) => {
    const simulated = cluster();
    Reflect.deleteProperty(simulated.services, missing);
    const plan = reconcileOnce(simulated);
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.[0]).toMatchObject({
      type: 'InvalidSpec',
      status: 'True',
      reason: 'InvalidSpec',
      message: `The Rollout "demo" is invalid: ${detail}`,
    });
    expect(plan.status).toMatchObject({ phase: 'Degraded', message: `InvalidSpec: The Rollout "demo" is invalid: ${detail}` });
    expect(plan.requeueAfterMs).toBe(20_000);
    simulated.services[missing] = demoService(missing);
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(simulated.rollout.status?.phase).toBe('Healthy');
    expect(simulated.rollout.status?.conditions?.some((c) => c.type === 'InvalidSpec')).toBe(false);
  });

  // This test asserted the refusal while previewMetadata was on the not-yet-supported list; it now checks the support that replaced it.
  test('previewMetadata and activeMetadata follow the roles: active on the first stack, preview on the update, active again once promoted', () => {
    const simulated = deployed({
      autoPromotionEnabled: false,
      previewMetadata: { labels: { role: 'preview' } },
      activeMetadata: { labels: { role: 'active' } },
    });
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    const roleOf = (hash: string) =>
      simulated.replicaSets.find((rs) => rs.metadata?.labels?.[HASH_KEY] === hash)?.spec?.template?.metadata?.labels?.['role'];
    expect(roleOf(blue)).toBe('active');
    setImage(simulated, 'demo:2');
    expect(runUntilSettled(simulated).settled).toBe(true);
    const green = simulated.rollout.status?.currentPodHash ?? '';
    expect(simulated.rollout.status?.phase).toBe('Paused');
    expect([roleOf(blue), roleOf(green)]).toEqual(['active', 'preview']);
    promote(simulated);
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(simulated.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: green });
    expect([roleOf(blue), roleOf(green)]).toEqual([undefined, 'active']);
    expectSecondPassChangesNothing(simulated);
  });

  test('a settled rollout scaled to more replicas resizes the active ReplicaSet and settles', () => {
    const simulated = deployed();
    const blue = simulated.rollout.status?.currentPodHash ?? '';
    updateSpec(simulated, (spec) => {
      spec.replicas = 5;
    });
    expect(runUntilSettled(simulated).settled).toBe(true);
    expect(sizes(simulated)).toEqual({ [blue]: 5 });
    expect(simulated.rollout.status).toMatchObject({ phase: 'Healthy', replicas: 5, availableReplicas: 5 });
    expectSecondPassChangesNothing(simulated);
  });
});

describe("switching strategy (Argo's TestBlueGreenToCanary): Services the Rollout stops naming are released", () => {
  test('blue-green → canary: the active and preview Services lose the hash selector and the managed-by annotation', () => {
    const simulated = deployed();
    expect(simulated.services['demo-active']?.metadata?.annotations).toEqual({ [MANAGED_BY]: 'demo' });
    updateSpec(simulated, (spec) => {
      spec.strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } };
      spec.template = { ...spec.template, metadata: { ...spec.template?.metadata, annotations: { foo: 'bar' } } };
    });
    const first = reconcileOnce(simulated);
    expect(first.actions.slice(0, 2)).toEqual([
      {
        kind: 'updateServiceSelector',
        name: 'demo-active',
        resourceVersion: expect.any(String) as string,
        selector: { [HASH_KEY]: null },
        annotations: { [MANAGED_BY]: null },
      },
      {
        kind: 'updateServiceSelector',
        name: 'demo-preview',
        resourceVersion: expect.any(String) as string,
        selector: { [HASH_KEY]: null },
        annotations: { [MANAGED_BY]: null },
      },
    ]);
    runUntilSettled(simulated);
    expect(simulated.rollout.status?.phase).toBe('Paused');
    for (const name of ['demo-active', 'demo-preview']) {
      expect(simulated.services[name]?.spec?.selector).toEqual({ app: 'demo' });
      expect(simulated.services[name]?.metadata?.annotations).toEqual({});
    }
  });

  test('canary → blue-green: the stable and canary Services are released; a Service another Rollout manages is left alone', () => {
    const simulated = deployed();
    simulated.services['other'] = {
      metadata: { name: 'other', namespace: 'default', resourceVersion: '1', annotations: { [MANAGED_BY]: 'another' } },
      spec: { selector: { app: 'demo', [HASH_KEY]: 'x' } },
    };
    simulated.services['demo-canary'] = demoService('demo-canary');
    simulated.services['demo-stable'] = demoService('demo-stable');
    updateSpec(simulated, (spec) => {
      spec.strategy = { canary: { canaryService: 'demo-canary', stableService: 'demo-stable', steps: [{ setWeight: 50 }, { pause: {} }] } };
    });
    runUntilSettled(simulated);
    expect(simulated.services['demo-stable'].metadata?.annotations).toEqual({ [MANAGED_BY]: 'demo' });
    updateSpec(simulated, (spec) => {
      spec.strategy = { blueGreen: { activeService: 'demo-active' } };
    });
    runUntilSettled(simulated);
    for (const name of ['demo-canary', 'demo-stable', 'demo-preview']) {
      expect(simulated.services[name]?.spec?.selector?.[HASH_KEY]).toBeUndefined();
      expect(simulated.services[name]?.metadata?.annotations?.[MANAGED_BY]).toBeUndefined();
    }
    expect(simulated.services['demo-active']?.spec?.selector?.[HASH_KEY]).toBeDefined();
    expect(simulated.services['other'].spec?.selector).toEqual({ app: 'demo', [HASH_KEY]: 'x' });
  });
});

describe("status writes after a template change (issue 28 item 6, Argo's TestKubectlWaitForCompleted)", () => {
  const states = (status: RolloutStatus | undefined): Record<string, string> =>
    Object.fromEntries((status?.conditions ?? []).map((condition) => [condition.type, `${condition.status}/${condition.reason}`]));

  test("the reconcile that creates the new ReplicaSet writes only Progressing=NewReplicaSetCreated (Argo's patchCondition); the next one Healthy=False and Completed=False", () => {
    const simulated = deployed({ previewService: '', autoPromotionEnabled: true }, 1);
    setImage(simulated, 'demo:2');
    const first = reconcileOnce(simulated);
    expect(first.actions.map((action) => action.kind)).toContain('createReplicaSet');
    // Argo's createDesiredReplicaSet persists this condition change alone, on the old status: still Healthy and Completed.
    expect(states(first.status)).toEqual({
      Available: 'True/AvailableReason',
      Completed: 'True/RolloutCompleted',
      Healthy: 'True/RolloutHealthy',
      Progressing: 'True/NewReplicaSetCreated',
    });
    const second = reconcileOnce(simulated);
    // Then syncRolloutStatusBlueGreen: the current pod hash is no longer the stable one.
    expect(states(second.status)).toMatchObject({
      Completed: 'False/RolloutCompleted',
      Healthy: 'False/RolloutHealthy',
      Progressing: 'True/ReplicaSetUpdated',
    });
    expect(second.status.phase).toBe('Progressing');
  });
});
