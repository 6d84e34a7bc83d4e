// Side by side (issue 5, item 3b): step lateness — how long after a `pause: {duration}` has ended
// (its pause condition's startTime + duration, as the controller wrote it) the controller writes the
// next step (status.currentStepIndex advances), seen by the bench's watch — with N Rollouts active at
// once. Used by side-by-side-idle.ts on its N Healthy Rollouts: a new image on all of them, each then
// running setWeight 50 and three timed pauses one after the other, so every pause but the first ends
// while the others are mid-update too.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createInformerCache, createRestClient, type KubeObject } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import type { Logger } from '../src/log/index.js';
import { withConcurrency } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { percentile, row } from './report.js';
import type { ControllerName } from './side-by-side-controllers.js';
import { cpuSeconds } from './side-by-side-process.js';

/** Seconds of each timed pause; long enough that N Rollouts are all mid-update when the later ones end. */
export const pauseSeconds = 20;
const pausesPerRollout = 3;

/** The steps every bench Rollout carries (its first revision skips them; a new image runs them). */
export const latenessSteps: readonly object[] = [
  { setWeight: 50 },
  ...Array.from({ length: pausesPerRollout }, () => ({ pause: { duration: `${String(pauseSeconds)}s` } })),
];

export interface LatenessFigures {
  rollouts: number;
  /** Pause ends measured (N × 3 when all completed). */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Below 0: the step was written before the pause's end as written (a controller rounding its start up, say). */
  minMs: number;
  /**
   * The same against the pause's start as the bench's watch saw it. startTime is written to the second
   * (metav1.Time); a controller timing the pause from its own unrounded clock (Argo enqueues after the
   * duration from its in-memory now) ends it up to 1 s after startTime + duration; this figure has no
   * such rounding, only the watch's delay on the start.
   */
  seenP50Ms: number;
  seenP99Ms: number;
  /** New image on all N → all N through their last pause. */
  wallSeconds: number;
  /** The controller's CPU over that time. */
  cpuSeconds: number;
}

interface RolloutState extends KubeObject {
  status?: { currentStepIndex?: number; pauseConditions?: { reason?: string; startTime?: string }[] };
}

/** Where each Rollout's current timed pause ends (ms since the epoch), keyed `name/stepIndex`, and when its next step was seen. */
interface Observed {
  deadlines: Map<string, number>;
  /** When the bench's watch first saw the pause condition, + the duration: the end of the pause as observed. */
  seenDeadlines: Map<string, number>;
  advancedAt: Map<string, number>;
  /** Seen on a step of the new revision (the first revision sits at the end of its steps from the start). */
  started: Set<string>;
  finished: Set<string>;
}

function observe(rollout: RolloutState, observed: Observed): void {
  const name = rollout.metadata?.name ?? '';
  const step = rollout.status?.currentStepIndex;
  if (step === undefined) return;
  // Every recorded pause before the current step has ended: the first sight of a later step is the write we time.
  for (let earlier = 1; earlier < step && earlier <= pausesPerRollout; earlier += 1) {
    const key = `${name}/${String(earlier)}`;
    if (observed.deadlines.has(key) && !observed.advancedAt.has(key)) observed.advancedAt.set(key, Date.now());
  }
  if (step < latenessSteps.length) observed.started.add(name);
  else if (observed.started.has(name)) observed.finished.add(name);
  const pause = rollout.status?.pauseConditions?.find((condition) => condition.reason === 'CanaryPauseStep');
  if (step >= 1 && step <= pausesPerRollout && pause?.startTime !== undefined) {
    const key = `${name}/${String(step)}`;
    if (!observed.deadlines.has(key)) {
      observed.deadlines.set(key, Date.parse(pause.startTime) + pauseSeconds * 1000);
      observed.seenDeadlines.set(key, Date.now() + pauseSeconds * 1000);
    }
  }
}

/**
 * Sets a new image on the `names` (Healthy, carrying latenessSteps) in `namespace` and waits until each
 * has gone through its three pauses; the controller process `pid` is the one handling them.
 */
export async function measureLateness(
  environment: LocalEnvironment,
  name: ControllerName,
  pid: number,
  namespace: string,
  names: readonly string[],
  logger: Logger,
): Promise<LatenessFigures> {
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`;
  const observed: Observed = {
    deadlines: new Map(),
    seenDeadlines: new Map(),
    advancedAt: new Map(),
    started: new Set(),
    finished: new Set(),
  };
  const rollouts = createInformerCache<RolloutState>(kubeConfig, { path, logger });
  rollouts.onUpdate((rollout) => {
    observe(rollout, observed);
  });
  await rollouts.start();
  await rollouts.waitForSync(120_000);
  try {
    const cpuBefore = await cpuSeconds(pid);
    const started = performance.now();
    await withConcurrency(names, 20, (rollout) =>
      rest.request({
        method: 'PATCH',
        path: `${path}/${rollout}`,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/app:2' }] } } } },
        contentType: 'application/merge-patch+json',
      }),
    );
    // Generous: N Rollouts each through a new ReplicaSet, a pod and 3 pauses, on a shared machine.
    const timeoutMs = Math.max(300_000, names.length * 600);
    let lastReport = performance.now();
    while (observed.finished.size < names.length) {
      if (performance.now() - started > timeoutMs) {
        logger.warn(
          { bench: 'lateness', controller: name, finished: observed.finished.size, of: names.length },
          'step lateness: not all Rollouts finished their pauses; measuring those that did',
        );
        break;
      }
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        logger.info(
          { bench: 'lateness', controller: name, finished: observed.finished.size, of: names.length, pauseEnds: observed.advancedAt.size },
          'bench progress',
        );
      }
      await delay(250);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = (await cpuSeconds(pid)) - cpuBefore;
    const latenesses = [...observed.advancedAt].map(([key, at]) => at - (observed.deadlines.get(key) ?? Number.NaN)).sort((a, b) => a - b);
    const seen = [...observed.advancedAt].map(([key, at]) => at - (observed.seenDeadlines.get(key) ?? Number.NaN)).sort((a, b) => a - b);
    const figures: LatenessFigures = {
      rollouts: names.length,
      samples: latenesses.length,
      p50Ms: percentile(latenesses, 50),
      p99Ms: percentile(latenesses, 99),
      maxMs: latenesses.at(-1) ?? Number.NaN,
      minMs: latenesses[0] ?? Number.NaN,
      seenP50Ms: percentile(seen, 50),
      seenP99Ms: percentile(seen, 99),
      wallSeconds,
      cpuSeconds: cpu,
    };
    row(
      `${name}: step lateness p50 | p99 | max | min (ms), ${String(figures.samples)} pause ends`,
      `${figures.p50Ms.toFixed(0)} | ${figures.p99Ms.toFixed(0)} | ${figures.maxMs.toFixed(0)} | ${figures.minMs.toFixed(0)}`,
    );
    row(
      `${name}: step lateness from the pause seen by the watch + duration, p50 | p99 (ms)`,
      `${figures.seenP50Ms.toFixed(0)} | ${figures.seenP99Ms.toFixed(0)}`,
    );
    row(
      `${name}: new image → all ${String(names.length)} through 3 pauses of ${String(pauseSeconds)} s (s) | CPU (s)`,
      `${wallSeconds.toFixed(1)} | ${cpu.toFixed(1)}`,
    );
    return figures;
  } finally {
    await rollouts.stop();
  }
}
