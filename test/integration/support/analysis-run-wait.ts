import type { CustomObjectsApi } from '@kubernetes/client-node';
import { analysisRunSchema, type AnalysisRun } from '../../../src/api/index.js';
import { waitUntil } from '../../../src/local/wait-until.js';

const COMPLETED = ['Successful', 'Failed', 'Error', 'Inconclusive'];

/** Waits (up to a minute) for an AnalysisRun in `namespace` to reach a completed phase, and returns it as last read. */
export async function untilAnalysisRunCompleted(custom: CustomObjectsApi, namespace: string, name: string): Promise<AnalysisRun> {
  const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns', name } as const;
  let run: AnalysisRun | undefined;
  await waitUntil(
    async () => {
      run = analysisRunSchema.parse(await custom.getNamespacedCustomObject(api));
      return COMPLETED.includes(run.status?.phase ?? '');
    },
    { what: `AnalysisRun ${name} to complete`, timeoutMs: 60_000, intervalMs: 100 },
  );
  if (run === undefined) throw new Error(name);
  return run;
}
