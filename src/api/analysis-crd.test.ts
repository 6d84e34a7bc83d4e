import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { analysisCrdYamls } from './analysis-crd.js';
import { analysisRunSchema, analysisTemplateSchema } from './index.js';

describe('the analysis CRDs', () => {
  it.each(Object.entries(analysisCrdYamls()))(
    'deploy/crds/%s is what the schema generates (run `npm run generate:crds`)',
    async (file, text) => {
      expect(await readFile(new URL(`../../deploy/crds/${file}`, import.meta.url), 'utf8')).toBe(text);
    },
  );

  it("carries Argo's names, short names and scopes", () => {
    const specs = Object.values(analysisCrdYamls()).map(
      (text) => (parse(text) as { spec: { names: { kind: string; shortNames: string[] }; scope: string } }).spec,
    );
    expect(specs.map((spec) => [spec.names.kind, spec.names.shortNames[0], spec.scope])).toEqual([
      ['AnalysisTemplate', 'at', 'Namespaced'],
      ['ClusterAnalysisTemplate', 'cat', 'Cluster'],
      ['AnalysisRun', 'ar', 'Namespaced'],
      ['Experiment', 'exp', 'Namespaced'],
    ]);
  });
});

describe('the analysis schemas', () => {
  it("accept the seed blog's template with all three providers", async () => {
    const text = await readFile(new URL('../../test/fixtures/argo/analysis/success-rate.yaml', import.meta.url), 'utf8');
    const parsed = analysisTemplateSchema.safeParse(parse(text));
    expect(parsed.success).toBe(true);
    expect(parsed.data?.spec.metrics?.map((metric) => Object.keys(metric.provider))).toEqual([['prometheus'], ['web'], ['job']]);
  });

  it.each([
    ['a misspelt limit', { name: 'm', failureLimt: 3, provider: { web: { url: 'http://x' } } }, 'failureLimt'],
    ['a web metric without url', { name: 'm', provider: { web: {} } }, 'url'],
    ['an unknown provider', { name: 'm', provider: { graphana: {} } }, 'graphana'],
  ])('refuse %s, naming the field', (_name, metric, field) => {
    const parsed = analysisTemplateSchema.safeParse({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      spec: { metrics: [metric] },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(field);
  });

  it('read a run status written by another controller without failing on fields they add', () => {
    const run = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      spec: { metrics: [{ name: 'm', provider: { prometheus: { address: 'http://p', query: 'up' } } }] },
      status: {
        phase: 'Running',
        somethingNew: 1,
        metricResults: [{ name: 'm', phase: 'Running', count: 1, measurements: [{ phase: 'Successful', value: '[1]', extra: true }] }],
      },
    };
    expect(analysisRunSchema.safeParse(run).success).toBe(true);
  });
});
