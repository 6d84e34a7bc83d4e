import { kubeContextFromConfig } from '../rollout-actions/kube-client.js';
import type { MergePatch } from '../rollout-actions/patches.js';
import { kubeWriter, runRolloutAction, type RolloutAction as AnyRolloutAction, type RolloutWriter } from '../rollout-actions/run-action.js';
import type { RolloutObject } from '../rollout-view/types.js';
import type { Cluster } from './clusters.js';

/** What a person can do to a Rollout from the pull request (commands and check-run buttons). */
export type RolloutAction = Exclude<AnyRolloutAction, { kind: 'restart' }>;

/** Pure: why an action would do nothing, in a sentence for the reply; undefined when it applies. */
export function actionRefusal(rollout: RolloutObject, action: RolloutAction): string | undefined {
  const name = rollout.metadata.name ?? '';
  const status = rollout.status;
  const promoted = status?.currentPodHash !== undefined && status.currentPodHash === status.stableRS;
  const aborted = status?.abort === true;
  switch (action.kind) {
    case 'promote':
      if (aborted) return `\`${name}\` is aborted; \`/retry ${name}\` first.`;
      if (promoted && rollout.spec?.paused !== true) return `nothing to promote: \`${name}\` is fully promoted.`;
      return undefined;
    case 'abort':
      if (aborted) return `\`${name}\` is already aborted.`;
      if (promoted) return `nothing to abort: \`${name}\` is fully promoted.`;
      return undefined;
    case 'retry':
      return aborted ? undefined : `nothing to retry: \`${name}\` is not aborted.`;
    case 'pause':
      return rollout.spec?.paused === true ? `\`${name}\` is already paused.` : undefined;
    case 'resume':
      return rollout.spec?.paused === true ? undefined : `\`${name}\` is not paused by a person (\`/promote\` moves past a pause step).`;
  }
}

/** A merge patch that lands only on the object at `resourceVersion` (409 otherwise). */
function onVersion(patch: MergePatch, resourceVersion: string): MergePatch {
  const metadata = (patch['metadata'] ?? {}) as Record<string, unknown>;
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}

/**
 * A writer whose first write that lands carries `resourceVersion` as a precondition: the action lands only
 * on the state it was decided on, and a 409 says the Rollout moved in between (command-intent.ts). The
 * writes after it see that write's new version, so they go without it.
 */
function preconditioned(writer: RolloutWriter, resourceVersion: string | undefined): RolloutWriter {
  if (resourceVersion === undefined) return writer;
  let landed = false;
  return {
    async patchStatus(body) {
      const result = await writer.patchStatus(landed ? body : onVersion(body, resourceVersion));
      if (result === 'patched') landed = true;
      return result;
    },
    async patchObject(body) {
      await writer.patchObject(landed ? body : onVersion(body, resourceVersion));
      landed = true;
    },
  };
}

/**
 * The shell: the same sequence as `gradual promote|abort|retry|pause|resume` (Argo's kubectl plugin), on the
 * Rollout the bot read; with `resourceVersion`, only on that version of it.
 */
export async function applyRolloutAction(
  cluster: Cluster,
  rollout: RolloutObject,
  action: RolloutAction,
  resourceVersion?: string,
): Promise<void> {
  const kube = kubeContextFromConfig(cluster.kubeConfig, rollout.metadata.namespace ?? 'default');
  const name = rollout.metadata.name ?? '';
  await runRolloutAction(preconditioned(kubeWriter(kube, name), resourceVersion), name, action, () => Promise.resolve(rollout));
}
