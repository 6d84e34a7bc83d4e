import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { createEngine, type Engine } from '../../src/engine/controller/run-engine.js';
import { routerResources } from '../../src/engine/controller/traffic-informers.js';
import { startBot } from '../../src/gitops/index.js';
import {
  createClusterManagers,
  createRequestCounter,
  createRestClient,
  type ClusterManagers,
  type RequestCounter,
} from '../../src/kube/index.js';
import { installCrds } from '../../src/local/crds.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';

// `gradual start`'s composition (src/cli/bot-command.ts startCommand): the engine, the read-only dashboard and
// the bot on one set of cluster managers. The cluster's objects are cached once: one list and one watch per kind,
// whoever reads them (issue 21). Counted by the engine's request counter, which every shared informer reports to.

const environment = inject('gradualEnv');
const kubeconfigPath = environment.kubernetes.kubeconfig;
const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
const running: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (let next = running.pop(); next !== undefined; next = running.pop()) await next.stop();
});

async function startComposition(options: {
  namespace?: string;
}): Promise<{ engine: Engine; counter: RequestCounter; managers: ClusterManagers }> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const counter = createRequestCounter();
  const managers = createClusterManagers();
  // An instance id of its own: the shared environment's other Rollouts are listed, never handled.
  const engine = createEngine({
    kubeConfig,
    logger,
    instanceId: `it-shared-${randomUUID().slice(0, 8)}`,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    metricsPort: 0,
    healthzPort: 0,
    leaderElect: false,
    leaseNamespace: 'default',
    rolloutThreads: 2,
    analysisThreads: 2,
    allowMetadataAddresses: false,
    maxMetricResponseBytes: 1024 * 1024,
    managers,
    requestCounter: counter,
  });
  const dashboard: Dashboard = await startDashboard({
    kubeConfig,
    manager: engine.manager,
    port: 0,
    host: '127.0.0.1',
    enableActions: false,
    logger,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  });
  running.push(dashboard);
  const github: TestGithub = await startTestGithub({});
  running.push(github);
  const cacheDir = await mkdtemp(join(tmpdir(), 'gradual-shared-caches-'));
  await engine.start(() =>
    startBot({
      environment: {
        appId: github.appId,
        privateKey: github.privateKey,
        webhookSecret: github.webhookSecret,
        webhookPath: '/api/github/webhooks',
        baseUrl: `${github.server.url}/api/v3`,
        port: 0,
        host: '127.0.0.1',
        configFile: undefined,
      },
      // The bot's cluster is the engine's, named by another kubeconfig object read from the same file (as an operator's config does).
      config: {
        clusters: { local: { kubeconfig: kubeconfigPath } },
        repositories: [{ match: 'acme/*', environments: { '*': 'local' } }],
        cacheDir,
      },
      logger,
      managers,
    }),
  );
  // Stopped before the dashboard and the GitHub stand-in (afterEach pops).
  running.push(engine);
  return { engine, counter, managers };
}

/** Lists and watches opened, by resource as the URL names it. */
function opened(counter: RequestCounter, verb: 'list' | 'watch'): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const sample of counter.counts()) if (sample.verb === verb) byKind[sample.kind] = (byKind[sample.kind] ?? 0) + sample.count;
  return byKind;
}

describe('gradual start: one cache per kind', { timeout: 180_000 }, () => {
  it('lists and watches Rollouts, ReplicaSets, AnalysisRuns and pods once each, for the engine, the AnalysisRun controller, the dashboard and the reporter together', async () => {
    const { engine, counter } = await startComposition({});
    const lists = opened(counter, 'list');
    const watches = opened(counter, 'watch');
    for (const kind of [
      'rollouts',
      'replicasets',
      'analysisruns',
      'pods',
      'services',
      'deployments',
      'analysistemplates',
      'clusteranalysistemplates',
      'jobs',
      'experiments',
    ]) {
      expect({ kind, lists: lists[kind], watches: watches[kind] }).toEqual({ kind, lists: 1, watches: 1 });
    }
    // The bot (its reconciler and reporter) is a leader-only controller of the same manager, started after the engine.
    expect(engine.manager.runnables()).toEqual([
      { name: 'engine', needLeaderElection: true, started: true },
      { name: 'bot', needLeaderElection: true, started: true },
    ]);
    const registry = engine.manager.registry();
    const rollouts = registry.filter((entry) => entry.path.endsWith('/rollouts'));
    expect(rollouts).toEqual([
      {
        path: '/apis/argoproj.io/v1alpha1/rollouts',
        labelSelector: undefined,
        users: ['dashboard', 'reporter', 'rollouts'],
        running: ['dashboard', 'reporter', 'rollouts'],
      },
    ]);
    // The reporter reads only a Rollout's ReplicaSets (pod-template-hash label), the engine's informer, not every ReplicaSet of the cluster.
    expect(registry.filter((entry) => entry.path.endsWith('/replicasets'))).toEqual([
      {
        path: '/apis/apps/v1/replicasets',
        labelSelector: 'rollouts-pod-template-hash',
        // The Experiment controller's ReplicaSets carry the same label: it shares the Rollout controller's informer.
        users: ['dashboard', 'experiments', 'reporter', 'rollouts'],
        running: ['dashboard', 'experiments', 'reporter', 'rollouts'],
      },
    ]);
    expect(registry.filter((entry) => entry.path.endsWith('/analysisruns'))).toEqual([
      {
        path: '/apis/argoproj.io/v1alpha1/analysisruns',
        labelSelector: undefined,
        users: ['analysisruns', 'dashboard', 'experiments', 'reporter', 'rollouts'],
        running: ['analysisruns', 'dashboard', 'experiments', 'reporter', 'rollouts'],
      },
    ]);
  });

  it('lists and watches each router kind once, on the shared manager (the routers read its caches)', async () => {
    // The fixture CRDs of every router (as the engine-traffic-* files install them): each kind is then served, and watched.
    await installCrds({
      kubeconfig: kubeconfigPath,
      dir: fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url)),
      logger,
    });
    // Established is not yet served: until each collection answers a list, an informer's first list could fail and list again.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const rest = createRestClient(kubeConfig);
    await waitUntil(
      async () => {
        for (const { group, version, resource } of routerResources)
          await rest.request({ method: 'GET', path: `/apis/${group}/${version}/${resource}?limit=1` });
        return true;
      },
      { what: 'every router kind served', timeoutMs: 60_000, intervalMs: 200 },
    );
    const { engine, counter } = await startComposition({});
    const registry = engine.manager.registry();
    const expected = routerResources.map(({ group, version, resource }) => `/apis/${group}/${version}/${resource}`).sort();
    const routerEntries = registry.filter((entry) => expected.includes(entry.path));
    expect(routerEntries.map((entry) => entry.path).sort()).toEqual(expected);
    for (const entry of routerEntries)
      expect(entry).toEqual({
        path: entry.path,
        labelSelector: undefined,
        users: ['rollouts'],
        running: ['rollouts'],
      });
    // The request counter names a collection by its resource alone: Istio's and App Mesh's virtualservices are two kinds, one list and one watch each.
    const lists = opened(counter, 'list');
    const watches = opened(counter, 'watch');
    for (const resource of new Set(routerResources.map((kind) => kind.resource))) {
      const kinds = routerResources.filter((kind) => kind.resource === resource).length;
      expect({ resource, lists: lists[resource], watches: watches[resource] }).toEqual({ resource, lists: kinds, watches: kinds });
    }
  });

  it("with --namespace, holds one informer per kind once the bot runs: the namespaced ones hand over to the reporter's cluster-wide ones", async () => {
    const namespace = `it-shared-${randomUUID().slice(0, 8)}`;
    const { engine } = await startComposition({ namespace });
    const registry = engine.manager.registry();
    for (const resource of ['rollouts', 'replicasets', 'analysisruns']) {
      const entries = registry.filter((entry) => entry.path.endsWith(`/${resource}`));
      expect(entries.map((entry) => entry.path)).toEqual([
        resource === 'replicasets' ? '/apis/apps/v1/replicasets' : `/apis/argoproj.io/v1alpha1/${resource}`,
      ]);
      expect(entries[0]?.running).toEqual(expect.arrayContaining(['dashboard', 'reporter', 'rollouts']));
    }
    // What only the engine reads stays in its namespace.
    expect(registry.filter((entry) => entry.path.endsWith('/services')).map((entry) => entry.path)).toEqual([
      `/api/v1/namespaces/${namespace}/services`,
    ]);
  });
});
