// The side-by-side benches alone, against a local environment already running (no fresh one, none of
// the other benches): `GRADUAL_BENCH_ENV_DIR=/tmp/env tsx bench/side-by-side-run.ts abort requests idle`.
import { readEnvironment } from '../src/local/index.js';
import { createLogger } from '../src/log/index.js';
import { abortTrials, benchAbortSideBySide } from './side-by-side-abort.js';
import { benchIdleSideBySide } from './side-by-side-idle.js';
import { benchRequestsSideBySide } from './side-by-side-requests.js';

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
const dir = process.env['GRADUAL_BENCH_ENV_DIR'];
if (dir === undefined || dir === '') throw new Error('GRADUAL_BENCH_ENV_DIR must name a running local environment (gradual local up --dir DIR)');
const environment = await readEnvironment(dir);
const benches = process.argv.slice(2);
const known = ['abort', 'requests', 'idle'];
const unknown = benches.filter((bench) => !known.includes(bench));
if (benches.length === 0 || unknown.length > 0) throw new Error(`name the benches to run, among ${known.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`);
for (const bench of benches) {
  if (bench === 'abort') await benchAbortSideBySide(environment, logger, abortTrials());
  if (bench === 'requests') await benchRequestsSideBySide(environment, logger);
  if (bench === 'idle') await benchIdleSideBySide(environment, logger, Number(process.env['GRADUAL_BENCH_ROLLOUTS'] ?? '1000'));
}
