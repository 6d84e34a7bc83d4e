// Side by side (issue 5, item 3d): API requests per canary step and per idle minute, Gradual's and
// Argo Rollouts' controllers each alone on the cluster, each behind its own counting proxy (so only
// its own requests are counted, by the same code for both). One Rollout (replicas 5; setWeight 20,
// pause {}, setWeight 60, pause {}) driven as a person does: set image, promote, promote.
//
// The proxy must send each answer's head at once (a watch with no event yet has no body): client-node's
// informers wait for the watch's head before they count as synced, so a buffered head kept Gradual's
// controller from ever starting its work (see startCountingProxy).
import { setTimeout as delay } from 'node:timers/promises';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { LocalEnvironment } from '../src/local/index.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { createNamespace } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, row } from './report.js';
import {
  deleteNamespaceAndWait,
  instanceLabel,
  isWrite,
  pick,
  rowSideBySide,
  startController,
  startCountingProxy,
  type ControllerName,
  type CountedRequest,
  type CountingProxy,
  type SideBySide,
} from './side-by-side-controllers.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const phases = ['update to paused at step 1', 'promote to paused at step 3', 'promote to Healthy'] as const;
const canarySteps = 4;

export interface RequestFigures {
  /** Requests (and writes) per phase of the update, then over the idle window. */
  phases: Record<(typeof phases)[number], { requests: number; writes: number }>;
  perStep: number;
  writesPerStep: number;
  idlePerMinute: number;
  idleMs: number;
  byVerb: Record<string, number>;
}

interface RolloutState {
  status?: { phase?: string; currentStepIndex?: number };
}

/** Waits until the proxy has seen no request for `quietMs` (trailing writes such as Events count in their phase). */
async function waitQuiet(proxy: CountingProxy, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = proxy.requests().length;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await delay(100);
  }
}

async function measure(name: ControllerName, environment: LocalEnvironment, logger: Logger, idleMs: number): Promise<RequestFigures> {
  const kubeConfig = kubeConfigOf(environment);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const instanceId = `bench-requests-${name}`;
  const namespace = instanceId;
  await createNamespace(kubeConfig, namespace);
  const proxy = await startCountingProxy(kubeConfig, environment.dir, name);
  const controller = await startController(name, environment, proxy.kubeconfigPath, instanceId, logger);
  try {
    const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'rollouts' };
    const state = async (): Promise<RolloutState> => (await custom.getNamespacedCustomObject({ ...api, name: 'web' })) as RolloutState;
    const until = async (what: string, test: (rollout: RolloutState) => boolean): Promise<void> => {
      await waitUntil(async () => test(await state()), { what: `${name}: ${what}`, timeoutMs: 120_000, intervalMs: 200 });
      await waitQuiet(proxy, 2_000);
    };
    const image = (tag: string) => ({ spec: { template: { spec: { containers: [{ name: 'app', image: `example.test/web:${tag}` }] } } } });
    await custom.createNamespacedCustomObject({
      ...api,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', labels: { [instanceLabel]: instanceId } },
        spec: {
          replicas: 5,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:1' }] } },
          strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }] } },
        },
      },
    });
    await until('first revision Healthy', (rollout) => rollout.status?.phase === 'Healthy');
    const counted: Partial<Record<(typeof phases)[number], CountedRequest[]>> = {};
    const actions: Record<(typeof phases)[number], { act: () => Promise<unknown>; done: (rollout: RolloutState) => boolean }> = {
      'update to paused at step 1': {
        act: () => custom.patchNamespacedCustomObject({ ...api, name: 'web', body: image('2') }, mergePatch),
        done: (rollout) => rollout.status?.phase === 'Paused' && rollout.status.currentStepIndex === 1,
      },
      // `gradual promote` / Argo's plugin: the pause conditions cleared through the status subresource.
      'promote to paused at step 3': {
        act: () =>
          custom.patchNamespacedCustomObjectStatus({ ...api, name: 'web', body: { status: { pauseConditions: null } } }, mergePatch),
        done: (rollout) => rollout.status?.phase === 'Paused' && rollout.status.currentStepIndex === 3,
      },
      'promote to Healthy': {
        act: () =>
          custom.patchNamespacedCustomObjectStatus({ ...api, name: 'web', body: { status: { pauseConditions: null } } }, mergePatch),
        done: (rollout) => rollout.status?.phase === 'Healthy' && rollout.status.currentStepIndex === canarySteps,
      },
    };
    for (const phase of phases) {
      proxy.reset();
      await actions[phase].act();
      await until(phase, actions[phase].done);
      counted[phase] = proxy.requests();
    }
    proxy.reset();
    await delay(idleMs);
    const idle = proxy.requests();
    const figures = Object.fromEntries(
      phases.map((phase) => [phase, { requests: counted[phase]?.length ?? 0, writes: (counted[phase] ?? []).filter(isWrite).length }]),
    ) as RequestFigures['phases'];
    const all = phases.flatMap((phase) => counted[phase] ?? []);
    const byVerb: Record<string, number> = {};
    for (const request of all) byVerb[`${request.verb} ${request.resource}`] = (byVerb[`${request.verb} ${request.resource}`] ?? 0) + 1;
    const result: RequestFigures = {
      phases: figures,
      perStep: all.length / canarySteps,
      writesPerStep: all.filter(isWrite).length / canarySteps,
      idlePerMinute: (idle.length * 60_000) / idleMs,
      idleMs,
      byVerb,
    };
    row(
      `${name}: requests (writes) per phase — ${phases.join(' | ')}`,
      phases.map((phase) => `${String(figures[phase].requests)} (${String(figures[phase].writes)})`).join(' | '),
    );
    return result;
  } finally {
    await controller.stop();
    await proxy.close();
    await deleteNamespaceAndWait(environment, namespace);
  }
}

/** Each controller alone, Argo first; the caller has installed Argo's CRDs. */
export async function benchRequestsSideBySide(
  environment: LocalEnvironment,
  logger: Logger,
  idleMs = 60_000,
): Promise<SideBySide<RequestFigures>> {
  header(
    `Side by side (d): API requests per canary step and per idle minute — one Rollout (replicas 5, 4 steps), each controller alone, counted by a proxy in front of the API server`,
  );
  const argo = await measure('argo', environment, logger, idleMs);
  const gradual = await measure('gradual', environment, logger, idleMs);
  const figures = { gradual, argo };
  rowSideBySide(
    'requests per canary step',
    pick(figures, (figure) => figure.perStep),
    1,
  );
  rowSideBySide(
    'writes per canary step',
    pick(figures, (figure) => figure.writesPerStep),
    1,
  );
  rowSideBySide(
    `requests per idle minute (one Healthy Rollout, over ${String(idleMs / 1000)} s)`,
    pick(figures, (figure) => figure.idlePerMinute),
    1,
  );
  note("a watch counts once, when it opens (as apiserver_request_total counts it); per step = the three phases' requests / 4 steps");
  return figures;
}
