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
  await writeFile(gradualStages, podFailStage);
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
