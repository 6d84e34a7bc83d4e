import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One argoproj.io object from Argo's own sources, and where it came from (`examples/x.yaml#2`). */
export interface ArgoFixture {
  where: string;
  object: { apiVersion: string; kind: string; metadata?: Record<string, unknown> } & Record<string, unknown>;
}

const kinds = new Set(['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Experiment']);
/** Argo's examples and its end-to-end fixtures: objects its maintainers run against its CRDs. */
const folders = ['examples', 'test/e2e'];

/** Every argoproj.io/v1alpha1 object of the five kinds in the module's examples and e2e fixtures; unparsable documents are skipped. */
export async function readArgoFixtures(moduleDir: string): Promise<ArgoFixture[]> {
  const fixtures: ArgoFixture[] = [];
  for (const folder of folders) {
    for (const file of await yamlFiles(join(moduleDir, folder))) {
      const documents = parseAllDocuments(await readFile(file, 'utf8'));
      documents.forEach((document, index) => {
        if (document.errors.length > 0) return;
        const object: unknown = document.toJS();
        if (!isArgoObject(object)) return;
        fixtures.push({ where: `${relative(moduleDir, file)}#${String(index + 1)}`, object });
      });
    }
  }
  return fixtures;
}

function isArgoObject(object: unknown): object is ArgoFixture['object'] {
  if (typeof object !== 'object' || object === null) return false;
  const { apiVersion, kind } = object as Record<string, unknown>;
  return apiVersion === 'argoproj.io/v1alpha1' && typeof kind === 'string' && kinds.has(kind);
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat().sort();
}
