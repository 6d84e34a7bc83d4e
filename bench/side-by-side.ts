// The side-by-side benches of issue 5 (item 3) together: Gradual's controller and the real Argo
// Rollouts', each alone on the cluster, (a) abort latency, (b) step lateness with N active Rollouts,
// (c) RSS and CPU with N idle Rollouts and with N finished AnalysisRuns, (d) API requests per canary
// step and per idle minute; a summary of the four with ratios, and every figure in a JSON file
// (bench-results/side-by-side-<time>.json, git-ignored) so that runs can be compared.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LocalEnvironment } from '../src/local/index.js';
import { repositoryRoot } from '../src/local/own-cli.js';
import type { Logger } from '../src/log/index.js';
import { addKwokNodes, kubeConfigOf } from './local-environment.js';
import { header, note, row } from './report.js';
import { benchAbortSideBySide, type AbortFigures } from './side-by-side-abort.js';
import { pick, rowSideBySide, withArgoCrds, type SideBySide } from './side-by-side-controllers.js';
import { benchIdleSideBySide, type IdleSideBySide } from './side-by-side-idle.js';
import { benchRequestsSideBySide, type RequestFigures } from './side-by-side-requests.js';
import { benchFinishedRunsSideBySide, type RunsFigures } from './side-by-side-runs.js';

export const sideBySideBenches = ['requests', 'abort', 'idle', 'runs'] as const;
export type SideBySideBench = (typeof sideBySideBenches)[number];

export interface SideBySideOptions {
  /** (a) trials per controller. */
  abortTrials: number;
  /** (c) idle sizes. */
  idleRollouts: number[];
  /** (b) runs on these N idle Rollouts (one of idleRollouts; the first by default), or not at all (0). */
  latenessRollouts: number;
  /** (c) finished AnalysisRuns. */
  finishedRuns: number;
  /** Idle windows of (c) and (d). */
  idleMs: number;
}

function whole(name: string, fallback: number, max: number): number {
  const text = process.env[name] ?? '';
  if (text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`${name} must be a whole number from 1 to ${String(max)}, got "${text}"`);
  return value;
}

/**
 * Sizes from the environment, the by default: GRADUAL_BENCH_ABORT_TRIALS (100),
 * GRADUAL_BENCH_IDLE_ROLLOUTS (comma-separated, "1000,5000"), GRADUAL_BENCH_LATENESS_ROLLOUTS (the
 * first idle size; 0 skips step lateness, which is what makes a size alone affordable to re-run),
 * GRADUAL_BENCH_FINISHED_RUNS (5000), GRADUAL_BENCH_IDLE_SECONDS (60).
 */
export function sideBySideOptions(): SideBySideOptions {
  const sizes = (process.env['GRADUAL_BENCH_IDLE_ROLLOUTS'] ?? '1000,5000').split(',').map((text) => Number(text.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 10_000)) {
    throw new Error(
      `GRADUAL_BENCH_IDLE_ROLLOUTS must be whole numbers from 1 to 10000, comma-separated, got "${process.env['GRADUAL_BENCH_IDLE_ROLLOUTS'] ?? ''}"`,
    );
  }
  const latenessText = process.env['GRADUAL_BENCH_LATENESS_ROLLOUTS'] ?? '';
  const latenessRollouts = latenessText === '' ? (sizes[0] ?? 0) : Number(latenessText);
  if (latenessRollouts !== 0 && !sizes.includes(latenessRollouts)) {
    throw new Error(
      `GRADUAL_BENCH_LATENESS_ROLLOUTS must be 0 or one of GRADUAL_BENCH_IDLE_ROLLOUTS (${sizes.join(', ')}), got "${latenessText}"`,
    );
  }
  return {
    abortTrials: whole('GRADUAL_BENCH_ABORT_TRIALS', 100, 1000),
    idleRollouts: sizes,
    latenessRollouts,
    finishedRuns: whole('GRADUAL_BENCH_FINISHED_RUNS', 5000, 20_000),
    idleMs: whole('GRADUAL_BENCH_IDLE_SECONDS', 60, 3600) * 1000,
  };
}

interface Results {
  options: SideBySideOptions;
  seconds: Partial<Record<SideBySideBench, number>>;
  requests?: SideBySide<RequestFigures>;
  abort?: SideBySide<AbortFigures>;
  idle?: Record<string, IdleSideBySide>;
  runs?: SideBySide<RunsFigures>;
  failures: { bench: SideBySideBench; error: string }[];
}

function summarise(results: Results): void {
  header('Side by side with Argo Rollouts: the four figures (Gradual | Argo | Gradual / Argo)');
  const { requests, abort, idle, runs } = results;
  if (abort !== undefined) {
    rowSideBySide(
      `(a) abort latency p50, ${String(results.options.abortTrials)} trials (ms)`,
      pick(abort, (figure) => figure.p50Ms),
    );
    rowSideBySide(
      `(a) abort latency p99, ${String(results.options.abortTrials)} trials (ms)`,
      pick(abort, (figure) => figure.p99Ms),
    );
  }
  for (const [count, figures] of Object.entries(idle ?? {})) {
    if (figures.lateness === undefined) continue;
    rowSideBySide(
      `(b) step lateness p50, ${count} active Rollouts (ms)`,
      pick(figures.lateness, (figure) => figure.p50Ms),
    );
    rowSideBySide(
      `(b) step lateness p99, ${count} active Rollouts (ms)`,
      pick(figures.lateness, (figure) => figure.p99Ms),
    );
    rowSideBySide(
      `(b) the same from the pause as seen, p50 (ms)`,
      pick(figures.lateness, (figure) => figure.seenP50Ms),
    );
    rowSideBySide(
      `(b) the same from the pause as seen, p99 (ms)`,
      pick(figures.lateness, (figure) => figure.seenP99Ms),
    );
  }
  for (const [count, figures] of Object.entries(idle ?? {})) {
    rowSideBySide(
      `(c) RSS, ${count} idle Rollouts (MiB)`,
      pick(figures.idle, (figure) => figure.rssMiB),
    );
    rowSideBySide(
      `(c) CPU over ${String(results.options.idleMs / 1000)} s, ${count} idle Rollouts (s)`,
      pick(figures.idle, (figure) => figure.idleCpuSeconds),
      2,
    );
    rowSideBySide(
      `(c) CPU start → ${count} Healthy and settled (s)`,
      pick(figures.idle, (figure) => figure.cpuToSettledSeconds),
      1,
    );
  }
  if (runs !== undefined) {
    rowSideBySide(
      `(c) RSS, ${String(results.options.finishedRuns)} finished AnalysisRuns (MiB)`,
      pick(runs, (figure) => figure.rssMiB),
    );
    rowSideBySide(
      `(c) CPU over ${String(results.options.idleMs / 1000)} s, ${String(results.options.finishedRuns)} finished AnalysisRuns (s)`,
      pick(runs, (figure) => figure.idleCpuSeconds),
      2,
    );
  }
  if (requests !== undefined) {
    rowSideBySide(
      '(d) API requests per canary step',
      pick(requests, (figure) => figure.perStep),
      1,
    );
    rowSideBySide(
      '(d) API writes per canary step',
      pick(requests, (figure) => figure.writesPerStep),
      1,
    );
    rowSideBySide(
      '(d) API requests per idle minute, one Rollout',
      pick(requests, (figure) => figure.idlePerMinute),
      1,
    );
  }
  for (const failure of results.failures) row(`${failure.bench}: FAILED`, failure.error.split('\n')[0] ?? '');
}

/** Runs the chosen benches (all by default) against a running environment; returns the JSON file's path. */
export async function benchSideBySide(
  environment: LocalEnvironment,
  logger: Logger,
  options: SideBySideOptions,
  benches: readonly SideBySideBench[] = sideBySideBenches,
): Promise<string> {
  const results: Results = { options, seconds: {}, failures: [] };
  const dir = process.env['GRADUAL_BENCH_RESULTS_DIR'] ?? join(repositoryRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = join(dir, `side-by-side-${at.replace(/[:.]/g, '-')}.json`);
  // Written after each bench too: a run stopped halfway keeps what it measured.
  const save = (): Promise<void> => writeFile(file, `${JSON.stringify({ bench: 'side-by-side', at, ...results }, null, 2)}\n`);
  const latenessCount = options.latenessRollouts;
  // Pods of their own: N idle ones, and 2 N while the lateness run has two revisions each (110 pods a node).
  const pods = Math.max(...options.idleRollouts, 2 * latenessCount);
  if (benches.includes('idle')) await addKwokNodes(kubeConfigOf(environment), Math.ceil(pods / 100), 'bench-side-node');
  await withArgoCrds(environment, logger, async () => {
    for (const bench of benches) {
      const started = performance.now();
      // One bench failing (a timeout on a busy machine) still leaves the others' figures.
      try {
        if (bench === 'requests') results.requests = await benchRequestsSideBySide(environment, logger, options.idleMs);
        if (bench === 'abort') results.abort = await benchAbortSideBySide(environment, logger, options.abortTrials);
        if (bench === 'runs') results.runs = await benchFinishedRunsSideBySide(environment, logger, options.finishedRuns, options.idleMs);
        if (bench === 'idle') {
          results.idle = {};
          for (const count of options.idleRollouts) {
            results.idle[String(count)] = await benchIdleSideBySide(environment, logger, count, {
              idleMs: options.idleMs,
              lateness: count === options.latenessRollouts,
            });
          }
        }
      } catch (cause) {
        const error = cause instanceof Error ? cause.message : String(cause);
        logger.error({ err: cause, bench }, 'side-by-side bench failed');
        results.failures.push({ bench, error });
      }
      results.seconds[bench] = Math.round((performance.now() - started) / 1000);
      row(`${bench}: bench wall time (s)`, String(results.seconds[bench]));
      await save();
    }
  });
  summarise(results);
  await save();
  note(`every figure, each controller's latencies included: ${file}`);
  return file;
}
