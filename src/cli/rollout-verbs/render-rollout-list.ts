import { currentSetWeight } from '../../rollout-view/rollout-info.js';
import { rolloutPhase } from '../../rollout-view/rollout-phase.js';
import { alignColumns } from './render-rollout-tree.js';
import type { RolloutObject } from '../../rollout-view/types.js';

/*
 * `list rollouts`' table as Argo's plugin prints it (cmd/list/
 * rollloutinfo.go): each value padded to about its header's width, then
 * aligned by a tabwriter, so the columns line up as Argo's do.
 */

function listRow(rollout: RolloutObject, withNamespace: boolean): string[] {
  const canary = rollout.spec?.strategy?.canary;
  const steps = canary?.steps ?? [];
  const index = rollout.status?.currentStepIndex;
  const strategy = canary !== undefined ? 'Canary' : rollout.spec?.strategy?.blueGreen !== undefined ? 'BlueGreen' : 'unknown';
  const step = canary !== undefined && index !== undefined && steps.length > 0 ? `${index}/${steps.length}` : '-';
  const setWeight = canary !== undefined ? String(currentSetWeight(rollout)) : '-';
  const status = rollout.status ?? {};
  const cells = [
    (rollout.metadata.name ?? '').padEnd(10),
    strategy.padEnd(9),
    rolloutPhase(rollout).phase.padEnd(12),
    step.padEnd(4),
    setWeight.padEnd(10),
    `${status.readyReplicas ?? 0}/${status.replicas ?? 0}`.padEnd(5),
    String(rollout.spec?.replicas ?? 1).padEnd(7),
    String(status.updatedReplicas ?? 0).padEnd(10),
    String(status.availableReplicas ?? 0).padEnd(9),
  ];
  return withNamespace ? [(rollout.metadata.namespace ?? '').padEnd(9), ...cells] : cells;
}

/** The table, or undefined when there is nothing to list (the command then says "No resources found."). */
export function renderRolloutList(rollouts: readonly RolloutObject[], withNamespace: boolean): string | undefined {
  if (rollouts.length === 0) return undefined;
  const header = ['NAME', 'STRATEGY', 'STATUS', 'STEP', 'SET-WEIGHT', 'READY', 'DESIRED', 'UP-TO-DATE', 'AVAILABLE'];
  const rows = [withNamespace ? ['NAMESPACE', ...header] : header, ...rollouts.map((rollout) => listRow(rollout, withNamespace))];
  return `${alignColumns(rows).join('\n')}\n`;
}
