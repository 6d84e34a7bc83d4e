import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { writeScrapeTargets } from '../../src/local/prometheus.js';

// Prometheus scrapes every second, but applies file_sd changes on its own
// schedule (the scrape manager batches target updates for up to 5 s); these
// bound the wait for that external process, they are not sleeps.
const pollOptions = { interval: 200, timeout: 30_000 };

const vectorResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});

const errorResponseSchema = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });

describe('embedded Prometheus', () => {
  const env = inject('gradualEnv');
  // A unique label value per run, so series left in the TSDB by an earlier run can never satisfy a query.
  const run = randomUUID();
  let counter = 42;
  const exporter = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(
        [
          '# HELP gradual_test_requests_total Requests counted by the integration test exporter.',
          '# TYPE gradual_test_requests_total counter',
          `gradual_test_requests_total{path="/x",run="${run}"} ${String(counter)}`,
          '',
        ].join('\n'),
      );
  });
  let instance = '';
  let targetFile: string | undefined;

  async function query(promql: string): Promise<Response> {
    const url = new URL('/api/v1/query', env.prometheus.url);
    url.searchParams.set('query', promql);
    return fetch(url);
  }

  /** The sample values of an instant query; the selectors below match at most one series, so order does not matter. */
  async function values(promql: string): Promise<string[]> {
    const response = await query(promql);
    const body = vectorResponseSchema.parse(await response.json());
    return body.data.result.map((sample) => sample.value[1]);
  }

  beforeAll(async () => {
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    instance = `127.0.0.1:${String((exporter.address() as AddressInfo).port)}`;
    targetFile = await writeScrapeTargets(env.prometheus.targetsDir, `prometheus-test-${run}`, [
      { targets: [instance], labels: { suite: 'prometheus-integration' } },
    ]);
  });

  afterAll(async () => {
    if (targetFile !== undefined) await rm(targetFile, { force: true });
    // Prometheus keeps its scrape connection alive; close it so close() does not wait for it to idle out.
    exporter.closeAllConnections();
    await new Promise<void>((resolve) =>
      exporter.close(() => {
        resolve();
      }),
    );
  });

  it('scrapes a target added by dropping a file_sd file, with its labels', async () => {
    const series = `gradual_test_requests_total{run="${run}"}`;

    await expect.poll(() => values(series), pollOptions).toEqual(['42']);

    const body = vectorResponseSchema.parse(await (await query(series)).json());
    expect(body.data.result[0]?.metric).toEqual({
      __name__: 'gradual_test_requests_total',
      path: '/x',
      run,
      instance,
      job: 'local-targets',
      suite: 'prometheus-integration',
    });
    expect(await values(`up{instance="${instance}"}`)).toEqual(['1']);
  });

  it('observes the counter when it changes', async () => {
    counter = 43;

    await expect.poll(() => values(`gradual_test_requests_total{run="${run}"}`), pollOptions).toEqual(['43']);
  });

  it('answers a PromQL syntax error with HTTP 400 and its own bad_data error', async () => {
    const response = await query('sum(rate(x[1m])');

    expect(response.status).toBe(400);
    const body = errorResponseSchema.parse(await response.json());
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toMatch(/parse error/);
  });

  it('stops scraping once the target file is removed', async () => {
    if (targetFile !== undefined) await rm(targetFile);

    // A dropped target's series are marked stale, so they vanish from instant queries instead of lingering for the lookback window.
    await expect.poll(() => values(`up{instance="${instance}"}`), pollOptions).toEqual([]);
  });
});
