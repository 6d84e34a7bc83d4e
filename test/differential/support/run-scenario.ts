import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { diffSequences, diffTrees, fieldPattern, judge, renderVerdict, statesSince, type Difference, type Verdict } from './compare.js';
import type { DifferentialControllers } from './controllers.js';
import { startMetricServer, withMetricServer } from './metric-server.js';
import { isCheckpoint, isSetMetric, type Checkpoint, type Scenario } from './scenario.js';
import { createSide, type Side, type SideEvent } from './side.js';
import { hashLabel, snapshotSide, type Json, type RawSide } from './snapshot.js';

export interface RunOptions {
  /**
   * Changes what was read from Gradual's side before it is compared: the
   * runner's own test breaks Gradual this way, without touching the engine.
   */
  tamperWithGradual?: (raw: RawSide) => RawSide;
  /** How long a side must hold still to count as settled (it is another process: there is no clock to inject). */
  quietMs?: number;
  timeoutMs?: number;
}

export interface ScenarioResult {
  verdict: Verdict;
  report: string;
  /** Every difference found, before the scenario's known differences were applied. */
  differences: Difference[];
}

/**
 * Runs one scenario on both controllers: the same objects in two namespaces,
 * the same actions on both, and at each checkpoint a wait until each side has
 * reached it and holds still, then a comparison of everything both wrote;
 * at the end, the ordered Event reasons.
 */
export async function runScenario(
  scenario: Scenario,
  controllers: DifferentialControllers,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const suffix = randomUUID().slice(0, 6);
  const sides: Side[] = [];
  const metrics = await startMetricServer();
  try {
    for (const controller of ['gradual', 'argo'] as const) {
      sides.push(
        await createSide({
          controller,
          namespace: `diff-${scenario.name}-${controller}-${suffix}`,
          instanceId: controllers.instanceIds[controller],
          kubeConfig: controllers.kubeConfig,
          kubeconfigPath: controllers.kubeconfigPath,
        }),
      );
    }
    const [gradual, argo] = sides as [Side, Side];
    const read = async (side: Side, rollout: string): Promise<RawSide> => {
      const raw = await side.read(rollout);
      return side === gradual && options.tamperWithGradual !== undefined ? options.tamperWithGradual(raw) : raw;
    };
    if (scenario.recordConditions) await Promise.all(sides.map((side) => side.watchConditions()));
    await Promise.all(sides.map((side) => side.create(withMetricServer(scenario.objects, metrics.url), scenario.createdRouters)));
    const conditionsSeen = { gradual: 0, argo: 0 };
    const differences: Difference[] = [];
    const seen = { gradual: new Map<string, number>(), argo: new Map<string, number>() };
    // The Experiment Events (reason and message) each side has recorded so far: a later identical one is a repeat.
    const transitionsSeen = { gradual: new Set<string>(), argo: new Set<string>() };
    for (const step of scenario.steps) {
      if (isSetMetric(step)) {
        metrics.set(step.metric, step.value);
        continue;
      }
      if (!isCheckpoint(step)) {
        await Promise.all(sides.map((side) => side.act(step)));
        continue;
      }
      const [left, right] = await Promise.all(sides.map((side) => settle(side, step, (rollout) => read(side, rollout), options)));
      differences.push(...diffTrees(`${step.checkpoint} ›`, left ?? null, right ?? null));
      const [gradualEvents, argoEvents] = await Promise.all([
        settleEvents(gradual, step.rollout, options),
        settleEvents(argo, step.rollout, options),
      ]);
      differences.push(
        ...compareEvents(`${step.checkpoint} ›`, sinceLast(gradualEvents, seen.gradual), sinceLast(argoEvents, seen.argo), scenario),
      );
      // An experiment step's Experiments tell their own story (templates, analyses, phases): compared the same way,
      // as `<checkpoint> › experiment events`. Empty on both sides for a scenario without one: no difference.
      const [gradualExperimentEvents, argoExperimentEvents] = await Promise.all([
        settleEvents(gradual, null, options),
        settleEvents(argo, null, options),
      ]);
      const gradualFolded = foldRepeats(sinceLast(gradualExperimentEvents, seen.gradual), transitionsSeen.gradual);
      const argoFolded = foldRepeats(sinceLast(argoExperimentEvents, seen.argo), transitionsSeen.argo);
      differences.push(...compareEvents(`${step.checkpoint} › experiment ›`, gradualFolded.events, argoFolded.events, scenario));
      if (gradualFolded.repeated !== argoFolded.repeated)
        differences.push({
          field: `${step.checkpoint} › experiment › events repeated`,
          gradual: gradualFolded.repeated,
          argo: argoFolded.repeated,
        });
      if (scenario.recordConditions) {
        // The states persisted since the previous checkpoint, starting from the last one it saw (the state carried over).
        const [gradualStates, argoStates] = [gradual, argo].map((side) => side.conditionHistory(step.rollout)) as [string[], string[]];
        differences.push(
          ...diffSequences(
            `${step.checkpoint} › conditions`,
            statesSince(gradualStates, conditionsSeen.gradual),
            statesSince(argoStates, conditionsSeen.argo),
          ),
        );
        conditionsSeen.gradual = gradualStates.length;
        conditionsSeen.argo = argoStates.length;
      }
    }
    const verdict = judge(differences, scenario.knownDifferences);
    return { verdict, differences, report: renderVerdict(scenario.name, verdict) };
  } finally {
    await Promise.all(sides.map((side) => side.tearDown()));
    await metrics.close();
  }
}

/**
 * The ordered Event reasons, after taking out the reasons a known difference
 * names (`* › events: <Reason>`, or `<checkpoint> › events: <Reason>` for one checkpoint): those are compared by count instead, so one
 * extra Event on one side does not hide how the rest of the story compares.
 */
function compareEvents(checkpoint: string, gradual: readonly SideEvent[], argo: readonly SideEvent[], scenario: Scenario): Difference[] {
  // `* › events: X` takes X out at every checkpoint, `<checkpoint> › events: X` at that one only (`*` as in any field
  // pattern: `* › experiment › events: X` takes it out of every checkpoint's experiment story only).
  const named = scenario.knownDifferences.map((entry) => /^(.+) › events: (\w+)$/.exec(entry.field));
  const set = new Set(
    named.filter((match) => match !== null && fieldPattern(`${match[1] ?? ''} ›`).test(checkpoint)).map((match) => match?.[2] ?? ''),
  );
  const differences: Difference[] = [];
  for (const reason of set) {
    const count = (events: readonly { reason: string }[]): string => String(events.filter((event) => event.reason === reason).length);
    if (count(gradual) !== count(argo))
      differences.push({ field: `${checkpoint} events: ${reason}`, gradual: `${count(gradual)} Events`, argo: `${count(argo)} Events` });
  }
  const kept = (events: readonly SideEvent[]): SideEvent[] => events.filter((event) => !set.has(event.reason));
  const story = diffSequences(`${checkpoint} events`, eventStory(kept(gradual)), eventStory(kept(argo)));
  // The messages say why the stories part; the comparison itself is on reasons only (messages name objects and times).
  const lines = (events: readonly SideEvent[]): string[] =>
    events.map((event) => `${event.reason}${event.count > 1 ? ` ×${String(event.count)}` : ''}: ${event.message}`);
  return [...differences, ...story.map((difference) => ({ ...difference, detail: { gradual: lines(gradual), argo: lines(argo) } }))];
}

/**
 * The side's Events about the Rollout (about its namespace's Experiments when `rollout` is null) once they hold
 * still: Argo's recorder writes them asynchronously, after the status.
 */
async function settleEvents(side: Side, rollout: string | null, options: RunOptions): Promise<SideEvent[]> {
  const quietMs = options.quietMs ?? 1_500;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const read = (): Promise<SideEvent[]> => (rollout === null ? side.experimentEvents() : side.events(rollout));
  let events = await read();
  let last = JSON.stringify(events);
  let stableSince = Date.now();
  // A story still growing at the deadline is compared as it stands: the diff then shows what kept coming.
  while (Date.now() < deadline) {
    await delay(250);
    events = await read();
    const text = JSON.stringify(events);
    if (text !== last) stableSince = Date.now();
    else if (Date.now() - stableSince >= quietMs) return events;
    last = text;
  }
  return events;
}

/**
 * The occurrences since the previous checkpoint. client-go's recorder (Argo)
 * folds a repeat of the same reason and message into the existing Event
 * (count + 1, a new resourceVersion), while Gradual writes a new one; read at
 * each checkpoint, a repeat lands in the window where it happened, at the
 * position of its latest occurrence.
 */
function sinceLast(events: readonly SideEvent[], seen: Map<string, number>): SideEvent[] {
  const fresh: SideEvent[] = [];
  for (const event of events) {
    const count = event.count - (seen.get(event.name) ?? 0);
    seen.set(event.name, event.count);
    if (count > 0) fresh.push({ ...event, count });
  }
  return fresh;
}

/**
 * An Experiment's story with each repeat of an Event already recorded (the same reason and message, in this window
 * or an earlier one) taken out, and the repeats named apart (`TemplateRunning ×1, …`, or `none`). Argo's Experiment
 * controller can run a pass on its informer's copy from before its own last status patch and record that pass's
 * transitions again (client-go folds them: count 2); the known difference `* › experiment › events repeated` allows
 * exactly that on Argo's side, while the ordered story of distinct transitions is still compared.
 */
function foldRepeats(events: readonly SideEvent[], seen: Set<string>): { events: SideEvent[]; repeated: string } {
  const kept: SideEvent[] = [];
  const repeated: string[] = [];
  for (const event of events) {
    const key = `${event.reason}\n${event.message}`;
    const repeats = seen.has(key) ? event.count : event.count - 1;
    if (!seen.has(key)) kept.push({ ...event, count: 1 });
    seen.add(key);
    if (repeats > 0) repeated.push(`${event.reason} ×${String(repeats)}`);
  }
  return { events: kept, repeated: repeated.length === 0 ? 'none' : repeated.join(', ') };
}

/** Event reasons in order, one per occurrence. */
function eventStory(events: readonly SideEvent[]): string[] {
  return events.flatMap((event) => Array.from({ length: event.count }, () => event.reason));
}

/** Waits until the side's Rollout meets the checkpoint, its ReplicaSets are at their sizes, and its snapshot holds still. */
async function settle(side: Side, checkpoint: Checkpoint, read: (rollout: string) => Promise<RawSide>, options: RunOptions): Promise<Json> {
  const quietMs = options.quietMs ?? 1_500;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let last = '';
  let stableSince = 0;
  let lastRaw: RawSide | undefined;
  for (;;) {
    const raw = await read(checkpoint.rollout);
    lastRaw = raw;
    const snapshot = snapshotSide(raw);
    const text = JSON.stringify(snapshot);
    const now = Date.now();
    if (reached(raw, checkpoint) && replicaSetsSettled(raw)) {
      if (text !== last) stableSince = now;
      if (now - stableSince >= quietMs) return snapshot;
    } else {
      stableSince = now;
    }
    last = text;
    if (now > deadline) {
      throw new Error(
        `${side.controller} (namespace ${side.namespace}) did not reach checkpoint "${checkpoint.checkpoint}" (${JSON.stringify(checkpoint.until)}) and hold still ` +
          `(reached: ${String(reached(lastRaw, checkpoint))}, ReplicaSets at size: ${String(replicaSetsSettled(lastRaw))}, AnalysisRun phases: ${JSON.stringify(lastRaw.analysisRuns.map((run) => run.status?.phase ?? ''))}); ` +
          `last status: ${JSON.stringify(lastRaw.rollout.status ?? {})}`,
      );
    }
    await delay(250);
  }
}

function reached(raw: RawSide, checkpoint: Checkpoint): boolean {
  const status = raw.rollout.status ?? {};
  const { phase, currentStepIndex, abort, stableIsCurrent, analysisRunPhases, experimentPhases } = checkpoint.until;
  if (phase !== undefined && status['phase'] !== phase) return false;
  if (currentStepIndex !== undefined && status['currentStepIndex'] !== currentStepIndex) return false;
  if (abort !== undefined && (status['abort'] === true) !== abort) return false;
  if (
    stableIsCurrent !== undefined &&
    (status['stableRS'] !== undefined && status['stableRS'] === status['currentPodHash']) !== stableIsCurrent
  )
    return false;
  if (analysisRunPhases !== undefined) {
    const phases = raw.analysisRuns.map((run) => run.status?.phase ?? '').sort();
    if (JSON.stringify(phases) !== JSON.stringify([...analysisRunPhases].sort())) return false;
  }
  if (experimentPhases !== undefined) {
    const phases = (raw.experiments ?? []).map((experiment) => phaseText(experiment.status?.['phase'])).sort();
    if (JSON.stringify(phases) !== JSON.stringify([...experimentPhases].sort())) return false;
  }
  return true;
}

function phaseText(phase: unknown): string {
  return typeof phase === 'string' ? phase : '';
}

function replicaSetsSettled(raw: RawSide): boolean {
  return [...raw.replicaSets, ...(raw.experimentReplicaSets ?? [])].every(
    (replicaSet) =>
      replicaSet.metadata?.labels?.[hashLabel] !== undefined &&
      replicaSet.status?.observedGeneration === replicaSet.metadata.generation &&
      (replicaSet.status?.replicas ?? 0) === (replicaSet.spec?.replicas ?? 0),
  );
}
