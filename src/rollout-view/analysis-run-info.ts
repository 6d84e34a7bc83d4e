import { REVISION_ANNOTATION } from '../api/argo-labels.js';
import { iconFor, icons } from './icons.js';
import type { ObjectMetaLike, Timestamp } from './types.js';

/*
 * The AnalysisRuns `get rollout` shows under their revision, as Argo's plugin does
 * (info/analysisrun_info.go): the run's phase and its measurement counts. Gradual adds one
 * line per metric with its last measured value, so a failing analysis can be read from the
 * tree without a second command.
 */

export interface AnalysisRunLike {
  metadata?: ObjectMetaLike | undefined;
  status?:
    | {
        phase?: string | undefined;
        metricResults?:
          | {
              name: string;
              phase?: string | undefined;
              successful?: number | undefined;
              failed?: number | undefined;
              inconclusive?: number | undefined;
              error?: number | undefined;
              measurements?: { value?: string | undefined; phase?: string | undefined; message?: string | undefined }[] | undefined;
            }[]
          | undefined;
      }
    | undefined;
}

export interface MetricInfo {
  name: string;
  status: string;
  icon: string;
  /** The last measurement's value, or its message when it has none (an Error). */
  last: string;
}

export interface AnalysisRunInfo {
  name: string;
  revision: number;
  status: string;
  icon: string;
  createdAt: number | undefined;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  metrics: MetricInfo[];
}

const analysisIcons: ReadonlyMap<string, string> = new Map([
  ['Successful', icons.ok],
  ['Inconclusive', icons.unknown],
  ['Failed', icons.bad],
  ['Error', icons.warning],
  ['Running', icons.progressing],
  ['Pending', icons.waiting],
]);

/** Argo's analysisIcon. */
export function analysisIcon(phase: string): string {
  return iconFor(analysisIcons, phase);
}

function time(timestamp: Timestamp | undefined): number | undefined {
  return timestamp === undefined ? undefined : new Date(timestamp).getTime();
}

export function analysisRunInfos(uid: string | undefined, runs: readonly AnalysisRunLike[]): AnalysisRunInfo[] {
  const owned = runs.filter((run) => uid !== undefined && (run.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid));
  return owned
    .map((run) => {
      const results = run.status?.metricResults ?? [];
      const sum = (field: 'successful' | 'failed' | 'inconclusive' | 'error') =>
        results.reduce((total, result) => total + (result[field] ?? 0), 0);
      const phase = run.status?.phase ?? 'Pending';
      return {
        name: run.metadata?.name ?? '',
        revision: Number.parseInt(run.metadata?.annotations?.[REVISION_ANNOTATION] ?? '0', 10) || 0,
        status: phase,
        icon: analysisIcon(phase),
        createdAt: time(run.metadata?.creationTimestamp),
        successful: sum('successful'),
        failed: sum('failed'),
        inconclusive: sum('inconclusive'),
        error: sum('error'),
        metrics: results.map((result) => {
          const last = result.measurements?.at(-1);
          const metricPhase = result.phase ?? 'Running';
          return { name: result.name, status: metricPhase, icon: analysisIcon(metricPhase), last: last?.value ?? last?.message ?? '' };
        }),
      };
    })
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.name.localeCompare(b.name));
}

/** Argo's info column of a run: ✔ successful, ✖ failed, ? inconclusive, ⚠ error; only the non-zero ones. */
export function analysisCounts(run: AnalysisRunInfo): string {
  const parts: string[] = [];
  if (run.successful > 0) parts.push(`${icons.ok} ${String(run.successful)}`);
  if (run.failed > 0) parts.push(`${icons.bad} ${String(run.failed)}`);
  if (run.inconclusive > 0) parts.push(`${icons.unknown} ${String(run.inconclusive)}`);
  if (run.error > 0) parts.push(`${icons.warning} ${String(run.error)}`);
  return parts.join(',');
}
