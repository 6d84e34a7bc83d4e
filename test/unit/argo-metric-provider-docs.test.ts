import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisTemplateSchema, lintManifests } from '../../src/api/index.js';
import { validateArgoObject } from '../../src/gitops/manifests/validate-argo-object.js';
import { argoRolloutsModuleDir } from '../../src/local/argo-rollouts.js';
import { influxdbProvider } from '../../src/providers/influxdb/influxdb-provider.js';
import { defaultProviders, providerFor } from '../../src/providers/registry.js';

/*
 * Argo v1.9.1 has no examples/ or e2e fixture using kayenta, cloudWatch, graphite, influxdb or
 * skywalking; its documentation pages (docs/analysis/<provider>.md) are where users copy them
 * from. Every AnalysisTemplate in those pages, read from the Go module cache at test time (the
 * module is there after the Argo build, src/local/argo-rollouts.ts), is accepted by the bot's
 * check (validateArgoObject), by `gradual lint`, and has a provider the controller measures
 * with. The Kayenta page's templates are the exception Argo makes too: they leave out fields
 * Argo's own CRD requires (metricsAccountName, configurationAccountName, storageAccountName,
 * threshold — the page says `thresholds`), so Argo's API server refuses them, and Gradual names
 * the same fields.
 */

const pages = ['cloudwatch', 'graphite', 'influxdb', 'skywalking', 'kayenta'] as const;

/** Every fenced YAML block of a Markdown page (indented ones too, as under mkdocs tabs), dedented. */
function yamlBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  for (const match of markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```/gmu)) {
    const indent = match[1] ?? '';
    blocks.push(
      (match[2] ?? '')
        .split('\n')
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
    );
  }
  return blocks;
}

describe("Argo's metric provider documentation pages (v1.9.1)", () => {
  const templates = new Map<string, { text: string; object: Record<string, unknown> }[]>();
  beforeAll(async () => {
    let moduleDir: string;
    try {
      moduleDir = await argoRolloutsModuleDir();
    } catch (cause) {
      throw new Error(
        `Argo Rollouts v1.9.1 is not in the Go module cache (run the Argo build: gradual local up --with-argo): ${String(cause)}`,
      );
    }
    for (const page of pages) {
      const markdown = await readFile(join(moduleDir, 'docs', 'analysis', `${page}.md`), 'utf8');
      const found: { text: string; object: Record<string, unknown> }[] = [];
      for (const block of yamlBlocks(markdown)) {
        for (const document of parseAllDocuments(block)) {
          const object = document.toJS() as Record<string, unknown> | null;
          if (object?.kind === 'AnalysisTemplate') found.push({ text: block, object });
        }
      }
      templates.set(page, found);
    }
  }, 120_000);

  it.each(pages.filter((page) => page !== 'kayenta'))('%s.md: every AnalysisTemplate is accepted and measurable', (page) => {
    const found = templates.get(page) ?? [];
    expect(found.length).toBeGreaterThan(0);
    const providers = defaultProviders([influxdbProvider({ readSecret: () => Promise.resolve({ ok: false, message: 'unused' }) })]);
    for (const { text, object } of found) {
      expect(validateArgoObject(object)).toEqual([]);
      expect(lintManifests([{ path: `${page}.md`, text }]).problems).toEqual([]);
      const template = analysisTemplateSchema.parse(object);
      for (const metric of template.spec.metrics ?? []) expect(providerFor(metric, providers).ok).toBe(true);
    }
  });

  it("kayenta.md: the templates miss the fields Argo's CRD requires, and Gradual names them", () => {
    const found = templates.get('kayenta') ?? [];
    expect(found.length).toBe(2);
    for (const { object } of found) {
      const messages = (validateArgoObject(object) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
      for (const field of ['metricsAccountName', 'configurationAccountName', 'storageAccountName', 'threshold', 'thresholds'])
        expect(messages).toContain(field);
    }
  });
});
