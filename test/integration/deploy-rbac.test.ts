import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubernetesObject,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rolloutSchema, type Rollout } from '../../src/api/index.js';
import { createAnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { createRolloutController, type RolloutController } from '../../src/engine/controller/rollout-controller.js';
import { createRestClient, runLeaderElection, statusCodeOf, type LeaderElector } from '../../src/kube/index.js';
import { applyManifests, type AppliedObject } from '../../src/local/apply-manifests.js';
import { applyObjects } from '../../src/gitops/apply-objects.js';
import { impersonatingKubeConfig } from '../../src/gitops/clusters.js';
import { environmentLock } from '../../src/gitops/environment-lock.js';
import { installDeployer } from '../../src/gitops/install-deployer.js';
import type { ManifestObject } from '../../src/gitops/manifests/index.js';
import { readLiveObject } from '../../src/gitops/plan/index.js';
import { provenanceKeyFrom } from '../../src/gitops/provenance.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { BUILTIN_CATALOGUE, NOTIFICATION_CONFIGMAP, SENT_LEDGER_CONFIGMAP, createNotifier } from '../../src/notifications/index.js';

// deploy/ installed on the real control plane (RBAC on), then the controller run in this process with the
// ServiceAccount's own token instead of the environment's system:masters certificate: a full canary that
// completes proves the ClusterRole and the Role are enough; requests outside them are refused.
const environment = inject('gradualEnv');
const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
const adminConfig = new KubeConfig();
adminConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = adminConfig.makeApiClient(CoreV1Api);
const apps = adminConfig.makeApiClient(AppsV1Api);
const custom = adminConfig.makeApiClient(CustomObjectsApi);
const rbac = adminConfig.makeApiClient(RbacAuthorizationV1Api);
const leases = adminConfig.makeApiClient(CoordinationV1Api);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const systemNamespace = 'gradual-system';
const serviceAccount = 'gradual';
const leaseName = 'gradual-controller-lock';
const suffix = randomUUID().slice(0, 8);
const namespace = `rbac-${suffix}`;
// The controller watches every namespace (as installed) but, through Argo's instance id, handles only this test's Rollout.
const instanceId = `rbac-${suffix}`;
const identity = `deploy-rbac-test_${suffix}`;
const rolloutApi = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'rollouts' } as const;

let applied: AppliedObject[] = [];
let saConfig: KubeConfig;
let controller: Pick<RolloutController, 'start' | 'stop'> | undefined;
let elector: LeaderElector | undefined;
let controllerStarted: Promise<void> | undefined;

/**
 * The Deployment is applied (so the API server validates it) but with 0 replicas: there is no image to pull
 * here. KWOK would report its pods Running and Ready without running anything — harmless, but two fake
 * "controllers" holding no lease would only blur what this test shows. The controller runs in this process instead.
 */
function withoutReplicas(object: KubernetesObject): KubernetesObject {
  if (object.kind !== 'Deployment') return object;
  return { ...object, spec: { ...(object as { spec: object }).spec, replicas: 0 } } as KubernetesObject;
}

/** A kubeconfig for a ServiceAccount of gradual-system: the environment's server and CA, a bearer token from the TokenRequest API. */
async function serviceAccountKubeConfig(name: string = serviceAccount): Promise<KubeConfig> {
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace: systemNamespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token ?? '';
  expect(token).not.toBe('');
  const cluster = adminConfig.getCurrentCluster();
  if (cluster === null) throw new Error('the environment kubeconfig has no current cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...cluster, name: 'gradual-local' }],
    users: [{ name: 'gradual-sa', token }],
    contexts: [{ name: 'gradual-sa', cluster: 'gradual-local', user: 'gradual-sa' }],
    currentContext: 'gradual-sa',
  });
  return config;
}

async function readRollout(name: string): Promise<Rollout> {
  return rolloutSchema.parse(await custom.getNamespacedCustomObject({ ...rolloutApi, name }));
}

async function until(what: string, check: (rollout: Rollout) => boolean, name = 'web'): Promise<Rollout> {
  let last: Rollout | undefined;
  await waitUntil(
    async () => {
      last = await readRollout(name);
      return check(last);
    },
    { what, timeoutMs: 60_000, intervalMs: 100 },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

async function replicaSetsOf(name: string): Promise<V1ReplicaSet[]> {
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
  return all.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === name));
}

/** spec.replicas by pod-template hash. */
async function sizes(name: string): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await replicaSetsOf(name)).map((rs) => [rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '', rs.spec?.replicas ?? 0]),
  );
}

async function selectedHash(service: string): Promise<string | undefined> {
  return (await core.readNamespacedService({ name: service, namespace })).spec?.selector?.['rollouts-pod-template-hash'];
}

/** The HTTP status a request made with the ServiceAccount's rights ends with. */
async function statusOf(request: Promise<unknown>): Promise<number | undefined> {
  try {
    await request;
    return 200;
  } catch (error) {
    return statusCodeOf(error);
  }
}

beforeAll(async () => {
  // A previous run's gradual-system may still be terminating (afterAll deletes it); nothing can be created in it until it is gone.
  await waitUntil(
    async () => {
      const existing = await core.readNamespace({ name: systemNamespace }).catch(() => undefined);
      return existing?.status?.phase !== 'Terminating';
    },
    { what: `namespace ${systemNamespace} from an earlier run to finish terminating`, timeoutMs: 60_000 },
  );
  applied = await applyManifests({ kubeConfig: adminConfig, path: deployDir, transform: withoutReplicas });
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
    what: 'default ServiceAccount',
    timeoutMs: 30_000,
  });
  for (const name of ['web-stable', 'web-canary']) {
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name, namespace }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    });
  }
  saConfig = await serviceAccountKubeConfig();
  const logger = createLogger({ level: 'warn' });
  const rollouts = createRolloutController({ kubeConfig: saConfig, logger, instanceId });
  const analysisRuns = createAnalysisRunController({ kubeConfig: saConfig, logger, instanceId });
  // Both controllers under one leader, as `gradual controller` runs them.
  const rolloutController = {
    start: async (): Promise<void> => {
      await Promise.all([rollouts.start(), analysisRuns.start()]);
    },
    stop: async (): Promise<void> => {
      await Promise.all([rollouts.stop(), analysisRuns.stop()]);
    },
  };
  controller = rolloutController;
  // As `gradual controller` does: the Lease in gradual-system first, then the controller — both with the SA's rights.
  elector = runLeaderElection({
    kubeConfig: saConfig,
    namespace: systemNamespace,
    name: leaseName,
    identity,
    logger,
    onStartedLeading: () => {
      controllerStarted = rolloutController.start();
      return controllerStarted;
    },
    onStoppedLeading: () => rolloutController.stop(),
  });
});

afterAll(async () => {
  // stop() ends leadership (which stops the controller) and releases the Lease.
  if (elector !== undefined) await elector.stop();
  else await controller?.stop();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  // Everything deploy/ created, except the CRD: the environment (and other test files) keep using it.
  await core.deleteNamespace({ name: systemNamespace }).catch(() => undefined);
  await rbac.deleteClusterRoleBinding({ name: 'gradual-controller' }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: 'gradual-controller' }).catch(() => undefined);
  await rbac.deleteClusterRoleBinding({ name: 'gradual-bot' }).catch(() => undefined);
  await rbac.deleteClusterRoleBinding({ name: 'gradual-start' }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: 'gradual-bot' }).catch(() => undefined);
  for (const role of ['view', 'edit', 'admin'])
    await rbac.deleteClusterRole({ name: `gradual-aggregate-to-${role}` }).catch(() => undefined);
});

describe('the install manifests (deploy/) on a real control plane with RBAC', () => {
  it('apply in kustomization order, and the ClusterRole grants no wildcard and exactly the rules the controller uses', async () => {
    expect(applied.map((object) => `${object.kind}/${object.name}`)).toEqual([
      'Namespace/gradual-system',
      'CustomResourceDefinition/rollouts.argoproj.io',
      'CustomResourceDefinition/analysistemplates.argoproj.io',
      'CustomResourceDefinition/clusteranalysistemplates.argoproj.io',
      'CustomResourceDefinition/analysisruns.argoproj.io',
      'CustomResourceDefinition/experiments.argoproj.io',
      'ServiceAccount/gradual',
      'ClusterRole/gradual-controller',
      'ClusterRoleBinding/gradual-controller',
      'ClusterRole/gradual-aggregate-to-view',
      'ClusterRole/gradual-aggregate-to-edit',
      'ClusterRole/gradual-aggregate-to-admin',
      'Role/gradual-leader-election',
      'RoleBinding/gradual-leader-election',
      'ServiceAccount/gradual-bot',
      'ClusterRole/gradual-bot',
      'ClusterRoleBinding/gradual-bot',
      'Role/gradual-bot-state',
      'RoleBinding/gradual-bot-state',
      'ClusterRoleBinding/gradual-start',
      'RoleBinding/gradual-start-leader-election',
      'ConfigMap/gradual-config',
      'Deployment/gradual',
      'Service/gradual-webhook',
      'Service/gradual-metrics',
    ]);
    const deployment = await apps.readNamespacedDeployment({ name: 'gradual', namespace: systemNamespace });
    expect(deployment.spec?.replicas).toBe(0);
    expect(deployment.spec?.template.spec?.containers[0]?.args).toEqual([
      'start',
      '--lease-namespace',
      systemNamespace,
      '--config',
      '/etc/gradual/config.yaml',
    ]);

    const clusterRole = await rbac.readClusterRole({ name: 'gradual-controller' });
    const role = await rbac.readNamespacedRole({ name: 'gradual-leader-election', namespace: systemNamespace });
    for (const rule of [...(clusterRole.rules ?? []), ...(role.rules ?? [])]) {
      for (const value of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs, ...(rule.resourceNames ?? [])])
        expect(value).not.toContain('*');
      expect(rule.nonResourceURLs ?? []).toEqual([]);
    }
    const grants = (clusterRole.rules ?? []).flatMap((rule) =>
      (rule.apiGroups ?? []).flatMap((group) =>
        (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${verb} ${group === '' ? 'core' : group}/${resource}`)),
      ),
    );
    expect(grants.sort()).toEqual(
      [
        'list argoproj.io/rollouts',
        'watch argoproj.io/rollouts',
        'update argoproj.io/rollouts/status',
        'list apps/replicasets',
        'watch apps/replicasets',
        'create apps/replicasets',
        'patch apps/replicasets',
        'delete apps/replicasets',
        'list apps/deployments',
        'watch apps/deployments',
        'patch apps/deployments/scale',
        'list core/services',
        'watch core/services',
        'patch core/services',
        'list core/pods',
        'watch core/pods',
        'patch core/pods',
        'create core/pods/eviction',
        'create core/events',
        // The Experiment controller (experiment-controller.ts).
        'list argoproj.io/experiments',
        'watch argoproj.io/experiments',
        'update argoproj.io/experiments',
        // The canary experiment step (canary-experiment.ts): creates its Experiment, terminates (merge patch) and deletes the others.
        'create argoproj.io/experiments',
        'patch argoproj.io/experiments',
        'delete argoproj.io/experiments',
        'create core/services',
        'delete core/services',
        'get argoproj.io/analysisruns',
        'list argoproj.io/analysisruns',
        'watch argoproj.io/analysisruns',
        'update argoproj.io/analysisruns',
        'create argoproj.io/analysisruns',
        'patch argoproj.io/analysisruns',
        'delete argoproj.io/analysisruns',
        'list argoproj.io/analysistemplates',
        'watch argoproj.io/analysistemplates',
        'list argoproj.io/clusteranalysistemplates',
        'watch argoproj.io/clusteranalysistemplates',
        'get core/secrets',
        'list batch/jobs',
        'watch batch/jobs',
        'create batch/jobs',
        // Traffic routers (apply-traffic.ts, traffic-informers.ts).
        'get networking.istio.io/virtualservices',
        'list networking.istio.io/virtualservices',
        'watch networking.istio.io/virtualservices',
        'update networking.istio.io/virtualservices',
        'patch networking.istio.io/virtualservices',
        'get networking.istio.io/destinationrules',
        'list networking.istio.io/destinationrules',
        'watch networking.istio.io/destinationrules',
        'update networking.istio.io/destinationrules',
        'patch networking.istio.io/destinationrules',
        'get split.smi-spec.io/trafficsplits',
        'list split.smi-spec.io/trafficsplits',
        'watch split.smi-spec.io/trafficsplits',
        'create split.smi-spec.io/trafficsplits',
        'update split.smi-spec.io/trafficsplits',
        'patch split.smi-spec.io/trafficsplits',
        'get networking.k8s.io/ingresses',
        'list networking.k8s.io/ingresses',
        'watch networking.k8s.io/ingresses',
        'create networking.k8s.io/ingresses',
        'update networking.k8s.io/ingresses',
        'patch networking.k8s.io/ingresses',
        'get gateway.networking.k8s.io/httproutes',
        'list gateway.networking.k8s.io/httproutes',
        'watch gateway.networking.k8s.io/httproutes',
        'update gateway.networking.k8s.io/httproutes',
        'patch gateway.networking.k8s.io/httproutes',
        'get traefik.containo.us/traefikservices',
        'list traefik.containo.us/traefikservices',
        'watch traefik.containo.us/traefikservices',
        'update traefik.containo.us/traefikservices',
        'patch traefik.containo.us/traefikservices',
        'get apisix.apache.org/apisixroutes',
        'list apisix.apache.org/apisixroutes',
        'watch apisix.apache.org/apisixroutes',
        'create apisix.apache.org/apisixroutes',
        'update apisix.apache.org/apisixroutes',
        'patch apisix.apache.org/apisixroutes',
        'delete apisix.apache.org/apisixroutes',
        'get getambassador.io/mappings',
        'list getambassador.io/mappings',
        'watch getambassador.io/mappings',
        'create getambassador.io/mappings',
        'update getambassador.io/mappings',
        'patch getambassador.io/mappings',
        'delete getambassador.io/mappings',
        'get appmesh.k8s.aws/virtualservices',
        'list appmesh.k8s.aws/virtualservices',
        'watch appmesh.k8s.aws/virtualservices',
        'get appmesh.k8s.aws/virtualrouters',
        'list appmesh.k8s.aws/virtualrouters',
        'watch appmesh.k8s.aws/virtualrouters',
        'update appmesh.k8s.aws/virtualrouters',
        'patch appmesh.k8s.aws/virtualrouters',
        'get appmesh.k8s.aws/virtualnodes',
        'list appmesh.k8s.aws/virtualnodes',
        'watch appmesh.k8s.aws/virtualnodes',
        'update appmesh.k8s.aws/virtualnodes',
        'patch appmesh.k8s.aws/virtualnodes',
      ].sort(),
    );
  });

  it("runs a full canary with only the ServiceAccount's rights: lease, setWeight 50, pause, promote, Healthy, Services switched, old ReplicaSet deleted", async () => {
    await waitUntil(async () => Promise.resolve(elector?.isLeader() === true), {
      what: 'the SA to win the Lease',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    await controllerStarted;
    const lease = await leases.readNamespacedLease({ name: leaseName, namespace: systemNamespace });
    expect(lease.spec?.holderIdentity).toBe(identity);

    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace, labels: { 'argo-rollouts.argoproj.io/controller-instance-id': instanceId } },
        spec: {
          replicas: 2,
          // 0: the old ReplicaSet is deleted once scaled down, which exercises `delete replicasets`.
          revisionHistoryLimit: 0,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: { canary: { stableService: 'web-stable', canaryService: 'web-canary', steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      },
    });
    const first = await until('the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.currentPodHash ?? '';
    expect(first.status?.stableRS).toBe(blue);
    await waitUntil(async () => (await selectedHash('web-stable')) === blue, {
      what: 'web-stable to select the first revision',
      timeoutMs: 30_000,
    });

    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'web',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:green' }] } } } },
      },
      mergePatch,
    );
    const paused = await until('the canary to pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    const green = paused.status?.currentPodHash ?? '';
    expect(green).not.toBe(blue);
    expect(paused.status?.stableRS).toBe(blue);
    expect(paused.status?.pauseConditions?.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    expect(await sizes('web')).toEqual({ [blue]: 1, [green]: 1 });
    await waitUntil(async () => (await selectedHash('web-canary')) === green, {
      what: 'web-canary to select the canary',
      timeoutMs: 30_000,
    });
    expect(await selectedHash('web-stable')).toBe(blue);

    // Promote as a person would (`kubectl argo rollouts promote`): clear the pause conditions, with the admin's rights.
    await custom.patchNamespacedCustomObjectStatus({ ...rolloutApi, name: 'web', body: { status: { pauseConditions: null } } }, mergePatch);
    const done = await until('the rollout to complete', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === green);
    expect(done.status).toMatchObject({ currentPodHash: green, stableRS: green, replicas: 2, updatedReplicas: 2 });
    await waitUntil(async () => (await selectedHash('web-stable')) === green, {
      what: 'web-stable to select the new revision',
      timeoutMs: 30_000,
    });
    await waitUntil(async () => Object.keys(await sizes('web')).join() === green, {
      what: 'the old ReplicaSet to be deleted',
      timeoutMs: 30_000,
    });

    // Events are best effort in the applier (a refused one is only logged), so check they were really written.
    // They follow the status they report, so wait for the last.
    let reasons: (string | undefined)[] = [];
    await waitUntil(
      async () => {
        reasons = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=web' })).items.map(
          (event) => event.reason,
        );
        return reasons.includes('RolloutCompleted');
      },
      { what: 'the RolloutCompleted Event', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(reasons).toEqual(expect.arrayContaining(['RolloutPaused', 'SwitchService', 'RolloutCompleted']));
  });

  it("follows a workloadRef with only the ServiceAccount's rights: the Deployment's template, and its scale-down through deployments/scale", async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'legacy', namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'legacy' } },
          template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'app', image: 'example.test/legacy:1' }] } },
        },
      },
    });
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'legacy', namespace, labels: { 'argo-rollouts.argoproj.io/controller-instance-id': instanceId } },
        spec: {
          replicas: 2,
          workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy', scaleDown: 'onsuccess' },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      },
    });
    const healthy = await until('the referencing Rollout to be Healthy', (r) => r.status?.phase === 'Healthy', 'legacy');
    expect((await replicaSetsOf('legacy'))[0]?.spec?.template?.spec?.containers[0]?.image).toBe('example.test/legacy:1');
    expect(healthy.status?.workloadObservedGeneration).toBeDefined();
    await waitUntil(async () => (await apps.readNamespacedDeployment({ name: 'legacy', namespace })).spec?.replicas === 0, {
      what: 'the Deployment to be scaled to 0 by the ServiceAccount',
      timeoutMs: 30_000,
    });
  });

  it("measures an AnalysisRun with only the ServiceAccount's rights: a Secret argument read, the real Prometheus queried, the run written back", async () => {
    await controllerStarted;
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'metrics-token' }, stringData: { token: 'not-for-logs' } } });
    await custom.createNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace,
      plural: 'analysisruns',
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name: 'success-rate', labels: { 'argo-rollouts.argoproj.io/controller-instance-id': instanceId } },
        spec: {
          args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'metrics-token', key: 'token' } } }],
          metrics: [
            {
              name: 'success-rate',
              successCondition: 'result[0] >= 0.9',
              provider: {
                prometheus: {
                  address: environment.prometheus.url,
                  query: 'vector(0.99)',
                  headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
                },
              },
            },
          ],
        },
      },
    });
    let phase: unknown;
    await waitUntil(
      async () => {
        const run = (await custom.getNamespacedCustomObject({
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace,
          plural: 'analysisruns',
          name: 'success-rate',
        })) as { status?: { phase?: string } };
        phase = run.status?.phase;
        return phase === 'Successful' || phase === 'Error' || phase === 'Failed';
      },
      { what: 'the AnalysisRun to complete under the ServiceAccount', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(phase).toBe('Successful');
  });

  it('refuses with 403 what the ServiceAccount was not granted', async () => {
    const saCore = saConfig.makeApiClient(CoreV1Api);
    const saApps = saConfig.makeApiClient(AppsV1Api);
    const saCustom = saConfig.makeApiClient(CustomObjectsApi);
    const saLeases = saConfig.makeApiClient(CoordinationV1Api);
    // Services: an Experiment template's own is created and deleted (Argo's experiments/service.go needs the verbs),
    // which RBAC cannot narrow to owned ones; a Service is still never updated whole (below). Experiments are created
    // and deleted by the canary experiment step; AnalysisTemplates, which people write, are only read.
    expect(await statusOf(saCustom.deleteNamespacedCustomObject({ ...rolloutApi, plural: 'analysistemplates', name: 'any' }))).toBe(403);
    expect(await statusOf(saCore.listNamespacedSecret({ namespace }))).toBe(403);
    expect(await statusOf(saCore.listSecretForAllNamespaces())).toBe(403);
    expect(await statusOf(saCore.listNamespacedConfigMap({ namespace }))).toBe(403);
    expect(await statusOf(saCore.deleteNamespacedPod({ name: 'anything', namespace }))).toBe(403);
    // Deployments (workloadRef): read through the informer, scaled through the scale subresource, never otherwise written.
    expect(await statusOf(saApps.patchNamespacedDeployment({ name: 'web', namespace, body: { spec: { paused: true } } }, mergePatch))).toBe(
      403,
    );
    expect(await statusOf(saApps.deleteNamespacedDeployment({ name: 'web', namespace }))).toBe(403);
    expect(await statusOf(saApps.createNamespacedDeployment({ namespace, body: { metadata: { name: 'x' } } }))).toBe(403);
    expect(await statusOf(saApps.readNamespacedDeployment({ name: 'web', namespace }))).toBe(403);
    // The controller never writes a Rollout's spec: people promote and abort with their own rights.
    expect(
      await statusOf(saCustom.patchNamespacedCustomObject({ ...rolloutApi, name: 'web', body: { spec: { paused: true } } }, mergePatch)),
    ).toBe(403);
    expect(await statusOf(saCustom.deleteNamespacedCustomObject({ ...rolloutApi, name: 'web' }))).toBe(403);
    // Leases: only in gradual-system, and only the controller's own lock.
    expect(await statusOf(saLeases.listNamespacedLease({ namespace: 'kube-system' }))).toBe(403);
    expect(await statusOf(saLeases.createNamespacedLease({ namespace, body: { metadata: { name: 'x' }, spec: {} } }))).toBe(403);
    expect(await statusOf(saLeases.readNamespacedLease({ name: 'someone-elses-lock', namespace: systemNamespace }))).toBe(403);
    // And what it was granted but the canary above did not exercise, asked of the authorizer itself.
    const authorization = saConfig.makeApiClient(AuthorizationV1Api);
    async function allowed(verb: string, resource: string, subresource?: string, group = ''): Promise<boolean | undefined> {
      const review = await authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace, verb, group, resource, ...(subresource === undefined ? {} : { subresource }) } } },
      });
      return review.status?.allowed;
    }
    expect(await allowed('create', 'pods', 'eviction')).toBe(true);
    expect(await allowed('patch', 'deployments', 'scale', 'apps')).toBe(true);
    expect(await allowed('update', 'deployments', 'scale', 'apps')).toBe(false);
    expect(await allowed('list', 'deployments', undefined, 'apps')).toBe(true);
    // Ephemeral metadata relabels pods (merge PATCH), and nothing more: a pod is never updated whole, deleted or created.
    expect(await allowed('patch', 'pods')).toBe(true);
    expect(await allowed('update', 'pods')).toBe(false);
    expect(await allowed('create', 'pods')).toBe(false);
    // Secrets: read one by name for an AnalysisRun's secretKeyRef argument, never listed, watched or written.
    expect(await allowed('get', 'secrets')).toBe(true);
    expect(await allowed('watch', 'secrets')).toBe(false);
    expect(await allowed('update', 'secrets')).toBe(false);
    expect(await allowed('update', 'services')).toBe(false);
  });

  it("records notifications in its ledger ConfigMap with only the ServiceAccount's rights, and may write no other ConfigMap there", async () => {
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push(body);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/hook`;
      await core.createNamespacedConfigMap({
        namespace: systemNamespace,
        body: { metadata: { name: NOTIFICATION_CONFIGMAP }, data: { ...BUILTIN_CATALOGUE, 'service.webhook.receiver': `url: ${url}\n` } },
      });
      const rollout = {
        metadata: {
          name: 'web',
          namespace,
          uid: `uid-${suffix}`,
          annotations: { 'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '' },
        },
        spec: { template: { spec: { containers: [] } }, strategy: { canary: { steps: [] } } },
        status: { phase: 'Degraded' },
      };
      const aborted = { type: 'Warning' as const, reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' };
      const events: string[] = [];
      const notifierAs = (): ReturnType<typeof createNotifier> =>
        createNotifier({
          rest: createRestClient(saConfig),
          logger: createLogger({ level: 'warn' }),
          namespace: systemNamespace,
          timeoutMs: 5000,
          recordEvent: (_rollout, event) => events.push(event.reason),
        });
      const first = notifierAs();
      first.notify(rollout, rollout.status, [aborted]);
      await first.idle();
      // A second process (a restarted controller) with the same rights reads the ledger and sends nothing.
      const second = notifierAs();
      second.notify(rollout, rollout.status, [aborted]);
      await second.idle();
      expect(received).toEqual(['Rollout web has been aborted.']);
      expect(events).toEqual(['NotificationSent']);
      const ledger = await core.readNamespacedConfigMap({ name: SENT_LEDGER_CONFIGMAP, namespace: systemNamespace });
      expect(Object.keys(ledger.data ?? {})).toEqual([`${namespace}.web`]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
    const authorization = saConfig.makeApiClient(AuthorizationV1Api);
    async function allowed(verb: string, name: string, inNamespace = systemNamespace): Promise<boolean | undefined> {
      const review = await authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace: inNamespace, verb, resource: 'configmaps', name } } },
      });
      return review.status?.allowed;
    }
    expect(await allowed('update', SENT_LEDGER_CONFIGMAP)).toBe(true);
    expect(await allowed('update', NOTIFICATION_CONFIGMAP)).toBe(false);
    expect(await allowed('delete', SENT_LEDGER_CONFIGMAP)).toBe(false);
    expect(await allowed('get', 'gradual-deliveries')).toBe(false);
    expect(await allowed('get', SENT_LEDGER_CONFIGMAP, namespace)).toBe(false);
    // The record is not on the Rollout: the controller still may not patch one.
    const saCustom = saConfig.makeApiClient(CustomObjectsApi);
    expect(
      await statusOf(
        saCustom.patchNamespacedCustomObject(
          { ...rolloutApi, name: 'web', body: { metadata: { annotations: { 'notified.notifications.argoproj.io': '{}' } } } },
          mergePatch,
        ),
      ),
    ).toBe(403);
  });
});

describe(
  "the bot under its own ServiceAccount, impersonating an environment's deployer (deploy/environment/deployer.yaml)",
  { timeout: 60_000 },
  () => {
    const deployerUser = `system:serviceaccount:${namespace}:gradual-deployer`;
    const origin = { repository: 'acme/shop', pullRequest: 1, headSha: 'a'.repeat(40), installationId: 1, environment: 'production' };
    const key = provenanceKeyFrom(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 1);
    const quiet = createLogger({ level: 'warn' });
    let botConfig: KubeConfig;
    let asDeployer: KubeConfig;

    function manifest(object: KubernetesObject): ManifestObject {
      return {
        ref: {
          apiVersion: object.apiVersion ?? '',
          kind: object.kind ?? '',
          name: object.metadata?.name ?? '',
          ...(object.metadata?.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
        },
        object: object,
        file: 'apps/shop.yaml',
        line: 1,
        column: 1,
        locate: () => ({ line: 1, column: 1 }),
      };
    }

    const configMap = (name: string, ns: string): KubernetesObject =>
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { color: 'blue' } }) as KubernetesObject;

    beforeAll(async () => {
      await installDeployer(adminConfig, namespace);
      botConfig = await serviceAccountKubeConfig('gradual-bot');
      asDeployer = impersonatingKubeConfig(botConfig, deployerUser);
    });

    it('holds only status reads of its own, no wildcard', async () => {
      const clusterRole = await rbac.readClusterRole({ name: 'gradual-bot' });
      const grants = (clusterRole.rules ?? []).flatMap((rule) =>
        (rule.apiGroups ?? []).flatMap((group) =>
          (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${verb} ${group === '' ? 'core' : group}/${resource}`)),
        ),
      );
      expect(grants.sort()).toEqual(
        [
          'list argoproj.io/rollouts',
          'watch argoproj.io/rollouts',
          'list argoproj.io/analysisruns',
          'watch argoproj.io/analysisruns',
          'list argoproj.io/experiments',
          'watch argoproj.io/experiments',
          'list apps/replicasets',
          'watch apps/replicasets',
          'list core/events',
          'get coordination.k8s.io/leases',
          'list coordination.k8s.io/leases',
        ].sort(),
      );
    });

    it("deploys a repository's environment as the deployer: server-side apply with its dry run, live reads, the environment's lock", async () => {
      const objects = [
        configMap('shop-settings', namespace),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'shop', namespace },
          spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] },
        } as KubernetesObject,
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisTemplate',
          metadata: { name: 'shop-success', namespace },
          spec: { metrics: [{ name: 'm', provider: { prometheus: { address: environment.prometheus.url, query: 'vector(1)' } } }] },
        } as KubernetesObject,
      ];
      expect(await applyObjects(asDeployer, objects.map(manifest), origin, quiet, key)).toBe(3);
      expect(
        (await core.readNamespacedConfigMap({ name: 'shop-settings', namespace })).metadata?.managedFields?.some(
          (field) => field.manager === 'gradual',
        ),
      ).toBe(true);
      const rest = createRestClient(asDeployer);
      const live = await readLiveObject(rest, { apiVersion: 'v1', kind: 'Service', namespace, name: 'shop' });
      expect(live?.metadata?.name).toBe('shop');
      const lock = await environmentLock(rest, namespace, 'production').acquire({
        repository: 'acme/shop',
        pullRequest: 1,
        headSha: 'a'.repeat(40),
      });
      expect(lock.kind).toBe('acquired');
      // The reporter's reads, with the bot's own identity, cluster-wide.
      expect(
        await statusOf(
          botConfig
            .makeApiClient(CustomObjectsApi)
            .listClusterCustomObject({ group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' }),
        ),
      ).toBe(200);
    });

    it('gets 403 for everything outside it, and the cluster is unchanged', async () => {
      // Another namespace, as the deployer: refused on the dry run.
      await expect(applyObjects(asDeployer, [manifest(configMap('escaped', systemNamespace))], origin, quiet, key)).rejects.toThrow(
        /refused by the API server \(dry run; nothing was applied\).*forbidden/isu,
      );
      expect(await statusOf(core.readNamespacedConfigMap({ name: 'escaped', namespace: systemNamespace }))).toBe(404);
      // RBAC and cluster-scoped kinds, as the deployer.
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'grab', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'gradual-deployer', namespace }],
      } as KubernetesObject;
      await expect(applyObjects(asDeployer, [manifest(binding)], origin, quiet, key)).rejects.toThrow(/forbidden/iu);
      expect(await statusOf(rbac.readNamespacedRoleBinding({ name: 'grab', namespace }))).toBe(404);
      await expect(
        applyObjects(
          asDeployer,
          [manifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${namespace}-x` } })],
          origin,
          quiet,
          key,
        ),
      ).rejects.toThrow(/forbidden/iu);
      expect(await statusOf(core.readNamespace({ name: `${namespace}-x` }))).toBe(404);
      // Live reads elsewhere, as the deployer.
      await expect(
        readLiveObject(createRestClient(asDeployer), {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          namespace: systemNamespace,
          name: 'gradual-bot',
        }),
      ).rejects.toThrow(/HTTP 403/u);
      // The bot's own identity writes nothing and reads no Secret.
      expect(
        await statusOf(botConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: 'direct' } } })),
      ).toBe(403);
      expect(await statusOf(botConfig.makeApiClient(CoreV1Api).listSecretForAllNamespaces())).toBe(403);
      // Its one write is its delivery ledger in gradual-system (bot-state-role.yaml): that ConfigMap only, not the config beside it.
      const botCore = botConfig.makeApiClient(CoreV1Api);
      expect([200, 404]).toContain(
        await statusOf(botCore.readNamespacedConfigMap({ name: 'gradual-deliveries', namespace: systemNamespace })),
      );
      expect(await statusOf(botCore.readNamespacedConfigMap({ name: 'gradual-config', namespace: systemNamespace }))).toBe(403);
      expect(
        await statusOf(
          botCore.replaceNamespacedConfigMap({
            name: 'gradual-config',
            namespace: systemNamespace,
            body: { metadata: { name: 'gradual-config', namespace: systemNamespace }, data: {} },
          }),
        ),
      ).toBe(403);
      expect(await statusOf(botCore.listNamespacedConfigMap({ namespace: systemNamespace }))).toBe(403);
      expect(await statusOf(botConfig.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'shop-settings', namespace }))).toBe(403);
      // It impersonates this deployer and nobody else: another namespace's ServiceAccount, a user, the controller.
      for (const user of [
        `system:serviceaccount:${systemNamespace}:gradual`,
        'system:serviceaccount:kube-system:default',
        'admin',
        'system:admin',
      ]) {
        expect(
          await statusOf(impersonatingKubeConfig(botConfig, user).makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace })),
        ).toBe(403);
      }
    });
  },
);
