import { kubeContextFromConfig } from '../rollout-actions/kube-client.js';
import { kubeWriter, runRolloutAction, type RolloutAction as AnyRolloutAction } from '../rollout-actions/run-action.js';
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

/** The shell: the same sequence as `gradual promote|abort|retry|pause|resume` (Argo's kubectl plugin), on the Rollout the bot read. */
export async function applyRolloutAction(cluster: Cluster, rollout: RolloutObject, action: RolloutAction): Promise<void> {
  const kube = kubeContextFromConfig(cluster.kubeConfig, rollout.metadata.namespace ?? 'default');
  const name = rollout.metadata.name ?? '';
  await runRolloutAction(kubeWriter(kube, name), name, action, () => Promise.resolve(rollout));
}
