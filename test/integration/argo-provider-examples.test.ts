import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { analysisRunSchema, lintManifests } from '../../src/api/index.js';
import { validateArgoObject } from '../../src/gitops/manifests/validate-argo-object.js';
import { argoRolloutsModuleDir } from '../../src/local/argo-rollouts.js';

// Argo Rollouts' own manifests that measure with the providers Gradual runs — examples/, the e2e
// fixtures and the provider docs' AnalysisTemplates, read from the pinned module in the Go module
// cache at test time (never copied here) — are accepted by `gradual lint` and by the bot's plan
// (validateArgoObject, what the plan checks each argoproj.io document with). Nothing is skipped:
// without the module the test fails and says how to get it.
const providerKeys = /^\s*(prometheus|web|datadog|newRelic|wavefront):/mu;
const docPages = ['datadog.md', 'newrelic.md', 'wavefront.md', 'prometheus.md', 'web.md'];

async function moduleDir(): Promise<string> {
  try {
    return await argoRolloutsModuleDir();
  } catch (cause) {
    throw new Error(
      `Argo Rollouts' module is not in the Go module cache (\`go list -m\` failed: ${String(cause)}); ` +
        '`gradual local up --with-argo` builds Argo and brings it (or `go mod download github.com/argoproj/argo-rollouts@v1.9.1`)',
    );
  }
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && /\.ya?ml$/u.test(entry.name)).map((entry) => join(entry.parentPath, entry.name));
}

/** The whole-object YAML blocks of a docs page (fragments without apiVersion and kind are prose, not manifests). */
function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/gu)]
    .map((match) => match[1] ?? '')
    .filter((block) => /^apiVersion:/mu.test(block) && /^kind:/mu.test(block));
}

function analysisProblems(text: string): string[] {
  const problems: string[] = [];
  for (const document of parseAllDocuments(text)) {
    const object: unknown = document.toJS();
    if (typeof object !== 'object' || object === null) continue;
    const record = object as Record<string, unknown>;
    if (record.kind === 'AnalysisRun') {
      const parsed = analysisRunSchema.safeParse(object);
      if (!parsed.success) problems.push(`AnalysisRun: ${parsed.error.message}`);
      continue;
    }
    if (record.kind !== 'AnalysisTemplate' && record.kind !== 'ClusterAnalysisTemplate') continue;
    for (const issue of validateArgoObject(record) ?? []) problems.push(`${record.kind} ${issue.path.join('.')}: ${issue.message}`);
  }
  return problems;
}

describe("Argo's manifests that use Gradual's metric providers", () => {
  it('examples/ and the e2e fixtures: every analysis object passes the plan, every Rollout lints clean but for traffic routers', async () => {
    const dir = await moduleDir();
    const files = [...(await yamlFiles(join(dir, 'examples'))), ...(await yamlFiles(join(dir, 'test', 'e2e')))];
    const checked: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      if (!providerKeys.test(text)) continue;
      const name = relative(dir, file);
      checked.push(name);
      expect(analysisProblems(text), name).toEqual([]);
      const lint = lintManifests([{ path: name, text }]);
      // Traffic routers are another part of the issue (their refusals lift as they land); no problem may be about analysis.
      expect(
        lint.problems.filter((problem) => !problem.path.startsWith('spec.strategy.canary.trafficRouting.')),
        name,
      ).toEqual([]);
    }
    // The files that use these providers at v1.9.1: a change of pin that loses them shows here.
    expect(checked.length).toBeGreaterThanOrEqual(8);
  });

  it("the provider docs' AnalysisTemplates (datadog, newrelic, wavefront, prometheus, web) pass the plan", async () => {
    const dir = await moduleDir();
    let templates = 0;
    for (const page of docPages) {
      const markdown = await readFile(join(dir, 'docs', 'analysis', page), 'utf8');
      for (const block of yamlBlocks(markdown)) {
        templates += 1;
        expect(analysisProblems(block), `docs/analysis/${page}:\n${block}`).toEqual([]);
      }
    }
    expect(templates).toBeGreaterThanOrEqual(10);
  });
});
