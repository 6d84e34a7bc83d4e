import { randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { rolloutSchema, type Rollout } from '../../../src/api/index.js';
import { waitUntil } from '../../../src/local/wait-until.js';

/** Clients for the shared test environment and a namespace of the test file's own. */
export interface TestCluster {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  namespace: string;
  rolloutApi: { group: 'argoproj.io'; version: 'v1alpha1'; namespace: string; plural: 'rollouts' };
  /** Creates the namespace and waits for its default ServiceAccount (pods need it). */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  readRollout(name: string): Promise<Rollout>;
  /** Waits until the Rollout satisfies `check` (a bounded wait on the controller, not a sleep) and returns it. */
  untilRollout(name: string, what: string, check: (rollout: Rollout) => boolean): Promise<Rollout>;
  /** `reason: message` of each Event about the named object, in the order they were recorded. */
  eventLines(name: string): Promise<string[]>;
  /**
   * Waits until the Events about the named object satisfy `check` and returns their lines. The engine records
   * Events after the status write they report (as Argo's recorder does), so a status seen is no proof its Event is.
   */
  untilEventLines(name: string, what: string, check: (lines: string[]) => boolean): Promise<string[]>;
}

export function testCluster(prefix: string): TestCluster {
  const environment = inject('gradualEnv');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const namespace = `${prefix}-${randomUUID().slice(0, 8)}`;
  const rolloutApi = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'rollouts' } as const;

  async function eventLines(name: string): Promise<string[]> {
    const items = (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;
    // Event timestamps have whole-second precision; within one etcd the resourceVersion orders creations exactly.
    return items
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((event) => `${event.reason ?? ''}: ${event.message ?? ''}`);
  }

  async function readRollout(name: string): Promise<Rollout> {
    return rolloutSchema.parse(await custom.getNamespacedCustomObject({ ...rolloutApi, name }));
  }

  return {
    kubeConfig,
    kubeconfigPath: environment.kubernetes.kubeconfig,
    core,
    apps: kubeConfig.makeApiClient(AppsV1Api),
    custom,
    namespace,
    rolloutApi,
    async setUp() {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
        what: 'default ServiceAccount',
        timeoutMs: 30_000,
      });
    },
    async tearDown() {
      await core.deleteNamespace({ name: namespace });
    },
    readRollout,
    async untilRollout(name, what, check) {
      let last: Rollout | undefined;
      await waitUntil(
        async () => {
          last = await readRollout(name);
          return check(last);
        },
        { what, timeoutMs: 60_000, intervalMs: 50 },
      );
      if (last === undefined) throw new Error(what);
      return last;
    },
    eventLines,
    async untilEventLines(name, what, check) {
      let last: string[] = [];
      try {
        await waitUntil(
          async () => {
            last = await eventLines(name);
            return check(last);
          },
          { what, timeoutMs: 30_000, intervalMs: 100 },
        );
      } catch (error) {
        throw new Error(`${String(error)}\nEvents about ${name}:\n${last.join('\n')}`, { cause: error });
      }
      return last;
    },
  };
}
