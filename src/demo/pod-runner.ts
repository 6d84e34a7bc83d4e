import { rootLogger } from '../log/index.js';
import { startBackend } from './backend.js';
import { colorOfPod, isPodReady } from './pod-color.js';
import { createPodInformer } from './pod-informer.js';
import { demoPodSchema, errorRateSchema } from './schema.js';
import type { Backend, ColorState, PodRunner, PodRunnerOptions } from './types.js';

interface RunningPod {
  color: string;
  /** Resolves with the backend once it listens. */
  started: Promise<Backend | undefined>;
  backend?: Backend;
}

/**
 * Runs one backend per Ready pod of the namespace (KWOK pods are not
 * processes), coloured by the pod's image tag, and stops it when the pod stops
 * being Ready or goes. The backends are HTTP servers in this process, one port
 * each: on a 2-core machine a server costs far less than a Node child process,
 * and stopping is closing a server, so nothing can outlive the demo.
 */
export async function startPodRunner(options: PodRunnerOptions): Promise<PodRunner> {
  const logger = (options.logger ?? rootLogger()).child({ component: 'demo-pod-runner', namespace: options.namespace });
  const ownsInformer = options.pods === undefined;
  const pods = options.pods ?? createPodInformer(options.kubeConfig, options.namespace, logger);
  const running = new Map<string, RunningPod>();
  const errorRates = new Map<string, number>(
    Object.entries(options.errorRates ?? {}).map(([color, rate]) => [color, errorRateSchema.parse(rate)]),
  );
  const changeHandlers = new Set<() => void>();
  let stopped = false;

  function changed(): void {
    for (const handler of changeHandlers) handler();
  }

  function start(name: string, color: string): void {
    const entry: RunningPod = {
      color,
      started: startBackend({
        color,
        pod: name,
        errorRate: errorRates.get(color) ?? 0,
        ...(options.random === undefined ? {} : { random: options.random }),
      }).then(
        async (backend) => {
          if (running.get(name) !== entry || stopped) {
            // The pod went while the server was starting.
            await backend.stop();
            return undefined;
          }
          entry.backend = backend;
          logger.info({ pod: name, color, url: backend.url }, 'backend started');
          changed();
          return backend;
        },
        (error: unknown) => {
          logger.error({ err: error, pod: name, color }, 'backend failed to start');
          if (running.get(name) === entry) running.delete(name);
          return undefined;
        },
      ),
    };
    running.set(name, entry);
  }

  async function stopPod(name: string): Promise<void> {
    const entry = running.get(name);
    if (entry === undefined) return;
    running.delete(name);
    const backend = await entry.started;
    if (backend === undefined) return;
    await backend.stop();
    logger.info({ pod: name, color: entry.color }, 'backend stopped');
    changed();
  }

  function reconcile(object: unknown, deleted: boolean): void {
    if (stopped) return;
    const parsed = demoPodSchema.safeParse(object);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues }, 'pod not understood; ignored');
      return;
    }
    const pod = parsed.data;
    const name = pod.metadata.name;
    const color = colorOfPod(pod);
    const wanted = !deleted && isPodReady(pod) && color !== undefined;
    if (wanted && !running.has(name)) start(name, color);
    if (!wanted && running.has(name)) {
      stopPod(name).catch((error: unknown) => {
        logger.error({ err: error, pod: name }, 'backend failed to stop');
      });
    }
    if (!deleted && isPodReady(pod) && color === undefined)
      logger.warn({ pod: name, image: pod.spec?.containers[0]?.image }, 'pod image has no tag to take a colour from; no backend');
  }

  const unsubscribe = [
    pods.onAdd((pod) => {
      reconcile(pod, false);
    }),
    pods.onUpdate((pod) => {
      reconcile(pod, false);
    }),
    pods.onDelete((pod) => {
      reconcile(pod, true);
    }),
  ];
  if (ownsInformer) {
    await pods.start();
    await pods.waitForSync();
  } else {
    // The shared informer may have synced already: its adds were dispatched before we subscribed.
    for (const pod of pods.list(options.namespace)) reconcile(pod, false);
  }

  return {
    backendFor(namespace, podName) {
      return namespace === options.namespace ? running.get(podName)?.backend : undefined;
    },
    setErrorRate(color, rate) {
      const checked = errorRateSchema.parse(rate);
      errorRates.set(color, checked);
      for (const entry of running.values()) if (entry.color === color) entry.backend?.setErrorRate(checked);
      changed();
    },
    colors() {
      const states = new Map<string, ColorState>();
      for (const [color, errorRate] of errorRates) states.set(color, { color, errorRate, backends: 0 });
      for (const entry of running.values()) {
        if (entry.backend === undefined) continue;
        const state = states.get(entry.color) ?? { color: entry.color, errorRate: errorRates.get(entry.color) ?? 0, backends: 0 };
        state.backends += 1;
        states.set(entry.color, state);
      }
      return [...states.values()].sort((a, b) => a.color.localeCompare(b.color));
    },
    async settled() {
      await Promise.all([...running.values()].map((entry) => entry.started));
    },
    onChange(handler) {
      changeHandlers.add(handler);
      return () => changeHandlers.delete(handler);
    },
    async stop() {
      stopped = true;
      for (const off of unsubscribe) off();
      changeHandlers.clear();
      if (ownsInformer) await pods.stop();
      const entries = [...running.values()];
      running.clear();
      await Promise.all(
        entries.map(async (entry) => {
          const backend = await entry.started;
          await backend?.stop();
        }),
      );
    },
  };
}
