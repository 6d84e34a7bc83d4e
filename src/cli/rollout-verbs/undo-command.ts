import { Command, InvalidArgumentError } from 'commander';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from '../../api/argo-labels.js';
import {
  jsonPatch,
  listOwnedReplicaSets,
  patchRollout,
  readRollout,
  RolloutVerbError,
  type KubeContext,
} from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { isDerivative, templateForUndo, undoPatch, type JsonPatchOperation } from '../../rollout-actions/patches.js';
import type { ReplicaSetLike, RolloutObject } from '../../rollout-view/types.js';

interface UndoOptions extends KubeOptions {
  toRevision: number;
}

function revisionOption(value: string): number {
  if (!/^\d+$/u.test(value)) throw new InvalidArgumentError('a revision number (0: the previous one)');
  return Number(value);
}

function revisionOf(rs: ReplicaSetLike): number | undefined {
  const text = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  if (text === undefined) return 0;
  return /^-?\d+$/u.test(text) ? Number(text) : undefined;
}

/** Argo's rolloutRevision: the ReplicaSet of the asked revision, or (for 0) of the second-newest revision. */
export function replicaSetForRevision(rollout: RolloutObject, replicaSets: readonly ReplicaSetLike[], toRevision: number): ReplicaSetLike {
  let latest: { revision: number; rs?: ReplicaSetLike } = { revision: -1 };
  let previous: { revision: number; rs?: ReplicaSetLike } = { revision: -1 };
  for (const rs of replicaSets) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    if (toRevision > 0) {
      if (revision === toRevision) return rs;
    } else if (revision > latest.revision) {
      previous = latest;
      latest = { revision, rs };
    } else if (revision > previous.revision) {
      previous = { revision, rs };
    }
  }
  if (toRevision > 0) throw new RolloutVerbError('NOT_FOUND', `unable to find specified revision ${toRevision} in history`);
  if (previous.rs === undefined) throw new RolloutVerbError('NOT_FOUND', `no revision found for rollout "${rollout.metadata.name ?? ''}"`);
  return previous.rs;
}

function withoutHash(template: unknown): unknown {
  return templateForUndo(template as Parameters<typeof templateForUndo>[0], POD_TEMPLATE_HASH_LABEL);
}

/** A Rollout with workloadRef keeps its template in the referenced object; Argo patches that one. */
async function patchWorkload(kube: KubeContext, rollout: RolloutObject, body: JsonPatchOperation[]): Promise<void> {
  const ref = rollout.spec?.workloadRef;
  const name = ref?.name ?? '';
  const namespace = kube.namespace;
  switch (ref?.kind) {
    case 'Deployment':
      await kube.apps.patchNamespacedDeployment({ name, namespace, body }, jsonPatch);
      return;
    case 'ReplicaSet':
      await kube.apps.patchNamespacedReplicaSet({ name, namespace, body }, jsonPatch);
      return;
    case 'PodTemplate':
      await kube.core.patchNamespacedPodTemplate({ name, namespace, body }, jsonPatch);
      return;
    default:
      throw new RolloutVerbError('REFUSED', `workload of type ${ref?.kind ?? ''} is not supported`);
  }
}

/** `gradual undo ROLLOUT [--to-revision N]`: puts the pod template of revision N (default: the previous one) back into the Rollout. */
export function undoCommand(): Command {
  return withKubeOptions(new Command('undo'))
    .description('roll back to the previous revision, or to --to-revision N, by restoring its pod template')
    .argument('<rollout>', 'name of the Rollout')
    .option('--to-revision <n>', 'the revision to roll back to (0: the previous one)', revisionOption, 0)
    .action(
      verbAction(async (name: string, options: UndoOptions) => {
        const kube = kubeContext(options);
        const rollout = await readRollout(kube, name);
        const rs = replicaSetForRevision(rollout, await listOwnedReplicaSets(kube, rollout), options.toRevision);
        const current = rollout.spec?.template;
        if (current !== undefined && isDerivative(withoutHash(current), withoutHash(rs.spec?.template ?? {}))) {
          process.stdout.write(`skipped rollback (current template already matches revision ${options.toRevision})\n`);
          return;
        }
        const body = undoPatch(templateForUndo(rs.spec?.template ?? {}, POD_TEMPLATE_HASH_LABEL));
        try {
          if (rollout.spec?.workloadRef !== undefined) await patchWorkload(kube, rollout, body);
          else await patchRollout(kube, name, body);
        } catch (cause) {
          throw new RolloutVerbError(
            'REFUSED',
            `failed restoring revision ${options.toRevision}: ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause },
          );
        }
        process.stdout.write(`rollout '${name}' undo\n`);
      }),
    );
}
