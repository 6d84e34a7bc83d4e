import type { RolloutObject } from '../rollout-view/types.js';
import { isNotFound, patchRollout, patchRolloutStatus, RolloutVerbError, type KubeContext } from './kube-client.js';
import {
  abortPatch,
  pausePatch,
  promotePlan,
  promoteRefusal,
  restartPatch,
  resumePatch,
  retryRolloutPatch,
  type MergePatch,
  type PatchRequest,
} from './patches.js';

/*
 * The one sequence behind every user action on a Rollout, whoever asks: the
 * CLI's verbs, the bot's commands and check-run buttons, the dashboard's
 * buttons. Each front only says which client sends the patches (a writer) and
 * where the Rollout it decides on comes from; the patches and their order are
 * Argo's kubectl plugin's (v1.9.1), built by the pure functions of patches.ts.
 */

export type RolloutAction =
  | { kind: 'promote'; full?: boolean; skipCurrentStep?: boolean; skipAllSteps?: boolean }
  | { kind: 'abort' }
  | { kind: 'retry' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'restart'; at: Date };

/** Sends the patches for one Rollout, through whichever client the front has. */
export interface RolloutWriter {
  /**
   * A merge patch on the status subresource; 'no-subresource' when the API
   * server answers 404 there (a CRD installed without the subresource, or no
   * such Rollout: the object patch that follows then says which).
   */
  patchStatus(body: MergePatch): Promise<'patched' | 'no-subresource'>;
  /** A merge patch on the object itself; a 404 is the writer's not-found error. */
  patchObject(body: MergePatch): Promise<void>;
}

const pastTense: Record<RolloutAction['kind'], string> = {
  promote: 'promoted',
  abort: 'aborted',
  retry: 'retried',
  pause: 'paused',
  resume: 'resumed',
  restart: 'restarted',
};

/** Argo's sendPatch: to the status subresource, and to the object when there is none there. */
async function send(writer: RolloutWriter, request: PatchRequest): Promise<void> {
  if (request.target === 'resource') {
    await writer.patchObject(request.body);
    return;
  }
  if ((await writer.patchStatus(request.body)) === 'no-subresource') await writer.patchObject(request.body);
}

function singlePatch(action: Exclude<RolloutAction, { kind: 'promote' }>): PatchRequest {
  switch (action.kind) {
    case 'abort':
      return abortPatch();
    case 'retry':
      return retryRolloutPatch();
    case 'pause':
      return pausePatch();
    case 'resume':
      return resumePatch();
    case 'restart':
      return restartPatch(action.at);
  }
}

/**
 * Runs one action on the Rollout `name` and returns the line a person reads
 * (`rollout 'web' promoted`). Only promote decides on the Rollout's state, so
 * only promote calls `read`: the others are blind patches, as in Argo's plugin.
 * Refusals (Argo's own, for promote's deprecated flags) throw before anything is sent.
 */
export async function runRolloutAction(
  writer: RolloutWriter,
  name: string,
  action: RolloutAction,
  read: () => Promise<RolloutObject>,
): Promise<string> {
  if (action.kind !== 'promote') {
    await send(writer, singlePatch(action));
    return `rollout '${name}' ${pastTense[action.kind]}`;
  }
  const flags = {
    full: action.full === true,
    skipCurrentStep: action.skipCurrentStep === true,
    skipAllSteps: action.skipAllSteps === true,
  };
  const rollout = await read();
  const refusal = promoteRefusal(rollout, flags);
  if (refusal !== undefined) throw new RolloutVerbError('REFUSED', refusal);
  const plan = promotePlan(rollout, flags);
  let specPatch = plan.spec;
  // No status subresource (an old CRD): Argo sends one patch with both halves to the object instead of the spec patch.
  if (plan.status !== undefined && (await writer.patchStatus(plan.status)) === 'no-subresource') specPatch = plan.fallback;
  if (specPatch !== undefined) await writer.patchObject(specPatch);
  return `rollout '${name}' ${flags.full ? 'fully promoted' : 'promoted'}`;
}

/** The writer over @kubernetes/client-node's clients (the CLI's and the bot's). */
export function kubeWriter(kube: KubeContext, name: string): RolloutWriter {
  return {
    async patchStatus(body) {
      try {
        await patchRolloutStatus(kube, name, body);
        return 'patched';
      } catch (cause) {
        if (isNotFound(cause)) return 'no-subresource';
        throw cause;
      }
    },
    async patchObject(body) {
      await patchRollout(kube, name, body);
    },
  };
}
