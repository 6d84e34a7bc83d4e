// The side-by-side benches alone, against a local environment already running (no fresh one, none of
// the other benches): `GRADUAL_BENCH_ENV_DIR=/tmp/env tsx bench/side-by-side-run.ts [requests] [abort] [idle] [runs]`
// (all four when none is named; sizes from the variables sideBySideOptions reads).
import { readEnvironment } from '../src/local/index.js';
import { createLogger } from '../src/log/index.js';
import { benchSideBySide, sideBySideBenches, sideBySideOptions, type SideBySideBench } from './side-by-side.js';

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
const dir = process.env['GRADUAL_BENCH_ENV_DIR'];
if (dir === undefined || dir === '')
  throw new Error('GRADUAL_BENCH_ENV_DIR must name a running local environment (gradual local up --dir DIR)');
const environment = await readEnvironment(dir);
const named = process.argv.slice(2);
const isBench = (name: string): name is SideBySideBench => (sideBySideBenches as readonly string[]).includes(name);
const unknown = named.filter((name) => !isBench(name));
if (unknown.length > 0) throw new Error(`unknown benches ${unknown.join(', ')}; name any of ${sideBySideBenches.join(', ')}`);
await benchSideBySide(environment, logger, sideBySideOptions(), named.length === 0 ? sideBySideBenches : named.filter(isBench));
