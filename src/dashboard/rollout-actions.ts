import { PatchStrategy } from '@kubernetes/client-node';
import type { MergePatch } from '../rollout-actions/patches.js';
import { runRolloutAction, type RolloutAction, type RolloutWriter } from '../rollout-actions/run-action.js';
import { apiPath, isNotFound, type RestClient } from '../kube/index.js';
import { rolloutObjectSchema } from '../rollout-view/rollout-object-schema.js';
import type { DashboardAction } from './types.js';
import { GradualError } from '../errors/gradual-error.js';

export interface RolloutRef {
  namespace: string;
  name: string;
}

/** The action failed in a way a person can act on (the Rollout is gone, or unreadable). */
export class DashboardActionError extends GradualError {
  readonly status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(status === 404 ? 'NOT_FOUND' : 'INVALID_INPUT', message, { cause: options?.cause });
    this.status = status;
  }
}

function rolloutPath(ref: RolloutRef, subresource?: string): string {
  return apiPath({
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'rollouts',
    namespace: ref.namespace,
    name: ref.name,
    ...(subresource === undefined ? {} : { subresource }),
  });
}

async function patch(rest: RestClient, path: string, body: MergePatch): Promise<void> {
  await rest.request({ method: 'PATCH', path, body, contentType: PatchStrategy.MergePatch });
}

/** The writer over the dashboard's REST client (its request counter and identity); a 404 on the status subresource falls back to the object. */
function restWriter(rest: RestClient, ref: RolloutRef): RolloutWriter {
  return {
    async patchStatus(body) {
      try {
        await patch(rest, rolloutPath(ref, 'status'), body);
        return 'patched';
      } catch (cause) {
        if (isNotFound(cause)) return 'no-subresource';
        throw cause;
      }
    },
    async patchObject(body) {
      await patch(rest, rolloutPath(ref), body);
    },
  };
}

async function readRollout(rest: RestClient, ref: RolloutRef) {
  let object: unknown;
  try {
    object = await rest.request<unknown>({ method: 'GET', path: rolloutPath(ref) });
  } catch (cause) {
    if (isNotFound(cause)) throw new DashboardActionError(404, `rollout ${ref.namespace}/${ref.name} not found`, { cause });
    throw cause;
  }
  const parsed = rolloutObjectSchema.safeParse(object);
  if (!parsed.success) throw new DashboardActionError(422, `rollout ${ref.namespace}/${ref.name} is not readable: ${parsed.error.message}`);
  return parsed.data;
}

const actions: Record<DashboardAction, (now: Date) => RolloutAction> = {
  promote: () => ({ kind: 'promote', full: false }),
  'promote-full': () => ({ kind: 'promote', full: true }),
  abort: () => ({ kind: 'abort' }),
  retry: () => ({ kind: 'retry' }),
  restart: (now) => ({ kind: 'restart', at: now }),
};

/**
 * Runs one button through the one action runner (src/rollout-actions/, the
 * CLI's and the bot's too), on a Rollout read by a fresh GET as the plugin
 * does: a missing or unreadable Rollout is refused before anything is sent.
 * `now` is the restart time.
 */
export async function runDashboardAction(rest: RestClient, ref: RolloutRef, action: DashboardAction, now: Date): Promise<string> {
  const rollout = await readRollout(rest, ref);
  return runRolloutAction(restWriter(rest, ref), ref.name, actions[action](now), () => Promise.resolve(rollout));
}
