// Writes deploy/crds/*.yaml from the zod schemas in src/api. Run it after
// changing a schema: `npm run generate:crds`; src/api/crd.test.ts fails while
// a committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { analysisCrdYamls, rolloutCrdYaml } from '../src/api/index.js';

const files: Record<string, string> = { 'rollout.yaml': rolloutCrdYaml(), ...analysisCrdYamls() };
for (const [name, text] of Object.entries(files)) {
  const target = fileURLToPath(new URL(`../deploy/crds/${name}`, import.meta.url));
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
