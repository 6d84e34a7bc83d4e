// npm run bench — numbers for the embedded local environment that every test, benchmark and the
// demo stands on, the pure planner, and the controller on that environment (requests per canary
// step; throughput and memory with GRADUAL_BENCH_ROLLOUTS Rollouts, default 1000), and analysis
// (conditions per second, abort latency, memory with 5,000 finished AnalysisRuns); and side by side
// with the real Argo Rollouts (bench/side-by-side.ts; GRADUAL_BENCH_ARGO=0 skips it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/log/index.js';
import { localDown } from '../src/local/index.js';
import { benchManyRollouts, benchRequestsPerStep, type Defer } from './controller.js';
import { benchEnvironment, startEnvironment, stopEnvironment } from './local-environment.js';
import { benchPlanner } from './planner.js';
import { benchAbortLatency, benchConditions, benchFinishedRuns } from './analysis.js';
import { benchSideBySide, sideBySideOptions } from './side-by-side.js';
import { benchGitopsFetch } from './gitops-fetch.js';
import { benchWebhookToPlan } from './gitops-webhook.js';

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });

function rolloutCount(): number {
  const text = process.env['GRADUAL_BENCH_ROLLOUTS'] ?? '';
  if (text === '') return 1000;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 5000)
    throw new Error(`GRADUAL_BENCH_ROLLOUTS must be a whole number from 1 to 5000, got "${text}"`);
  return count;
}

/** Clean-up steps, run newest first, once: at the end, on a failure, or on Ctrl-C. */
const cleanUps: { what: string; run: () => Promise<void> }[] = [];
const defer: Defer = (what, run) => {
  cleanUps.push({ what, run });
};
async function cleanUp(): Promise<void> {
  for (let step = cleanUps.pop(); step !== undefined; step = cleanUps.pop()) {
    await step.run().catch((cause: unknown) => {
      logger.warn({ err: cause }, `bench clean-up: stopping ${step.what} failed`);
    });
  }
}

async function main(): Promise<void> {
  const count = rolloutCount();
  const dir = await mkdtemp(join(tmpdir(), 'gradual-bench-'));
  defer('the local environment', async () => {
    await localDown({ dir, logger });
    await rm(dir, { recursive: true, force: true });
  });
  process.stdout.write('Gradual benchmarks (numbers from a shared machine are noisy; compare runs on the same one)\n');

  // First, while nothing else of ours runs: the pure planner.
  benchPlanner();
  benchConditions();
  // The bot's manifest cache on a loopback git server: a first clone and an incremental fetch after a one-file change.
  await benchGitopsFetch(logger);

  const environment = await startEnvironment(dir, logger);
  await benchEnvironment(environment);
  // Beside the real Argo Rollouts (issue 5), first, while the cluster holds nothing of the other benches
  // (each controller is measured alone on it). Argo's controller is built on first use and cached
  // (~20 minutes cold); GRADUAL_BENCH_ARGO=0 skips it.
  if (process.env['GRADUAL_BENCH_ARGO'] !== '0') await benchSideBySide(environment, logger, sideBySideOptions());
  await benchRequestsPerStep(environment, logger, defer);
  await (await import('./traffic.js')).benchTrafficSteps(environment, logger, defer, 30);
  await benchAbortLatency(environment, logger, defer, 100);
  await benchFinishedRuns(environment, logger, 5000);
  await benchWebhookToPlan(environment, logger, defer, 30);
  await benchManyRollouts(environment, logger, defer, count);

  // Controllers and informers first (newest first), then the environment, timed as before.
  const environmentStep = cleanUps.shift();
  await cleanUp();
  if (environmentStep !== undefined) cleanUps.push(environmentStep);
  process.stdout.write('\n');
  await stopEnvironment(dir, logger);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.warn({ signal }, 'bench interrupted; stopping the controller and the local environment');
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await cleanUp();
}
