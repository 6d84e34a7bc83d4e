import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { AnalysisRun, RolloutSpec } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';

const DEFAULT_HISTORY_LIMIT = 5;

/** What the history limits read of a run, or of an Experiment (Argo's FilterExperimentsToDelete is the same rule). */
export interface HistoryEntry {
  metadata?: (Pick<NonNullable<AnalysisRun['metadata']>, 'name' | 'labels' | 'creationTimestamp'> & object) | undefined;
  status?: { phase?: string | undefined } | undefined;
}

/**
 * Argo's FilterAnalysisRunsToDelete (utils/analysis/filter.go): of the Rollout's finished
 * non-current runs, newest first, keep successfulRunHistoryLimit successful ones and
 * unsuccessfulRunHistoryLimit failed/error/inconclusive ones (5 each by default); delete the
 * rest, and every run whose ReplicaSet is gone or going. Runs still running are kept.
 */
export function analysisRunsToDelete(
  runs: readonly HistoryEntry[],
  replicaSets: readonly V1ReplicaSet[],
  limits: RolloutSpec['analysis'],
): string[] {
  const successfulLimit = limits?.successfulRunHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
  const unsuccessfulLimit = limits?.unsuccessfulRunHistoryLimit ?? DEFAULT_HISTORY_LIMIT;
  const hashes = new Map<string, boolean>();
  for (const rs of replicaSets) {
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
    if (hash !== undefined) hashes.set(hash, rs.metadata?.deletionTimestamp !== undefined);
  }
  const newestFirst = [...runs].sort((a, b) => created(b) - created(a));
  let successful = 0;
  let unsuccessful = 0;
  const doomed: string[] = [];
  for (const run of newestFirst) {
    if (isDeleting(run.metadata)) continue;
    const name = run.metadata?.name ?? '';
    const hash = run.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
    const replicaSetDeleting = hash === undefined ? undefined : hashes.get(hash);
    if (replicaSetDeleting !== false) {
      doomed.push(name);
      continue;
    }
    const phase = run.status?.phase;
    if (phase === 'Successful') {
      if (successful < successfulLimit) successful += 1;
      else doomed.push(name);
    } else if (phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive') {
      if (unsuccessful < unsuccessfulLimit) unsuccessful += 1;
      else doomed.push(name);
    }
  }
  return doomed;
}

function created(run: HistoryEntry): number {
  const time = run.metadata?.creationTimestamp;
  return time === undefined ? 0 : Date.parse(time);
}

/** metadata.deletionTimestamp, which the loose metadata schema keeps without typing it. */
function isDeleting(metadata: object | undefined): boolean {
  return (
    metadata !== undefined &&
    'deletionTimestamp' in metadata &&
    metadata.deletionTimestamp !== undefined &&
    metadata.deletionTimestamp !== null
  );
}
