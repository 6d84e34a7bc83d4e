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

/** The stored object without its metadata (the server adds uid, resourceVersion, timestamps). */
async function storedWithoutMetadata(plural: string, name: string): Promise<Record<string, unknown>> {
  const stored = (await custom.getNamespacedCustomObject({ ...api, plural, name })) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(stored).filter(([key]) => key !== 'metadata'));
}

beforeAll(async () => {
  await cluster.setUp();
});

afterAll(async () => {
  await cluster.tearDown();
});

describe('the analysis CRDs on a real API server', () => {
  it("stores the seed blog's AnalysisTemplate unchanged, every provider field kept", async () => {
    const manifest = parse(await readFile(new URL('../fixtures/argo/analysis/success-rate.yaml', import.meta.url), 'utf8')) as {
      spec: object;
    };
    await custom.createNamespacedCustomObject({ ...api, plural: 'analysistemplates', body: manifest });
    const stored = analysisTemplateSchema.parse(await storedWithoutMetadata('analysistemplates', 'success-rate'));
    expect(stored.spec).toEqual(manifest.spec);
  });

  it('keeps an AnalysisRun status with measurements as written', async () => {
    const status = {
      phase: 'Running',
      startedAt: '2026-01-01T00:00:00Z',
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Running',
          count: 1,
          successful: 1,
          measurements: [{ phase: 'Successful', value: '[0.99]', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' }],
        },
      ],
      runSummary: { count: 1, successful: 1 },
    };
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run-1' },
      spec: {
        metrics: [
          {
            name: 'success-rate',
            interval: '20s',
            successCondition: 'result[0] >= 0.9',
            provider: { prometheus: { address: 'http://p:9090', query: 'up' } },
          },
        ],
      },
      status,
    };
    await custom.createNamespacedCustomObject({ ...api, plural: 'analysisruns', body });
    const stored = analysisRunSchema.parse(await storedWithoutMetadata('analysisruns', 'run-1'));
    // No status subresource, as in Argo: the status is stored with the object.
    expect(stored.status).toEqual(status);
  });

  it('refuses a metric whose count is neither a number nor a string', async () => {
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'bad' },
      spec: { metrics: [{ name: 'm', count: true, provider: { web: { url: 'http://x' } } }] },
    };
    await expect(custom.createNamespacedCustomObject({ ...api, plural: 'analysistemplates', body })).rejects.toMatchObject({ code: 422 });
  });
});
