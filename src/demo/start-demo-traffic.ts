import { rm } from 'node:fs/promises';
import { writeScrapeTargets } from '../local/index.js';
import { rootLogger } from '../log/index.js';
import { startGateway } from './gateway.js';
import { startLoadGenerator } from './load-generator.js';
import { createPodInformer } from './pod-informer.js';
import { startPodRunner } from './pod-runner.js';
import type { DemoTraffic, DemoTrafficOptions, Gateway, LoadGenerator, PodRunner } from './types.js';

/**
 * The demo's real traffic: one pod informer shared by the pod runner (a
 * backend per Ready pod) and the gateway (the route's split, `/metrics`, the
 * demo app page), the gateway registered as a Prometheus scrape target, and
 * an optional steady load. `stop()` undoes all of it, in reverse order, and
 * also when start-up fails half-way.
 */
export async function startDemoTraffic(options: DemoTrafficOptions): Promise<DemoTraffic> {
  const logger = (options.logger ?? rootLogger()).child({ component: 'demo-traffic' });
  const pods = createPodInformer(options.kubeConfig, options.namespace, logger);
  const undo: (() => Promise<void>)[] = [];
  async function stop(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `demo traffic: ${String(failures.length)} parts failed to stop`);
  }

  try {
    await pods.start();
    undo.push(() => pods.stop());
    await pods.waitForSync();
    const runner: PodRunner = await startPodRunner({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      pods,
      logger,
      ...(options.errorRates === undefined ? {} : { errorRates: options.errorRates }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    undo.push(() => runner.stop());
    const gateway: Gateway = await startGateway({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      route: options.route,
      backends: runner,
      pods,
      logger,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    undo.push(() => gateway.stop());
    if (options.prometheusTargetsDir !== undefined) {
      const targetFile = await writeScrapeTargets(options.prometheusTargetsDir, `demo-gateway-${options.namespace}`, [
        { targets: [gateway.hostPort], labels: { job_hint: 'demo-gateway', namespace: options.namespace } },
      ]);
      undo.push(() => rm(targetFile, { force: true }));
    }
    if (options.requestsPerSecond !== undefined && options.requestsPerSecond > 0) {
      const load: LoadGenerator = startLoadGenerator({ url: `${gateway.url}/color`, requestsPerSecond: options.requestsPerSecond, logger });
      undo.push(() => load.stop());
    }
    return {
      gatewayUrl: gateway.url,
      metricsUrl: gateway.metricsUrl,
      setErrorRate: (color, rate) => {
        runner.setErrorRate(color, rate);
      },
      gateway,
      runner,
      stop,
    };
  } catch (error) {
    await stop().catch((stopError: unknown) => {
      logger.error({ err: stopError }, 'demo traffic: cleanup after a failed start failed');
    });
    throw error;
  }
}
