import { Agent, request as httpRequest } from 'node:http';
import { rootLogger } from '../log/index.js';
import type { LoadGenerator, LoadGeneratorOptions } from './types.js';

/**
 * A steady request rate through the gateway, so Prometheus has traffic to
 * measure even with no browser open. Requests are fired on a fixed schedule
 * whatever the answers' latency (open-loop, like a real client population);
 * the timer is the load itself, not a wait for some state.
 */
export function startLoadGenerator(options: LoadGeneratorOptions): LoadGenerator {
  if (!(options.requestsPerSecond > 0 && options.requestsPerSecond <= 1000)) {
    throw new Error(`load generator: requestsPerSecond must be in (0, 1000], got ${String(options.requestsPerSecond)}`);
  }
  const logger = (options.logger ?? rootLogger()).child({ component: 'demo-load', url: options.url });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const counts: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let warned = false;

  function fire(): void {
    const done = new Promise<void>((resolve) => {
      const request = httpRequest(options.url, { agent }, (response) => {
        const status = String(response.statusCode ?? 0);
        counts[status] = (counts[status] ?? 0) + 1;
        response.resume();
        response.on('end', resolve);
        response.on('error', () => {
          resolve();
        });
      });
      request.on('error', (error) => {
        counts['0'] = (counts['0'] ?? 0) + 1;
        if (!warned) logger.warn({ err: error }, 'request failed');
        warned = true;
        resolve();
      });
      request.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  }

  const timer = setInterval(fire, 1000 / options.requestsPerSecond);
  return {
    counts: () => ({ ...counts }),
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
    },
  };
}
