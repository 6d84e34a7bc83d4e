import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRunSchema, analysisTemplateSchema } from '../../src/api/index.js';
import { testCluster } from './support/test-cluster.js';

// The generated analysis CRDs on the real API server: it accepts what Argo users write
// (so its structural schema is valid and prunes nothing they need), and a run's status
// round-trips, as the analysis controller will write it.
const cluster = testCluster('analysis-crds');
const { custom, namespace } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace } as const;

beforeAll(async () => {
  await cluster.setUp();
});

afterAll(async () => {
  await cluster.tearDown();
});

describe('the analysis CRDs on a real API server', () => {
  it("stores the seed blog's AnalysisTemplate unchanged, every provider field kept", async () => {
    const manifest = parse(await readFile(new URL('../fixtures/argo/analysis/success-rate.yaml', import.meta.url), 'utf8')) as { spec: object };
    await custom.createNamespacedCustomObject({ ...api, plural: 'analysistemplates', body: manifest });
    const stored = analysisTemplateSchema.parse(
      Object.fromEntries(Object.entries(await custom.getNamespacedCustomObject({ ...api, plural: 'analysistemplates', name: 'success-rate' })).filter(([key]) => key !== 'metadata')),
    );
    expect(stored.spec).toEqual(manifest.spec);
  });

  it('keeps an AnalysisRun status with measurements as written', async () => {
    const status = {
      phase: 'Running',
      startedAt: '2026-01-01T00:00:00Z',
      metricResults: [{ name: 'success-rate', phase: 'Running', count: 1, successful: 1, measurements: [{ phase: 'Successful', value: '[0.99]', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' }] }],
      runSummary: { count: 1, successful: 1 },
    };
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run-1' },
      spec: { metrics: [{ name: 'success-rate', interval: '20s', successCondition: 'result[0] >= 0.9', provider: { prometheus: { address: 'http://p:9090', query: 'up' } } }] },
      status,
    };
    await custom.createNamespacedCustomObject({ ...api, plural: 'analysisruns', body });
    const stored = analysisRunSchema.parse(
      Object.fromEntries(Object.entries(await custom.getNamespacedCustomObject({ ...api, plural: 'analysisruns', name: 'run-1' })).filter(([key]) => key !== 'metadata')),
    );
    // No status subresource, as in Argo: the status is stored with the object.
    expect(stored.status).toEqual(status);
  });

  it('refuses a metric whose count is neither a number nor a string', async () => {
    const body = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'bad' }, spec: { metrics: [{ name: 'm', count: true, provider: { web: { url: 'http://x' } } }] } };
    await expect(custom.createNamespacedCustomObject({ ...api, plural: 'analysistemplates', body })).rejects.toMatchObject({ code: 422 });
  });
});
