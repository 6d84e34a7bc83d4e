import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeScrapeTargets } from '../../../src/local/prometheus.js';

/**
 * A service's request counters for the real Prometheus to scrape, with an error ratio the test
 * sets: every scrape counts 100 more requests, that share of them answered 500. A run label
 * unique to the backend keeps series of other tests (and earlier runs) out of its queries.
 */
export interface MetricBackend {
  /** The run label value; queries select `{run="<id>"}`. */
  id: string;
  /** 0 to 1: the share of the next requests that fail. */
  setErrorRatio(ratio: number): void;
  /** PromQL for the success ratio over the last `window` (e.g. 4s), as the seed's template asks. */
  successRatioQuery(window: string): string;
  stop(): Promise<void>;
}

export async function startMetricBackend(targetsDir: string): Promise<MetricBackend> {
  const id = randomUUID();
  let errorRatio = 0;
  let ok = 0;
  let failed = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const errors = Math.round(100 * errorRatio);
    failed += errors;
    ok += 100 - errors;
    response
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      .end(
        [
          '# TYPE gradual_backend_requests_total counter',
          `gradual_backend_requests_total{code="200",run="${id}"} ${String(ok)}`,
          `gradual_backend_requests_total{code="500",run="${id}"} ${String(failed)}`,
          '',
        ].join('\n'),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const instance = `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const targetFile = await writeScrapeTargets(targetsDir, `metric-backend-${id}`, [
    { targets: [instance], labels: { suite: 'rollout-analysis' } },
  ]);
  return {
    id,
    setErrorRatio(ratio) {
      errorRatio = ratio;
    },
    successRatioQuery(window) {
      const selector = `gradual_backend_requests_total{run="${id}"`;
      return `sum(rate(${selector},code!~"5.."}[${window}])) / sum(rate(${selector}}[${window}]))`;
    },
    async stop() {
      await rm(targetFile, { force: true });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
