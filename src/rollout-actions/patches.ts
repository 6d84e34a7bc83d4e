import type { ContainerLike, PodTemplateLike, RolloutObject } from '../rollout-view/types.js';

/*
 * The exact patches Argo Rollouts' kubectl plugin (v1.9.1,
 * pkg/kubectl-argo-rollouts/cmd/<verb>/<verb>.go) sends, so that either tool
 * drives either controller. Pure: each takes what the verb read and returns
 * the body and where it goes; the commands only send them.
 *
 * `status` means the Rollout's status subresource, `resource` the object
 * itself. Argo sends status changes to the subresource and, when the
 * API server answers 404 there (a CRD installed without the status
 * subresource), the same (or a unified) patch to the object.
 */

export type MergePatch = Record<string, unknown>;

export interface JsonPatchOperation {
  op: 'replace';
  path: string;
  value: unknown;
}

/** One request: a merge patch (`application/merge-patch+json`) for the status subresource or the object. */
export interface PatchRequest {
  target: 'status' | 'resource';
  body: MergePatch;
}

/**
 * What promote sends, in order: `status` to the status subresource, then
 * `spec` to the object. When the status subresource answers 404, Argo sends
 * `fallback` (its "unified" patch) to the object instead of `spec`.
 */
export interface PromotePlan {
  status?: MergePatch;
  spec?: MergePatch;
  fallback?: MergePatch;
}

export interface PromoteOptions {
  full?: boolean;
  /** Argo's deprecated `--skip-current-step`. */
  skipCurrentStep?: boolean;
  /** Argo's deprecated `--skip-all-steps`. */
  skipAllSteps?: boolean;
}

/** Argo refuses these combinations before sending anything; the messages are Argo's. */
export function promoteRefusal(rollout: RolloutObject, options: PromoteOptions): string | undefined {
  if (options.skipCurrentStep === true && options.skipAllSteps === true)
    return 'Cannot use skip-current-step and skip-all-steps flags at the same time';
  if (options.skipCurrentStep !== true && options.skipAllSteps !== true) return undefined;
  const strategy = rollout.spec?.strategy;
  if (strategy?.blueGreen !== undefined) return 'Cannot skip steps of a bluegreen rollout. Run without a flags';
  if (strategy?.canary !== undefined && (strategy.canary.steps ?? []).length === 0) return 'Cannot skip steps of a rollout without steps';
  return undefined;
}

/** Argo's GetCurrentCanaryStep index (undefined without canary steps), moved one step on unless already past the last. */
function nextStepIndex(rollout: RolloutObject): number | undefined {
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  if (rollout.spec?.strategy?.canary === undefined || steps.length === 0) return undefined;
  const index = rollout.status?.currentStepIndex ?? 0;
  return index < steps.length ? index + 1 : index;
}

function isInconclusive(rollout: RolloutObject): boolean {
  return rollout.spec?.strategy?.canary !== undefined && rollout.status?.canary?.currentStepAnalysisRunStatus?.status === 'Inconclusive';
}

/** A status patch and the patch Argo sends to the object in its place when the subresource is missing. */
function statusWithFallback(status: MergePatch, fallback: MergePatch = status): PromotePlan {
  return { status, fallback };
}

/**
 * `promote` (Argo's getPatches). Without --full: lift the manual pause, clear
 * the pause conditions; when the controller paused on an inconclusive step
 * analysis, also clear controllerPause and go to the next step; when nothing
 * paused the rollout (a canary between pauses), skip the current step by
 * setting currentStepIndex one further. With --full: lift the manual pause
 * and, unless the rollout is already fully promoted, set status.promoteFull.
 * A blue-green rollout only ever gets the pause-lifting patches.
 */
export function promotePlan(rollout: RolloutObject, options: PromoteOptions = {}): PromotePlan {
  const spec: PromotePlan = rollout.spec?.paused === true ? { spec: { spec: { paused: false } } } : {};
  if (options.skipCurrentStep === true) {
    const index = nextStepIndex(rollout);
    return index === undefined ? {} : statusWithFallback({ status: { currentStepIndex: index } });
  }
  if (options.skipAllSteps === true) {
    return statusWithFallback({ status: { currentStepIndex: (rollout.spec?.strategy?.canary?.steps ?? []).length } });
  }
  if (options.full === true) {
    const promoted = rollout.status?.currentPodHash === rollout.status?.stableRS;
    return {
      ...spec,
      ...(promoted
        ? {}
        : statusWithFallback({ status: { promoteFull: true } }, { spec: { paused: false }, status: { promoteFull: true } })),
    };
  }
  const unified = { spec: { paused: false }, status: { pauseConditions: null } };
  const pauseConditions = rollout.status?.pauseConditions ?? [];
  if (isInconclusive(rollout) && pauseConditions.length > 0 && rollout.status?.controllerPause === true) {
    const index = nextStepIndex(rollout);
    return index === undefined
      ? spec
      : { ...spec, ...statusWithFallback({ status: { pauseConditions: null, controllerPause: false, currentStepIndex: index } }, unified) };
  }
  if (pauseConditions.length > 0) return { ...spec, ...statusWithFallback({ status: { pauseConditions: null } }, unified) };
  if (rollout.spec?.strategy?.canary !== undefined) {
    const index = nextStepIndex(rollout);
    if (index === undefined) return spec;
    return {
      ...spec,
      ...statusWithFallback(
        { status: { pauseConditions: null, currentStepIndex: index } },
        { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: index } },
      ),
    };
  }
  return spec;
}

/** `abort` (abort.go): the controller scales the canary down and returns to the stable ReplicaSet. */
export function abortPatch(): PatchRequest {
  return { target: 'status', body: { status: { abort: true } } };
}

/** `retry rollout` (retry.go): leaving the aborted state makes the controller try the new revision again. */
export function retryRolloutPatch(): PatchRequest {
  return { target: 'status', body: { status: { abort: false } } };
}

/** `pause` (pause.go): a manual pause lives in the spec, where only people write. */
export function pausePatch(): PatchRequest {
  return { target: 'resource', body: { spec: { paused: true } } };
}

/**
 * `resume`: the plugin of v1.9 has no such verb (promote lifts pauses); Gradual's
 * undoes `pause` with the patch promote itself sends for the manual pause,
 * leaving the controller's pause conditions (a pause step) alone.
 */
export function resumePatch(): PatchRequest {
  return { target: 'resource', body: { spec: { paused: false } } };
}

/** Go's time.RFC3339 for a UTC time: whole seconds and `Z`, as restart.go formats it. */
export function formatRfc3339(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** `restart` (restart.go): pods created before spec.restartAt are replaced by the controller. */
export function restartPatch(at: Date): PatchRequest {
  return { target: 'resource', body: { spec: { restartAt: formatRfc3339(at) } } };
}

/**
 * Argo's restart --in reads its value with time.ParseDuration; a bare number
 * is not a Go duration, but seconds are what a person means by it.
 */
export function restartDelaySeconds(text: string, parse: (text: string) => number | undefined): number | undefined {
  if (/^\d+$/u.test(text)) return Number(text);
  return parse(text);
}

/** The ReplicaSet's pod template without the hash label, as undo.go restores it. */
export function templateForUndo(template: PodTemplateLike, hashLabel: string): PodTemplateLike {
  const copy = structuredClone(template);
  if (copy.metadata?.labels !== undefined) {
    const labels = Object.fromEntries(Object.entries(copy.metadata.labels).filter(([key]) => key !== hashLabel));
    copy.metadata.labels = labels;
  }
  return copy;
}

/** `undo` (undo.go): a JSON patch (`application/json-patch+json`) that replaces the whole template. */
export function undoPatch(template: PodTemplateLike): JsonPatchOperation[] {
  return [{ op: 'replace', path: '/spec/template', value: template }];
}

/**
 * Go's apiequality.Semantic.DeepDerivative over JSON values: true when every
 * field set in `a` equals the one in `b` (unset and empty fields of `a` match
 * anything). undo.go skips the rollback when the current template is
 * derivative of the target revision's.
 */
export function isDerivative(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return true;
  if (typeof a === 'string' && a === '') return true;
  if (Array.isArray(a)) {
    if (a.length === 0) return true;
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => isDerivative(item, b[i]));
  }
  if (typeof a === 'object') {
    const entries = Object.entries(a);
    if (entries.length === 0) return true;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return false;
    const other = b as Record<string, unknown>;
    return entries.every(([key, value]) => isDerivative(value, other[key]));
  }
  return a === b;
}

export interface ImageUpdate {
  container: string;
  image: string;
}

/** `CONTAINER=IMAGE` as set_image.go splits it: exactly one `=`. */
export function parseImageUpdate(text: string): ImageUpdate | undefined {
  const parts = text.split('=');
  if (parts.length !== 2 || parts[0] === undefined || parts[1] === undefined) return undefined;
  return { container: parts[0], image: parts[1] };
}

/**
 * `set image` (set_image.go): a copy of the object (Rollout, or the Deployment
 * of a workloadRef) with the image of every init, regular and ephemeral
 * container of that name (all of them for `*`) replaced, which the command
 * sends as a whole-object update. Undefined when no container has the name.
 */
export function withImage<T extends { spec?: { template?: PodTemplateLike | undefined } | undefined }>(
  object: T,
  update: ImageUpdate,
): T | undefined {
  const copy = structuredClone(object);
  const podSpec = copy.spec?.template?.spec;
  let found = false;
  const lists: (ContainerLike[] | undefined)[] = [podSpec?.initContainers, podSpec?.containers, podSpec?.ephemeralContainers];
  for (const list of lists) {
    for (const container of list ?? []) {
      if (container.name === update.container || update.container === '*') {
        container.image = update.image;
        found = true;
      }
    }
  }
  return found ? copy : undefined;
}
