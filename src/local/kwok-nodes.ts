import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { Logger } from '../log/index.js';
import type { ControlPlaneBinaries } from './binaries.js';
import { startProcess } from './process-supervisor.js';
import type { ManagedProcess } from './types.js';
import { waitUntil } from './wait-until.js';

const fakeNodeAnnotation = 'kwok.x-k8s.io/node';

/**
 * A pod of a Job that carries this label with the value `failed` ends Failed
 * (exit code 1) instead of Succeeded: KWOK runs no containers, so tests of a
 * failing job metric need a way to say how the "container" ends.
 */
export const jobOutcomeLabel = 'local.gradual.dev/job-outcome';

/**
 * A KWOK Stage beside KWOK's own: weight 1 makes KWOK prefer it over the
 * weightless pod-complete stage for the pods it selects (KWOK drops stages of
 * weight 0 when a matching one has a weight).
 */
const podFailStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gradual-pod-fail
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.metadata.ownerReferences.[].kind'
      operator: 'In'
      values: ['Job']
    - key: '.metadata.labels["${jobOutcomeLabel}"]'
      operator: 'In'
      values: ['failed']
  weight: 1
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range $index, $item := .spec.containers }}
      - image: {{ $item.image | Quote }}
        name: {{ $item.name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 1
            finishedAt: {{ $now | Quote }}
            reason: Error
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: Failed
`;

/**
 * A KWOK Stage that does what a kubelet's status manager does when the API server has marked a running pod not
 * ready behind its back: it writes the pod's own status again (kubernetes v1.34 pkg/kubelet/status/status_manager.go,
 * needsReconcile: "Pod status is inconsistent with cached status for pod, a reconciliation should be triggered").
 * When the node leases go unrenewed for longer than the node monitor grace period (50 s), as during an API server
 * outage that long (the R8 drill's restarts took up to 81 s), kube-controller-manager's node lifecycle controller
 * sets every pod on those nodes to Ready=False (pkg/controller/util/node MarkPodsNotReady). KWOK's own pod-ready stage
 * selects only Pending pods, so without this one such a pod stayed not ready for good: a canary never became
 * available and the rollout waited forever. Job pods are left to KWOK's pod-complete stage and the one above.
 */
const podReadyAgainStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: gradual-pod-ready-again
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values: ['False']
    - key: '.metadata.ownerReferences.[].kind'
      operator: 'NotIn'
      values: ['Job']
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Ready
`;

/** The Stages the local environment gives KWOK beside its own (kwok-stages.yaml from its source). */
export const gradualKwokStages = [podFailStage, podReadyAgainStage].join('---\n');

export function kwokNodeName(index: number): string {
  return `kwok-node-${String(index)}`;
}

/** A Node KWOK will manage: roomy enough that scheduling never fails for lack of resources. */
export function fakeNode(name: string): V1Node {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [fakeNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    },
    spec: {},
    status: { capacity, allocatable: capacity, nodeInfo: nodeInfo() },
  };
}

function nodeInfo(): NonNullable<NonNullable<V1Node['status']>['nodeInfo']> {
  return {
    architecture: 'amd64',
    bootID: '',
    containerRuntimeVersion: 'kwok',
    kernelVersion: '',
    kubeProxyVersion: '',
    kubeletVersion: 'fake',
    machineID: '',
    operatingSystem: 'linux',
    osImage: '',
    systemUUID: '',
  };
}

/**
 * Runs KWOK against the control plane and registers `count` fake nodes; KWOK
 * makes them Ready and keeps their leases, and makes every pod scheduled on
 * them Running and Ready (pod IPs come from a range nothing routes to).
 */
export async function startKwokNodes(options: {
  dir: string;
  kubeconfig: string;
  binaries: ControlPlaneBinaries;
  count: number;
  serverPort: number;
  logger: Logger;
  started: ManagedProcess[];
}): Promise<string[]> {
  const gradualStages = join(options.dir, 'kwok-gradual-stages.yaml');
  await writeFile(gradualStages, gradualKwokStages);
  const kwok = startProcess({
    name: 'kwok',
    command: options.binaries.kwok,
    args: [
      `--kubeconfig=${options.kubeconfig}`,
      `--config=${options.binaries.kwokStages}`,
      `--config=${gradualStages}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation}=fake`,
      '--cidr=10.0.0.1/16',
      '--node-ip=10.0.0.1',
      '--node-lease-duration-seconds=40',
      `--server-address=127.0.0.1:${String(options.serverPort)}`,
    ],
    logFile: join(options.dir, 'logs', 'kwok.log'),
  });
  options.started.push(kwok.record);
  options.logger.info({ component: 'kwok', pid: kwok.record.pid }, 'started');

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const names = Array.from({ length: options.count }, (_, index) => kwokNodeName(index));
  for (const name of names) {
    try {
      await core.createNode({ body: fakeNode(name) });
    } catch (cause) {
      // An environment restarted in the same folder still has its nodes in etcd.
      if (!isConflict(cause)) throw cause;
    }
  }
  await waitUntil(
    async () => {
      const nodes = await core.listNode({ labelSelector: 'type=kwok' });
      const ready = nodes.items.filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return names.every((name) => ready.some((node) => node.metadata?.name === name));
    },
    { what: `${String(options.count)} KWOK nodes`, timeoutMs: 180_000, abortOn: [kwok.exited] },
  );
  options.logger.info({ component: 'kwok', nodes: names }, 'nodes ready');
  return names;
}

function isConflict(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 409;
}
