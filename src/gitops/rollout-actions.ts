import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { patchRollout, patchRolloutStatus, sendPatch, isNotFound, type KubeContext } from '../cli/rollout-verbs/kube-context.js';
import { abortPatch, pausePatch, promotePlan, resumePatch, retryRolloutPatch, type PatchRequest } from '../cli/rollout-verbs/patches.js';
import type { RolloutObject } from '../cli/rollout-verbs/types.js';
import type { Cluster } from './clusters.js';

/** What a person can do to a Rollout from the pull request (commands and check-run buttons). */
export type RolloutAction = { kind: 'promote'; full: boolean } | { kind: 'abort' } | { kind: 'retry' } | { kind: 'pause' } | { kind: 'resume' };

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

function kubeContextFor(cluster: Cluster, namespace: string): KubeContext {
  return {
    config: cluster.kubeConfig,
    namespace,
    customObjects: cluster.kubeConfig.makeApiClient(CustomObjectsApi),
    core: cluster.kubeConfig.makeApiClient(CoreV1Api),
    apps: cluster.kubeConfig.makeApiClient(AppsV1Api),
  };
}

/** A merge patch that lands only on the object at `resourceVersion` (409 otherwise); unchanged without one. */
function onVersion(patch: Record<string, unknown>, resourceVersion: string | undefined): Record<string, unknown> {
  if (resourceVersion === undefined) return patch;
  const metadata = (patch['metadata'] ?? {}) as Record<string, unknown>;
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}

/**
 * The shell: the same patches as `gradual promote|abort|retry|pause` (Argo's kubectl plugin). With
 * `resourceVersion`, the first write carries it as a precondition: the action lands only on the state
 * it was decided on, and a 409 says the Rollout moved in between (command-intent.ts).
 */
export async function applyRolloutAction(cluster: Cluster, rollout: RolloutObject, action: RolloutAction, resourceVersion?: string): Promise<void> {
  const kube = kubeContextFor(cluster, rollout.metadata.namespace ?? 'default');
  const name = rollout.metadata.name ?? '';
  switch (action.kind) {
    case 'promote': {
      const plan = promotePlan(rollout, { full: action.full });
      let specPatch = plan.spec;
      // The precondition goes on the first write only: the second sees the first one's new version.
      let specFirst = plan.status === undefined;
      if (plan.status !== undefined) {
        try {
          await patchRolloutStatus(kube, name, onVersion(plan.status, resourceVersion));
        } catch (cause) {
          if (!isNotFound(cause)) throw cause;
          specPatch = plan.fallback;
          specFirst = true;
        }
      }
      if (specPatch !== undefined) await patchRollout(kube, name, specFirst ? onVersion(specPatch, resourceVersion) : specPatch);
      return;
    }
    case 'abort':
      await sendPatch(kube, name, versioned(abortPatch(), resourceVersion));
      return;
    case 'retry':
      await sendPatch(kube, name, versioned(retryRolloutPatch(), resourceVersion));
      return;
    case 'pause':
      await sendPatch(kube, name, versioned(pausePatch(), resourceVersion));
      return;
    case 'resume':
      await sendPatch(kube, name, versioned(resumePatch(), resourceVersion));
      return;
  }
}

function versioned(request: PatchRequest, resourceVersion: string | undefined): PatchRequest {
  return { ...request, body: onVersion(request.body, resourceVersion) };
}
