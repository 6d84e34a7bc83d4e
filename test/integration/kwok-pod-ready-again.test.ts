import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import { testCluster } from './support/test-cluster.js';

// The local environment's fake kubelet (KWOK) after an API server outage longer than the node monitor grace period
// (50 s): kube-controller-manager's node lifecycle controller sets every pod on the silent nodes to Ready=False. A real
// kubelet writes its pods' status back once it reaches the API server again; KWOK's own stages only ready Pending
// pods, so the environment adds one (src/local/kwok-nodes.ts, gradual-pod-ready-again). Without it the R8 drill's
// canary pod stayed not ready for good after a long restart (bot-apiserver-restart.test.ts). This test does to a
// running pod exactly what MarkPodsNotReady does (a status update of its Ready condition to False) rather than
// waiting out a real outage.
const cluster = testCluster('kwok-ready-again');
const { namespace } = cluster;

function readyStatus(pod: V1Pod): string | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status;
}

beforeAll(async () => {
  await cluster.setUp();
}, 120_000);

afterAll(async () => {
  await cluster.tearDown();
});

describe('KWOK in the local environment', () => {
  it('makes a running pod Ready again after the node lifecycle controller marked it not ready', async () => {
    await cluster.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'example.test/web:1' }] } },
    });
    await waitUntil(async () => readyStatus(await cluster.core.readNamespacedPod({ namespace, name: 'web' })) === 'True', {
      what: 'the pod Running and Ready',
      timeoutMs: 60_000,
    });

    // MarkPodsNotReady (kubernetes v1.34 pkg/controller/util/node/controller_utils.go): an UpdateStatus of the pod read,
    // its Ready condition set to False and nothing else changed.
    const pod = await cluster.core.readNamespacedPod({ namespace, name: 'web' });
    const uid = pod.metadata?.uid;
    const conditionTypes = (pod.status?.conditions ?? []).map((condition) => condition.type).sort();
    const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready).toBeDefined();
    Object.assign(ready ?? {}, { status: 'False', lastTransitionTime: new Date() });
    const marked = await cluster.core.replaceNamespacedPodStatus({ namespace, name: 'web', body: pod });
    expect(readyStatus(marked)).toBe('False');
    expect(marked.status?.phase).toBe('Running');

    await waitUntil(async () => readyStatus(await cluster.core.readNamespacedPod({ namespace, name: 'web' })) === 'True', {
      what: 'KWOK to make the pod Ready again',
      timeoutMs: 60_000,
    });
    const after = await cluster.core.readNamespacedPod({ namespace, name: 'web' });
    // Only the Ready condition changed back: the pod was not restarted or replaced, and its other conditions are kept.
    expect(after.metadata?.uid).toBe(uid);
    expect((after.status?.conditions ?? []).map((condition) => condition.type).sort()).toEqual(conditionTypes);
    expect(after.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });
});
