import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { scenarioTimeoutMs, trafficBed } from './support/traffic-fixtures.js';

// canary.replicaProgressThreshold on the real control plane (Argo's ReplicaProgressThresholdMet in
// AtDesiredReplicaCountsForCanary): a step counts as reached once enough canary pods are available,
// not all. The new revision's pods repel each other (required anti-affinity per node) and the local
// cluster has 3 nodes, so at most 3 of the 4 canary pods a 80 % step wants can ever run. A Rollout
// with `Pods: 3` moves on; the same Rollout without a threshold stays on the step.
const bed = trafficBed('replica-progress');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function startYellow(app: string): Promise<void> {
  const label = { 'local.gradual.dev/spread': `${app}-yellow` };
  const affinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: label }, topologyKey: 'kubernetes.io/hostname' }],
    },
  };
  await bed.cluster.custom.patchNamespacedCustomObject(
    {
      ...bed.cluster.rolloutApi,
      name: app,
      body: {
        spec: {
          template: {
            metadata: { labels: { app, ...label } },
            spec: { affinity, containers: [{ name: 'app', image: 'example.test/app:yellow' }] },
          },
        },
      },
    },
    mergePatch,
  );
}

describe('canary.replicaProgressThreshold, driven by the engine', () => {
  it(
    'Pods 3: the 80 % step completes with 3 of 4 canary pods available; without a threshold it waits',
    async () => {
      const steps = [{ setWeight: 80 }, { pause: {} }];
      for (const app of ['rp', 'rc']) await bed.createServices(app);
      await bed.createRollout('rp', { steps, replicaProgressThreshold: { type: 'Pods', value: 3 } });
      await bed.createRollout('rc', { steps });
      for (const app of ['rp', 'rc']) await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      for (const app of ['rp', 'rc']) await startYellow(app);

      const paused = await bed.until(
        'rp',
        'the step to complete and the pause to start',
        (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
      );
      const yellow = paused.status?.currentPodHash ?? '';
      expect(await bed.replicasOf('rp', yellow)).toBe(4);
      expect(paused.status?.updatedReplicas).toBe(4);

      // The control: its canary as far as the cluster lets it get (3 available), seen by the controller, and still on step 0.
      const control = await bed.until(
        'rc',
        'the control canary at 3 available pods',
        (r) => (r.status?.updatedReplicas ?? 0) === 4 && (r.status?.availableReplicas ?? 0) === 4,
      );
      expect(control.status?.currentStepIndex).toBe(0);
      expect(control.status?.phase).toBe('Progressing');
    },
    scenarioTimeoutMs,
  );
});
