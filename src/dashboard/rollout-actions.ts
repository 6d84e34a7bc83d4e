import { PatchStrategy } from '@kubernetes/client-node';
import { abortPatch, promotePlan, restartPatch, retryRolloutPatch } from '../cli/rollout-verbs/index.js';
import { apiPath, isNotFound, type RestClient } from '../kube/index.js';
import { dashboardRolloutSchema } from './schema.js';
import type { DashboardAction } from './types.js';

export interface RolloutRef {
  namespace: string;
  name: string;
}

type MergePatch = Record<string, unknown>;

/** The action failed in a way a person can act on (the Rollout is gone, or unreadable). */
export class DashboardActionError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DashboardActionError';
    this.status = status;
  }
}

function rolloutPath(ref: RolloutRef, subresource?: string): string {
  return apiPath({ group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', namespace: ref.namespace, name: ref.name, ...(subresource === undefined ? {} : { subresource }) });
}

async function patch(rest: RestClient, path: string, body: MergePatch): Promise<void> {
  await rest.request({ method: 'PATCH', path, body, contentType: PatchStrategy.MergePatch });
}

/** A status patch to the subresource and, when the CRD has none (404 there), to the object, as Argo's plugin sends it. */
async function patchStatus(rest: RestClient, ref: RolloutRef, body: MergePatch, fallback: MergePatch = body): Promise<'status' | 'fallback'> {
  try {
    await patch(rest, rolloutPath(ref, 'status'), body);
    return 'status';
  } catch (cause) {
    if (!isNotFound(cause)) throw cause;
    await patch(rest, rolloutPath(ref), fallback);
    return 'fallback';
  }
}

async function readRollout(rest: RestClient, ref: RolloutRef) {
  let object: unknown;
  try {
    object = await rest.request<unknown>({ method: 'GET', path: rolloutPath(ref) });
  } catch (cause) {
    if (isNotFound(cause)) throw new DashboardActionError(404, `rollout ${ref.namespace}/${ref.name} not found`, { cause });
    throw cause;
  }
  const parsed = dashboardRolloutSchema.safeParse(object);
  if (!parsed.success) throw new DashboardActionError(422, `rollout ${ref.namespace}/${ref.name} is not readable: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Runs one button: the patches come from the CLI's rollout verbs (Argo's
 * kubectl plugin's), read from a fresh GET as the plugin does; this only
 * sends them, in the plugin's order. `now` is the restart time.
 */
export async function runRolloutAction(rest: RestClient, ref: RolloutRef, action: DashboardAction, now: Date): Promise<string> {
  switch (action) {
    case 'promote':
    case 'promote-full': {
      const full = action === 'promote-full';
      const plan = promotePlan(await readRollout(rest, ref), { full });
      let specPatch = plan.spec;
      if (plan.status !== undefined && (await patchStatus(rest, ref, plan.status, plan.fallback)) === 'fallback') specPatch = undefined;
      if (specPatch !== undefined) await patch(rest, rolloutPath(ref), specPatch);
      return `rollout '${ref.name}' ${full ? 'fully promoted' : 'promoted'}`;
    }
    case 'abort':
    case 'retry':
    case 'restart': {
      await readRollout(rest, ref);
      const request = action === 'abort' ? abortPatch() : action === 'retry' ? retryRolloutPatch() : restartPatch(now);
      if (request.target === 'status') await patchStatus(rest, ref, request.body);
      else await patch(rest, rolloutPath(ref), request.body);
      return `rollout '${ref.name}' ${action === 'abort' ? 'aborted' : action === 'retry' ? 'retried' : 'restarted'}`;
    }
  }
}
