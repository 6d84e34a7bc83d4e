import { apiPath, isConflict, patchMerge } from '../kube/index.js';
import type { RolloutObject } from '../rollout-view/types.js';
import type { Cluster } from './clusters.js';
import { commandsAnnotation, decideCommand, withRecord } from './command-intent.js';
import { applyRolloutAction, type RolloutAction } from './rollout-actions.js';

/** How a recorded command ended on one Rollout. */
export type RecordedOutcome =
  | { kind: 'acted'; fromStep: number }
  | { kind: 'done-before' }
  | { kind: 'superseded'; reason: string }
  | { kind: 'refused'; reason: string };

/** Conflicts in a row after which the command gives up (another writer keeps moving the Rollout); the reconcile retries it. */
const attempts = 5;

/**
 * The shell of command-intent.ts: read the Rollout fresh (never the reporter's cached copy), decide,
 * write the record with the resourceVersion read, then send the action with the record's
 * resourceVersion. A 409 at either write means the Rollout moved: read again and decide again
 * (the record, if written, is found then and says whether the effect landed).
 */
export async function runRecordedAction(
  cluster: Cluster,
  target: { namespace: string; name: string },
  action: RolloutAction,
  id: string,
  now: () => Date,
): Promise<RecordedOutcome> {
  const path = apiPath({ group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', namespace: target.namespace, name: target.name });
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const rollout = await cluster.rest.request<RolloutObject>({ method: 'GET', path });
    const decision = decideCommand(rollout, action, id, now());
    try {
      switch (decision.kind) {
        case 'done':
          return { kind: 'done-before' };
        case 'superseded':
        case 'refused':
          return decision;
        case 'record': {
          const written = (await patchMerge(
            cluster.rest,
            path,
            { metadata: { annotations: { [commandsAnnotation]: withRecord(rollout, decision.record) } } },
            rollout.metadata.resourceVersion ?? '',
          )) as RolloutObject;
          await applyRolloutAction(cluster, written, action, written.metadata.resourceVersion);
          return { kind: 'acted', fromStep: decision.record.from.step };
        }
        case 'act':
          await applyRolloutAction(cluster, rollout, action, rollout.metadata.resourceVersion);
          return { kind: 'acted', fromStep: decision.record.from.step };
      }
    } catch (cause) {
      if (!isConflict(cause)) throw cause;
    }
  }
  throw new Error(
    `${target.namespace}/${target.name}: the Rollout changed under ${String(attempts)} attempts in a row to ${action.kind} it (409 Conflict each time); the command is retried by the pull request's reconcile`,
  );
}
