import { describe, expect, test } from 'vitest';
import type { CanaryStep, CanaryStrategy, RolloutStatus } from '../api/index.js';
import { planRollout } from './plan-rollout.js';
import { canaryRollout } from './testing/fixtures.js';
import {
  observe,
  promote,
  replicasByName,
  runUntilSettled,
  setImage,
  simulatedCluster,
  type SimulatedCluster,
} from './testing/simulate.js';
import { trafficRoutedReplicaCounts, type TrafficCanaryInput } from './traffic-replica-counts.js';

const OLD = 'demo-5bbc6ffc5c';
const NEW = 'demo-5c8d7f54c6';
const istio = { istio: { virtualService: { name: 'demo-vs', routes: ['primary'] } } };
const seedSteps: CanaryStep[] = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { pause: {} },
  { setWeight: 60 },
  { pause: {} },
  { setWeight: 80 },
  { pause: {} },
];

function routed(steps: CanaryStep[], canary: Partial<CanaryStrategy> = {}, replicas = 5): SimulatedCluster {
  const rollout = canaryRollout({ replicas, steps });
  rollout.spec.strategy = {
    canary: { canaryService: 'demo-canary', stableService: 'demo-stable', trafficRouting: istio, steps, ...canary },
  };
  const cluster = simulatedCluster(rollout);
  for (const name of ['demo-canary', 'demo-stable'])
    cluster.services[name] = { metadata: { name, resourceVersion: '1' }, spec: { selector: { app: 'demo' } } };
  expect(runUntilSettled(cluster).settled).toBe(true);
  cluster.events.length = 0;
  cluster.router.calls.length = 0;
  return cluster;
}

/** The weights the router was set to, repeats folded. */
function weightSequence(cluster: SimulatedCluster): number[] {
  const weights = cluster.router.calls.flatMap(({ operation }) => (operation.op === 'setWeight' ? [operation.weight] : []));
  return weights.filter((weight, i) => i === 0 || weights[i - 1] !== weight);
}

function selectors(cluster: SimulatedCluster): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(cluster.services).map(([name, service]) => [name, service.spec?.selector?.['rollouts-pod-template-hash']]),
  );
}

describe('canary with traffic routing: the seed scenario', () => {
  test('100/0 → 20 → promote → 40 → … → 100/0, canary sized by the weight, stable kept whole, stable Service moved at the end', () => {
    const cluster = routed(seedSteps);
    expect(cluster.rollout.status?.canary?.weights).toEqual({
      canary: { weight: 0, podTemplateHash: '5bbc6ffc5c', serviceName: 'demo-canary' },
      stable: { weight: 100, podTemplateHash: '5bbc6ffc5c', serviceName: 'demo-stable' },
    });
    expect(selectors(cluster)).toEqual({ 'demo-canary': '5bbc6ffc5c', 'demo-stable': '5bbc6ffc5c' });

    setImage(cluster, 'demo:2');
    const sizes: Record<string, number>[] = [];
    for (let pause = 0; pause < 4; pause++) {
      expect(runUntilSettled(cluster).settled).toBe(true);
      expect(cluster.rollout.status?.pauseConditions?.[0]?.reason).toBe('CanaryPauseStep');
      sizes.push(replicasByName(cluster));
      expect(cluster.rollout.status?.canary?.weights?.canary).toEqual({
        weight: 20 * (pause + 1),
        podTemplateHash: '5c8d7f54c6',
        serviceName: 'demo-canary',
      });
      expect(cluster.rollout.status?.canary?.weights?.stable).toEqual({
        weight: 100 - 20 * (pause + 1),
        podTemplateHash: '5bbc6ffc5c',
        serviceName: 'demo-stable',
      });
      promote(cluster);
    }
    // ceil(weight × 5 / 100) canary pods; the stable keeps all 5 (no dynamicStableScale).
    expect(sizes).toEqual([
      { [OLD]: 5, [NEW]: 1 },
      { [OLD]: 5, [NEW]: 2 },
      { [OLD]: 5, [NEW]: 3 },
      { [OLD]: 5, [NEW]: 4 },
    ]);
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(weightSequence(cluster)).toEqual([0, 20, 40, 60, 80, 100, 0]);
    expect(selectors(cluster)).toEqual({ 'demo-canary': '5c8d7f54c6', 'demo-stable': '5c8d7f54c6' });
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    // The previous stable goes after scaleDownDelaySeconds (30 s), woken by the plan's requeue.
    expect(replicasByName(cluster)).toEqual({ [OLD]: 0, [NEW]: 5 });
    expect(cluster.events.filter((event) => event.reason === 'TrafficWeightUpdated').map((event) => event.message)).toEqual([
      // The canary hash moved to the new ReplicaSet at weight 0 (Argo's message has no detail then).
      'Traffic weight updated',
      'Traffic weight updated from 0 to 20',
      'Traffic weight updated from 20 to 40',
      'Traffic weight updated from 40 to 60',
      'Traffic weight updated from 60 to 80',
      'Traffic weight updated from 80 to 100',
      'Traffic weight updated from 100 to 0',
    ]);
    // A settled rollout plans the same idempotent router calls and nothing else.
    const plan = planRollout(observe(cluster));
    expect(plan.actions.map((action) => action.kind)).toEqual(['routeTraffic']);
    expect(plan.events).toEqual([]);
  });

  test('the weight waits for the canary pods: the new weight is not set before they are available', () => {
    const cluster = routed(seedSteps);
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    promote(cluster);
    runUntilSettled(cluster);
    // Every setWeight(40) call came when the canary ReplicaSet already had 2 available pods.
    const firstForty = cluster.router.calls.find(({ operation }) => operation.op === 'setWeight' && operation.weight === 40);
    const plans = cluster.plans.filter((plan) =>
      plan.actions.some(
        (action) => action.kind === 'routeTraffic' && action.operations.some((op) => op.op === 'setWeight' && op.weight === 40),
      ),
    );
    expect(firstForty).toBeDefined();
    expect(plans.length).toBeGreaterThan(0);
    const scaledTo2 = cluster.plans.findIndex((plan) =>
      plan.actions.some((action) => action.kind === 'updateReplicaSet' && action.name === NEW && action.replicas === 2),
    );
    const firstFortyPlan = cluster.plans.indexOf(plans[0] ?? plan0());
    expect(scaledTo2).toBeGreaterThanOrEqual(0);
    expect(firstFortyPlan).toBeGreaterThan(scaledTo2);
  });
});

function statusOf(cluster: SimulatedCluster): RolloutStatus {
  return cluster.rollout.status ?? {};
}

function plan0(): never {
  throw new Error('no plan');
}

describe('canary with traffic routing: abort', () => {
  test.each([
    ['default delay (30 s)', {}, 30_000],
    ['abortScaleDownDelaySeconds: 5', { abortScaleDownDelaySeconds: 5 }, 5_000],
  ])('%s: weight 0 first, canary Service back to stable, routes removed, canary scaled down after the delay', (_name, canary, delayMs) => {
    const cluster = routed(seedSteps, canary);
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    promote(cluster);
    runUntilSettled(cluster);
    expect(cluster.router.weight).toBe(40);
    cluster.router.calls.length = 0;
    const abortedAt = cluster.now;
    cluster.rollout.status = { ...(cluster.rollout.status ?? {}), abort: true };
    expect(runUntilSettled(cluster).settled).toBe(true);

    const calls = cluster.router.calls.map(({ operation }) => operation.op);
    expect(calls.slice(0, 3)).toEqual(['removeManagedRoutes', 'updateHash', 'setWeight']);
    expect(cluster.router.calls[2]?.operation).toEqual({ op: 'setWeight', weight: 0 });
    expect(cluster.router.calls[2]?.at).toBe(abortedAt);
    const scaleDown = cluster.plans.find((plan) =>
      plan.actions.some((action) => action.kind === 'updateReplicaSet' && action.name === NEW && action.replicas === 0),
    );
    const scaleDownAt = cluster.plans.indexOf(scaleDown ?? plan0());
    const weightZeroAt = cluster.plans.findIndex((plan) =>
      plan.actions.some(
        (action) => action.kind === 'routeTraffic' && action.operations.some((op) => op.op === 'setWeight' && op.weight === 0),
      ),
    );
    expect(weightZeroAt).toBeLessThan(scaleDownAt);
    // The canary kept its pods for the whole delay.
    const deadline = cluster.replicaSets.find((rs) => rs.metadata?.name === NEW);
    expect(deadline?.spec?.replicas).toBe(0);
    expect(cluster.now - abortedAt).toBeGreaterThanOrEqual(delayMs);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 5, [NEW]: 0 });
    expect(selectors(cluster)).toEqual({ 'demo-canary': '5bbc6ffc5c', 'demo-stable': '5bbc6ffc5c' });
    expect(statusOf(cluster).canary?.weights?.canary.weight).toBe(0);
    expect(statusOf(cluster).phase).toBe('Degraded');
  });

  test('abortScaleDownDelaySeconds: 0 leaves the canary up', () => {
    const cluster = routed(seedSteps, { abortScaleDownDelaySeconds: 0, steps: [{ setCanaryScale: { replicas: 2 } }, ...seedSteps] });
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    cluster.rollout.status = { ...(cluster.rollout.status ?? {}), abort: true };
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.router.weight).toBe(0);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 5, [NEW]: 2 });
  });
});

describe('canary with traffic routing: dynamicStableScale', () => {
  test('the stable shrinks only after the weight left it, and regains its pods before the canary goes on abort', () => {
    const cluster = routed(seedSteps, { dynamicStableScale: true });
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 4, [NEW]: 1 });
    const shrink = cluster.plans.findIndex((plan) =>
      plan.actions.some((action) => action.kind === 'updateReplicaSet' && action.name === OLD && action.replicas === 4),
    );
    const weight20 = cluster.plans.findIndex((plan) =>
      plan.actions.some(
        (action) => action.kind === 'routeTraffic' && action.operations.some((op) => op.op === 'setWeight' && op.weight === 20),
      ),
    );
    expect(weight20).toBeLessThan(shrink);
    promote(cluster);
    runUntilSettled(cluster);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 3, [NEW]: 2 });
    cluster.rollout.status = { ...(cluster.rollout.status ?? {}), abort: true };
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 5, [NEW]: 0 });
    expect(cluster.router.weight).toBe(0);
    // Never fewer than spec.replicas available pods between the two while stepping back.
    for (const plan of cluster.plans.slice(-10)) expect(plan.status.availableReplicas ?? 0).toBeGreaterThanOrEqual(4);
  });
});

describe('canary with traffic routing: header and mirror routes', () => {
  test('set by their steps, cleared by a step without match and at the end', () => {
    const steps: CanaryStep[] = [
      { setWeight: 20 },
      { setHeaderRoute: { name: 'header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
      { setMirrorRoute: { name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 50 } },
      { pause: {} },
      { setHeaderRoute: { name: 'header' } },
      { pause: {} },
    ];
    const cluster = routed(steps, { trafficRouting: { ...istio, managedRoutes: [{ name: 'header' }, { name: 'mirror' }] } });
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    expect(cluster.router.routes).toEqual(['header', 'mirror']);
    promote(cluster);
    runUntilSettled(cluster);
    expect(cluster.router.routes).toEqual(['mirror']);
    promote(cluster);
    runUntilSettled(cluster);
    expect(cluster.router.routes).toEqual([]);
    expect(cluster.rollout.status?.phase).toBe('Healthy');
  });
});

describe('canary with traffic routing: setCanaryScale', () => {
  test('replicas, then weight, then back to the traffic weight', () => {
    const steps: CanaryStep[] = [
      { setCanaryScale: { replicas: 3 } },
      { setWeight: 20 },
      { pause: {} },
      { setCanaryScale: { weight: 60 } },
      { pause: {} },
      { setCanaryScale: { matchTrafficWeight: true } },
      { pause: {} },
    ];
    const cluster = routed(steps, {}, 10);
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 10, [NEW]: 3 });
    expect(cluster.router.weight).toBe(20);
    promote(cluster);
    runUntilSettled(cluster);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 10, [NEW]: 6 });
    expect(cluster.router.weight).toBe(20);
    promote(cluster);
    runUntilSettled(cluster);
    expect(replicasByName(cluster)).toEqual({ [OLD]: 10, [NEW]: 2 });
  });
});

describe('trafficRoutedReplicaCounts (Argo CalculateReplicaCountsForTrafficRoutedCanary)', () => {
  const base: TrafficCanaryInput = {
    replicas: 10,
    maxWeight: 100,
    steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }],
    currentStepIndex: 0,
    aborted: false,
    promoteFull: false,
    stableHash: 'stable',
    currentPodHash: 'canary',
    dynamicStableScale: false,
    abortScaleDownDelaySeconds: undefined,
    minPodsPerReplicaSet: undefined,
    canaryAvailable: 0,
    stableAvailable: 10,
  };
  const weights = (canary: number) => ({ canary: { weight: canary }, stable: { weight: 100 - canary } });
  test.each([
    ['setWeight 10: canary ceil(1), stable whole', {}, undefined, { canary: 1, stable: 10 }],
    ['setWeight 50', { currentStepIndex: 2 }, undefined, { canary: 5, stable: 10 }],
    ['weight 15 rounds up', { steps: [{ setWeight: 15 }] }, undefined, { canary: 2, stable: 10 }],
    ['maxTrafficWeight 1000', { maxWeight: 1000, steps: [{ setWeight: 250 }] }, undefined, { canary: 3, stable: 10 }],
    ['minPodsPerReplicaSet raises a non-zero canary', { minPodsPerReplicaSet: 2 }, undefined, { canary: 2, stable: 10 }],
    ['fully promoted: all canary', { currentPodHash: 'stable' }, undefined, { canary: 10, stable: 10 }],
    ['setCanaryScale replicas', { steps: [{ setCanaryScale: { replicas: 4 } }] }, undefined, { canary: 4, stable: 10 }],
    [
      'setCanaryScale weight',
      { steps: [{ setWeight: 10 }, { setCanaryScale: { weight: 30 } }], currentStepIndex: 1 },
      undefined,
      { canary: 3, stable: 10 },
    ],
    [
      'matchTrafficWeight cancels it',
      {
        steps: [{ setCanaryScale: { weight: 30 } }, { setWeight: 10 }, { setCanaryScale: { matchTrafficWeight: true } }],
        currentStepIndex: 2,
      },
      undefined,
      { canary: 1, stable: 10 },
    ],
    ['dynamicStableScale: stable follows the desired weight', { dynamicStableScale: true }, undefined, { canary: 1, stable: 9 }],
    [
      'dynamicStableScale: stable keeps what its current traffic needs',
      { dynamicStableScale: true, currentStepIndex: 2 },
      weights(10),
      { canary: 5, stable: 9 },
    ],
    [
      'dynamicStableScale abort: weight steps back to 10, canary keeps what its traffic needs',
      { dynamicStableScale: true, aborted: true, canaryAvailable: 5, stableAvailable: 5 },
      weights(50),
      { canary: 5, stable: 9 },
    ],
    [
      'abort without delay 0: setCanaryScale ignored, canary to 0',
      { aborted: true, steps: [{ setCanaryScale: { replicas: 4 } }] },
      undefined,
      { canary: 0, stable: 10 },
    ],
    [
      'abort with abortScaleDownDelaySeconds 0: setCanaryScale kept',
      { aborted: true, abortScaleDownDelaySeconds: 0, steps: [{ setCanaryScale: { replicas: 4 } }] },
      undefined,
      { canary: 4, stable: 10 },
    ],
  ] as const)('%s', (_name, change, current, expected) => {
    expect(trafficRoutedReplicaCounts({ ...base, ...change }, current)).toEqual(expected);
  });
});

describe("canary with Istio subset-level routing and no Services (Argo's TestIstioSubsetSplit)", () => {
  const subsets = {
    istio: {
      virtualService: { name: 'demo-vs', routes: ['primary'] },
      destinationRule: { name: 'demo-dr', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    },
  };

  test('is accepted (Argo requires the Services for every router but this one) and routes by weight to 10, then back to 100 / 0', () => {
    const rollout = canaryRollout({ replicas: 2, steps: [{ setWeight: 10 }, { pause: {} }] });
    rollout.spec.strategy = { canary: { trafficRouting: subsets, steps: [{ setWeight: 10 }, { pause: {} }] } };
    const cluster = simulatedCluster(rollout);
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.conditions?.map((condition) => condition.type)).not.toContain('InvalidSpec');
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    setImage(cluster, 'demo:2');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(cluster.router.weight).toBe(10);
    const hashes = cluster.router.calls.flatMap(({ operation }) => (operation.op === 'updateHash' ? [operation] : []));
    expect(hashes.at(-1)?.canaryHash).not.toBe(hashes.at(-1)?.stableHash);
    promote(cluster);
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    expect(cluster.router.weight).toBe(0);
  });

  test.each([
    ['Istio host-level', istio],
    ['SMI', { smi: {} }],
  ])("%s without Services is still refused, stableService first, in Argo's words", (_name, trafficRouting) => {
    const rollout = canaryRollout();
    rollout.spec.strategy = { canary: { trafficRouting, steps: [{ setWeight: 10 }] } };
    const plan = planRollout({ rollout, replicaSets: [], services: {}, pods: [], now: new Date(0) });
    expect(plan.status.conditions?.[0]?.message).toBe(
      'The Rollout "demo" is invalid: spec.strategy.canary.stableService: Canary service and Stable service must to be set to use Traffic Routing',
    );
  });
});

describe('router objects decided in the same reconcile', () => {
  const vsOf = (stable: number, canary: number): Record<string, unknown> => ({
    metadata: { name: 'demo-vs', namespace: 'default', resourceVersion: '7' },
    spec: {
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'demo-stable' }, weight: stable },
            { destination: { host: 'demo-canary' }, weight: canary },
          ],
        },
      ],
    },
  });

  test('a VirtualService missing from the cached objects is InvalidSpec of the same plan, nothing written', () => {
    const cluster = routed(seedSteps);
    setImage(cluster, 'demo:2');
    const observation = { ...observe(cluster), routerObjects: () => undefined };
    const plan = planRollout(observation);
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.find((condition) => condition.type === 'InvalidSpec')?.message).toMatch(/VirtualService .*demo-vs/u);
  });

  test('a route the VirtualService lacks is refused too, and a VirtualService that holds the plan lets it through unchanged', () => {
    const cluster = routed(seedSteps);
    const withoutRoute = { ...vsOf(100, 0), spec: { http: [{ name: 'other', route: [] }] } };
    const refused = planRollout({ ...observe(cluster), routerObjects: (ref) => (ref.name === 'demo-vs' ? withoutRoute : undefined) });
    expect(refused.status.conditions?.find((condition) => condition.type === 'InvalidSpec')?.message).toContain('primary');
    const unchecked = planRollout(observe(cluster));
    const checked = planRollout({ ...observe(cluster), routerObjects: (ref) => (ref.name === 'demo-vs' ? vsOf(100, 0) : undefined) });
    expect(checked).toEqual(unchecked);
  });
});

describe("canary with traffic routing: an experiment step's template weights (Argo's additional destinations)", () => {
  const steps: CanaryStep[] = [
    { setWeight: 20 },
    {
      experiment: {
        templates: [
          { name: 'baseline', specRef: 'stable', weight: 5 },
          { name: 'canary', specRef: 'canary', weight: 10 },
        ],
      },
    },
    { pause: {} },
  ];
  const EXPERIMENT = `demo-${NEW.slice('demo-'.length)}-2-1`;
  const setPhase = (cluster: SimulatedCluster, phase: 'Running' | 'Successful' | 'Failed', services = true) => {
    const experiment = cluster.experiments.find((candidate) => candidate.metadata?.name === EXPERIMENT);
    if (experiment === undefined) throw new Error(`no Experiment ${EXPERIMENT}`);
    experiment.status = {
      phase,
      templateStatuses: ['baseline', 'canary'].map((name) => ({
        name,
        podTemplateHash: `hash-${name}`,
        ...(services ? { serviceName: `${EXPERIMENT}-${name}` } : {}),
      })),
    };
  };
  const lastSetWeight = (cluster: SimulatedCluster) =>
    cluster.router.calls.flatMap(({ operation }) => (operation.op === 'setWeight' ? [operation] : [])).at(-1);
  const additional = [
    { weight: 5, serviceName: `${EXPERIMENT}-baseline`, podTemplateHash: 'hash-baseline' },
    { weight: 10, serviceName: `${EXPERIMENT}-canary`, podTemplateHash: 'hash-canary' },
  ];

  test('while the Experiment runs the routers split 20/5/10/65; when it succeeds the destinations go and the step moves on', () => {
    const cluster = routed(steps);
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    expect(statusOf(cluster).currentStepIndex).toBe(1);
    expect(statusOf(cluster).canary?.currentExperiment).toBe(EXPERIMENT);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 20 });

    // Services not created yet: no destination (Argo would write an empty service name).
    setPhase(cluster, 'Running', false);
    runUntilSettled(cluster);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 20 });

    setPhase(cluster, 'Running');
    cluster.events.length = 0;
    runUntilSettled(cluster);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 20, additional });
    const updateHash = cluster.router.calls.flatMap(({ operation }) => (operation.op === 'updateHash' ? [operation] : [])).at(-1);
    expect(updateHash).toMatchObject({ additional });
    expect(statusOf(cluster).canary?.weights).toMatchObject({
      canary: { weight: 20, serviceName: 'demo-canary' },
      stable: { weight: 65, serviceName: 'demo-stable' },
      additional: [
        { weight: 5, serviceName: `${EXPERIMENT}-baseline`, podTemplateHash: 'hash-baseline' },
        { weight: 10, serviceName: `${EXPERIMENT}-canary`, podTemplateHash: 'hash-canary' },
      ],
    });
    expect(cluster.events.map((event) => event.message)).toContain(
      `Traffic weight updated additional: [{5 ${EXPERIMENT}-baseline hash-baseline} {10 ${EXPERIMENT}-canary hash-canary}]`,
    );

    setPhase(cluster, 'Successful');
    cluster.events.length = 0;
    runUntilSettled(cluster);
    expect(statusOf(cluster).currentStepIndex).toBe(2);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 20 });
    expect(statusOf(cluster).canary?.weights?.stable.weight).toBe(80);
    expect(statusOf(cluster).canary?.weights?.additional).toBeUndefined();
    expect(cluster.events.map((event) => event.message)).toContain('Traffic weight updated additional: []');
  });

  test('an Experiment that fails aborts: the weight and the destinations leave together', () => {
    const cluster = routed(steps);
    setImage(cluster, 'demo:2');
    runUntilSettled(cluster);
    setPhase(cluster, 'Running');
    runUntilSettled(cluster);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 20, additional });
    setPhase(cluster, 'Failed');
    runUntilSettled(cluster);
    expect(statusOf(cluster).abort).toBe(true);
    expect(lastSetWeight(cluster)).toEqual({ op: 'setWeight', weight: 0 });
    expect(statusOf(cluster).canary?.weights).toMatchObject({ canary: { weight: 0 }, stable: { weight: 100 } });
    expect(statusOf(cluster).canary?.weights?.additional).toBeUndefined();
  });
});
