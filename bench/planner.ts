// Planner decisions per second: planRollout alone (validation, classification, the canary
// planner), no I/O, on observations built with the engine's own test simulator.
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { CanaryStep } from '../src/api/index.js';
import { planRollout } from '../src/engine/plan-rollout.js';
import type { ReconcilePlan, RolloutObservation } from '../src/engine/reconcile-types.js';
import { canaryRollout } from '../src/engine/testing/fixtures.js';
import { apply, observe, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from '../src/engine/testing/simulate.js';
import { header, note, row } from './report.js';

const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }];

interface Scenario {
  name: string;
  observation: RolloutObservation;
  /** Checks that the observation is the situation the scenario names (a benchmark of the wrong case is worse than none). */
  expect: (plan: ReconcilePlan) => boolean;
}

/** A canary of `replicas` rolled out once and settled (Healthy), on the simulator. */
function settledCluster(replicas: number): SimulatedCluster {
  const cluster = simulatedCluster(canaryRollout({ replicas, steps, image: 'demo:1' }));
  if (!runUntilSettled(cluster).settled) throw new Error('the first revision did not settle in the simulator');
  return cluster;
}

function newImage(cluster: SimulatedCluster): void {
  updateSpec(cluster, (spec) => {
    const container = spec.template?.spec?.containers?.[0];
    if (container !== undefined) container.image = 'demo:2';
  });
}

/** Reconciles (moving the clock to the next pod becoming ready when nothing changes) until a plan matches. */
function observationWhere(cluster: SimulatedCluster, wanted: (plan: ReconcilePlan) => boolean): RolloutObservation {
  for (let index = 0; index < 200; index += 1) {
    const observation = observe(cluster);
    const plan = planRollout(structuredClone(observation));
    if (wanted(plan)) return observation;
    const before = cluster.rollout.status;
    apply(cluster, plan);
    if (plan.actions.length === 0 && isDeepStrictEqual(before, plan.status)) {
      const pending = [...cluster.pods.values()]
        .flat()
        .map((created) => created + cluster.readyAfterMs)
        .filter((time) => time > cluster.now);
      if (pending.length === 0) break;
      cluster.now = Math.min(...pending);
    }
  }
  throw new Error('the simulator never reached the wanted situation');
}

const scales = (plan: ReconcilePlan): boolean =>
  plan.actions.some((action) => action.kind === 'updateReplicaSet' && action.replicas !== undefined);

export function plannerScenarios(): Scenario[] {
  const healthy = settledCluster(10);

  const scaling = settledCluster(10);
  newImage(scaling);

  const paused = settledCluster(10);
  newImage(paused);
  if (!runUntilSettled(paused).settled) throw new Error('the canary did not reach its pause in the simulator');

  return [
    {
      name: 'settled Healthy canary (no-op)',
      observation: observe(healthy),
      expect: (plan) => plan.status.phase === 'Healthy' && plan.actions.length === 0,
    },
    {
      name: 'canary mid-step, a ReplicaSet to scale',
      observation: observationWhere(scaling, scales),
      expect: scales,
    },
    {
      name: 'paused canary (step 1, pause {})',
      observation: observe(paused),
      expect: (plan) => plan.status.phase === 'Paused' && plan.status.currentStepIndex === 1 && plan.actions.length === 0,
    },
  ];
}

/** Calls planRollout on the same observation for about `durationMs` (after a short warm-up); decisions per second. */
function decisionsPerSecond(observation: RolloutObservation, durationMs: number): { perSecond: number; calls: number } {
  let sink = 0;
  const batch = 50;
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) sink += planRollout(observation).actions.length;
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let index = 0; index < batch; index += 1) sink += planRollout(observation).actions.length;
    calls += batch;
    elapsed = performance.now() - started;
  }
  if (sink < 0) throw new Error('unreachable');
  return { perSecond: (calls / elapsed) * 1000, calls };
}

export function benchPlanner(durationMs = 1500): void {
  header('Planner: planRollout decisions per second (pure, no I/O, one core)');
  for (const scenario of plannerScenarios()) {
    const pristine = structuredClone(scenario.observation);
    const plan = planRollout(scenario.observation);
    if (!scenario.expect(plan)) throw new Error(`planner scenario "${scenario.name}" does not plan what it names: ${JSON.stringify(plan)}`);
    // The same observation is reused for every call: that is only fair if planRollout leaves it untouched.
    if (!isDeepStrictEqual(pristine, scenario.observation)) throw new Error(`planRollout mutated its observation in "${scenario.name}"`);
    const { perSecond } = decisionsPerSecond(scenario.observation, durationMs);
    row(`${scenario.name} (decisions/s)`, perSecond.toFixed(0));
  }
  note(
    `replicas 10, steps setWeight 20, pause {}, setWeight 60, pause {}; ~${(durationMs / 1000).toFixed(1)} s each after a 0.2 s warm-up`,
  );
}
