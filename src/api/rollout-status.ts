import { z } from 'zod';
import { int32, opaqueObject, timestamp, type PathSegment } from './common.js';

/*
 * The status in Argo's shape, so Argo CD's health check and Argo's kubectl
 * plugin read Gradual's Rollouts. Every object is loose: Argo itself, a newer
 * Gradual or another tool may have written fields this version does not
 * know, and the engine must neither choke on them nor (in the CRD) prune
 * them. Reading a status never fails either: parseRolloutStatus drops a field
 * of the wrong type and says which (a status is data about the past, not
 * instructions).
 */

export const rolloutPhases = ['Progressing', 'Paused', 'Healthy', 'Degraded'] as const;
export const pauseReasons = ['CanaryPauseStep', 'BlueGreenPause', 'InconclusiveAnalysisRun', 'InconclusiveExperiment'] as const;
export const rolloutConditionTypes = [
  'InvalidSpec',
  'Available',
  'Progressing',
  'ReplicaFailure',
  'Paused',
  'Completed',
  'Healthy',
] as const;

export const pauseConditionSchema = z.looseObject({
  reason: z.string().meta({ description: `why the rollout paused: ${pauseReasons.join(', ')}` }),
  startTime: timestamp(),
});

export const rolloutConditionSchema = z.looseObject({
  type: z.string().meta({ description: rolloutConditionTypes.join(', ') }),
  status: z.string().meta({ description: 'True, False or Unknown' }),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
});

export const analysisRunStatusSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  message: z.string().optional(),
});

export const weightDestinationSchema = z.looseObject({
  weight: int32(),
  serviceName: z.string().optional(),
  podTemplateHash: z.string().optional(),
});

export const trafficWeightsSchema = z.looseObject({
  canary: weightDestinationSchema,
  stable: weightDestinationSchema,
  additional: z.array(weightDestinationSchema).optional(),
  verified: z.boolean().optional(),
});

export const canaryStatusSchema = z.looseObject({
  currentStepAnalysisRunStatus: analysisRunStatusSchema.optional(),
  currentBackgroundAnalysisRunStatus: analysisRunStatusSchema.optional(),
  currentExperiment: z.string().optional(),
  weights: trafficWeightsSchema.optional(),
  stablePingPong: z.string().meta({ description: 'ping or pong' }).optional(),
  stepPluginStatuses: z.array(opaqueObject()).optional(),
});

export const blueGreenStatusSchema = z.looseObject({
  previewSelector: z.string().optional(),
  activeSelector: z.string().optional(),
  scaleUpPreviewCheckPoint: z.boolean().optional(),
  prePromotionAnalysisRunStatus: analysisRunStatusSchema.optional(),
  postPromotionAnalysisRunStatus: analysisRunStatusSchema.optional(),
});

export const rolloutStatusSchema = z
  .looseObject({
    abort: z.boolean().optional(),
    pauseConditions: z.array(pauseConditionSchema).optional(),
    controllerPause: z.boolean().optional(),
    abortedAt: timestamp().optional(),
    currentPodHash: z.string().optional(),
    currentStepHash: z.string().optional(),
    replicas: int32().optional(),
    updatedReplicas: int32().optional(),
    readyReplicas: int32().optional(),
    availableReplicas: int32().optional(),
    currentStepIndex: int32().optional(),
    collisionCount: int32().optional(),
    // Argo writes the generation as a string; Argo CD's health check compares it as one.
    observedGeneration: z.string().optional(),
    conditions: z.array(rolloutConditionSchema).optional(),
    canary: canaryStatusSchema.optional(),
    blueGreen: blueGreenStatusSchema.optional(),
    HPAReplicas: int32('replicas receiving active traffic (the scale subresource reads it)').optional(),
    selector: z.string().meta({ description: 'label selector of the pods receiving active traffic, as a string' }).optional(),
    stableRS: z.string().optional(),
    restartedAt: timestamp().optional(),
    promoteFull: z.boolean().optional(),
    phase: z.enum(rolloutPhases).optional(),
    message: z.string().optional(),
    workloadObservedGeneration: z.string().optional(),
    alb: opaqueObject().optional(),
    albs: z.array(opaqueObject()).optional(),
  })
  .meta({ description: 'the observed state of the Rollout, written by the controller' });

/**
 * Reads a status leniently: a field of the wrong type (or an entry missing a
 * required field) is dropped and its path returned, the rest is kept.
 */
export function parseRolloutStatus(value: unknown): { status: RolloutStatusShape | undefined; dropped: PathSegment[][] } {
  if (value === undefined || value === null) return { status: undefined, dropped: [] };
  const candidate: unknown = structuredClone(value);
  const dropped: PathSegment[][] = [];
  // Every round removes at least one field or entry; the bound only guards against a status that does not shrink.
  for (let round = 0; round < 1000; round += 1) {
    const result = rolloutStatusSchema.safeParse(candidate);
    if (result.success) return { status: result.data, dropped };
    for (const issue of result.error.issues) {
      let path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
      // A required field that is missing: the object that lacks it goes.
      if (!hasValueAt(candidate, path)) path = path.slice(0, -1);
      if (path.length === 0) return { status: undefined, dropped: [...dropped, []] };
      markForRemoval(candidate, path);
      dropped.push(path);
    }
    sweep(candidate);
  }
  return { status: undefined, dropped: [...dropped, []] };
}

type RolloutStatusShape = z.infer<typeof rolloutStatusSchema>;

const removed = Symbol('removed');

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

function hasValueAt(root: unknown, path: readonly PathSegment[]): boolean {
  return valueAt(root, path) !== undefined;
}

/** Array entries are marked and swept after the round, so the other issues' indices stay right. */
function markForRemoval(root: unknown, path: readonly PathSegment[]): void {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path.at(-1);
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = removed;
  else if (typeof parent === 'object' && parent !== null && last !== undefined) Reflect.deleteProperty(parent, last);
}

function sweep(node: unknown): void {
  if (Array.isArray(node)) {
    for (let index = node.length - 1; index >= 0; index -= 1) {
      if (node[index] === removed) node.splice(index, 1);
      else sweep(node[index]);
    }
  } else if (typeof node === 'object' && node !== null) {
    for (const child of Object.values(node)) sweep(child);
  }
}
