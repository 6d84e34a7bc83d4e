// Writes deploy/crds/rollout.yaml from the zod schemas in src/api. Run it after
// changing a schema: `npx tsx scripts/generate-crds.ts`; src/api/crd.test.ts
// fails while the committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { rolloutCrdYaml } from '../src/api/index.js';

const target = fileURLToPath(new URL('../deploy/crds/rollout.yaml', import.meta.url));
await writeFile(target, rolloutCrdYaml());
process.stdout.write(`wrote ${target}\n`);
