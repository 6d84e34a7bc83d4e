import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * A differential scenario as written in test/differential/scenarios/*.yaml:
 * objects to create, then a list of steps (actions and checkpoints). The same
 * scenario runs once per controller, each copy in a namespace of its own.
 */

const kubeObject = z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

/** What a person does; each action maps to the `gradual` verb (which patches what Argo's kubectl plugin patches) or a plain patch. */
const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('set-image'), rollout: z.string(), image: z.string().describe('container=image') }),
  z.strictObject({ action: z.literal('promote'), rollout: z.string(), full: z.boolean().optional() }),
  z.strictObject({ action: z.literal('abort'), rollout: z.string() }),
  z.strictObject({ action: z.literal('retry'), rollout: z.string() }),
  /** A JSON merge patch of the Rollout's pod template spec: another image, or a nodeSelector no node has (pods never ready). */
  z.strictObject({ action: z.literal('patch-template'), rollout: z.string(), podSpec: z.record(z.string(), z.unknown()) }),
  /** A JSON merge patch of the Rollout's spec, as `kubectl patch --type merge` or an apply: e.g. another strategy (`blueGreen: null`, `canary: {...}`). */
  z.strictObject({ action: z.literal('patch-spec'), rollout: z.string(), spec: z.record(z.string(), z.unknown()) }),
]);
export type ScenarioAction = z.infer<typeof actionSchema>;

/**
 * What the metric backend answers from now on (support/metric-server.ts): one
 * step for both sides, since both controllers ask the same server.
 */
const setMetricSchema = z.strictObject({ action: z.literal('set-metric'), metric: z.string().min(1), value: z.unknown() });
export type SetMetric = z.infer<typeof setMetricSchema>;

/**
 * A checkpoint: wait until each side's Rollout shows these status values and
 * its ReplicaSets hold still, then compare everything both controllers wrote.
 */
const checkpointSchema = z.strictObject({
  checkpoint: z.string().describe('a name for the diff, e.g. "paused at step 1"'),
  rollout: z.string(),
  until: z.strictObject({
    phase: z.enum(['Healthy', 'Progressing', 'Paused', 'Degraded']).optional(),
    currentStepIndex: z.number().int().optional(),
    abort: z.boolean().optional(),
    /** The current pod hash is the stable one again (a finished rollout or rollback). */
    stableIsCurrent: z.boolean().optional(),
    /** The phases of the side's AnalysisRuns, sorted (`''` for a run with no phase yet). */
    analysisRunPhases: z.array(z.string()).optional(),
    /** The phases of the Rollout's Experiments (an experiment step's), sorted (`''` for one with no phase yet). */
    experimentPhases: z.array(z.string()).optional(),
  }),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

const stepSchema = z.union([actionSchema, setMetricSchema, checkpointSchema]);
export type ScenarioStep = z.infer<typeof stepSchema>;

/**
 * A difference the suite knows about, so it stays green while saying so:
 * `field` is a diff path (`*` matches any run of characters), or
 * `* › events: <Reason>` to take one Event reason out of both stories (its
 * counts are compared on their own, per checkpoint; `<checkpoint> › events: <Reason>`
 * at that checkpoint only). `kind` says whose it is: `argo-bug` — Argo's
 * behaviour that Gradual deliberately does not copy; `deliberate` — a
 * documented design choice of Gradual's; `gradual-todo` — Gradual should
 * match Argo and does not yet; `timing` — each controller's own outcome
 * depends on the cluster's timing, and both outcomes were seen on both sides.
 */
const knownDifferenceSchema = z.strictObject({
  field: z.string(),
  /**
   * The values the entry explains, as the report shows them (JSON; `*` matches anything), when the
   * field alone would say too much: e.g. a message Gradual extends, which must still start as Argo's.
   */
  gradual: z.string().optional(),
  argo: z.string().optional(),
  kind: z.enum(['argo-bug', 'deliberate', 'gradual-todo', 'timing']),
  reason: z.string().min(10),
});
export type KnownDifference = z.infer<typeof knownDifferenceSchema>;

/** An object a controller creates itself (SMI's TrafficSplit, NGINX's canary Ingress), read back like the scenario's router objects. */
const createdRouterSchema = z.strictObject({ apiVersion: z.string(), kind: z.string(), name: z.string() });
export type CreatedRouter = z.infer<typeof createdRouterSchema>;

export const scenarioSchema = z.strictObject({
  description: z.string(),
  objects: z.array(kubeObject).min(1),
  /** Router objects the controllers create: compared at each checkpoint (spec, annotations, owners), `null` while absent. */
  createdRouters: z.array(createdRouterSchema).default([]),
  steps: z.array(stepSchema).min(1),
  /**
   * Watch each side's Rollouts from before their creation and compare, at each checkpoint, the sequence of
   * distinct condition states (the sorted `Type=Status` set of each write) persisted since the previous one:
   * what `kubectl wait --for=condition=…` can observe. Opt-in: a status written in more or fewer steps with
   * the same end state is invisible to the snapshots.
   */
  recordConditions: z.boolean().default(false),
  knownDifferences: z.array(knownDifferenceSchema).default([]),
});
export type Scenario = z.infer<typeof scenarioSchema> & { name: string };

export const scenarioDir = fileURLToPath(new URL('../scenarios/', import.meta.url));

export function parseScenario(name: string, text: string): Scenario {
  const parsed = scenarioSchema.safeParse(parse(text));
  if (!parsed.success) throw new Error(`scenario ${name}: ${z.prettifyError(parsed.error)}`);
  return { name, ...parsed.data };
}

/** test/differential/known-differences.yaml: the differences every scenario shows (one entry each, not one per scenario). */
export const commonDifferencesFile = fileURLToPath(new URL('../known-differences.yaml', import.meta.url));

export async function loadCommonDifferences(file = commonDifferencesFile): Promise<KnownDifference[]> {
  const parsed = z.strictObject({ knownDifferences: z.array(knownDifferenceSchema) }).safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.knownDifferences;
}

/** Every scenario, each with the common known differences after its own. */
export async function loadScenarios(dir = scenarioDir): Promise<Scenario[]> {
  const common = await loadCommonDifferences();
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const scenario = parseScenario(basename(file, '.yaml'), await readFile(join(dir, file), 'utf8'));
      return { ...scenario, knownDifferences: [...scenario.knownDifferences, ...common] };
    }),
  );
}

export function isCheckpoint(step: ScenarioStep): step is Checkpoint {
  return 'checkpoint' in step;
}

export function isSetMetric(step: ScenarioStep): step is SetMetric {
  return 'action' in step && step.action === 'set-metric';
}
