import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { planRollout } from '../../src/engine/plan-rollout.js';
import type { RolloutObservation } from '../../src/engine/reconcile-types.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// A Rollout whose own content the controller cannot act on, on the real control plane: the
// InvalidSpec condition (Argo's type, reason and phase) with the reason, and no retry loop —
// the Rollout changing is what makes the controller try again.
const cluster = testCluster('invalid-content');
const { apps, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Plans per Rollout, and a planner that throws for a template labelled `planner: throw` (a stand-in for any planner bug). */
const plans = new Map<string, number>();
function countingPlanner(observation: RolloutObservation) {
  const name = observation.rollout.metadata?.name ?? '';
  plans.set(name, (plans.get(name) ?? 0) + 1);
  if (observation.rollout.spec.template?.metadata?.labels?.['planner'] === 'throw')
    throw new TypeError("Cannot read properties of null (reading 'labelSelector')");
  return planRollout(observation);
}
withRolloutController(cluster, { planner: countingPlanner });

function rollout(name: string, template: { labels?: Record<string, string>; affinity?: unknown } = {}): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...template.labels } },
        spec: {
          containers: [{ name: 'app', image: `example.test/${name}:blue` }],
          ...(template.affinity === undefined ? {} : { affinity: template.affinity }),
        },
      },
      strategy: {
        canary: { antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} }, steps: [{ setWeight: 50 }, { pause: {} }] },
      },
    },
  };
}

async function replicaSetCount(name: string): Promise<number> {
  return (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` })).items.length;
}

const invalidSpec = (r: Rollout) => r.status?.conditions?.find((c) => c.type === 'InvalidSpec');

describe('a Rollout the controller cannot act on', () => {
  it('a null podAntiAffinity term added to a healthy Rollout: InvalidSpec at its field, Degraded, nothing else written; fixed, the update proceeds', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('affinity') });
    await cluster.untilRollout('affinity', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    // The update that used to throw in planRollout on every reconcile (the injected term merged with the user's null one).
    const affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [null] } };
    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'affinity',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/affinity:red' }], affinity } } } },
      },
      mergePatch,
    );
    const refused = await cluster.untilRollout('affinity', 'the InvalidSpec condition', (r) => invalidSpec(r) !== undefined);
    expect(invalidSpec(refused)).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message:
        'The Rollout "affinity" is invalid: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]: expected an object, got null',
    });
    expect(refused.status?.phase).toBe('Degraded');
    expect(refused.status?.message).toMatch(/^InvalidSpec: The Rollout "affinity" is invalid: spec\.template\.spec\.affinity/);
    expect(await replicaSetCount('affinity')).toBe(1);

    await custom.patchNamespacedCustomObject(
      { ...rolloutApi, name: 'affinity', body: { spec: { template: { spec: { affinity: null } } } } },
      mergePatch,
    );
    const paused = await cluster.untilRollout('affinity', 'the fixed update to reach its pause', (r) => r.status?.phase === 'Paused');
    expect(invalidSpec(paused)).toBeUndefined();
    expect(await replicaSetCount('affinity')).toBe(2);
  });

  it('a planner that throws: InvalidSpec with the error, no retry loop; a spec change plans again', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('throws', { labels: { planner: 'throw' } }) });
    const refused = await cluster.untilRollout('throws', 'the InvalidSpec condition', (r) => invalidSpec(r) !== undefined);
    expect(invalidSpec(refused)).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message:
        'The Rollout "throws" is invalid: the controller cannot plan this Rollout (TypeError: Cannot read properties of null (reading \'labelSelector\')); it tries again when the Rollout changes',
    });
    expect(refused.status?.phase).toBe('Degraded');
    expect(refused.status?.observedGeneration).toBe('1');
    expect(await replicaSetCount('throws')).toBe(0);
    // The controller's own status write wakes the Rollout once more; after that nothing is retried. Before, the
    // reconcile threw and the queue retried it with backoff, forever. A real wait: the queue runs on real time.
    const settledAt = plans.get('throws') ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((plans.get('throws') ?? 0) - settledAt).toBeLessThanOrEqual(1);

    await custom.patchNamespacedCustomObject(
      { ...rolloutApi, name: 'throws', body: { spec: { template: { metadata: { labels: { planner: 'plan' } } } } } },
      mergePatch,
    );
    const healthy = await cluster.untilRollout('throws', 'the changed Rollout to be Healthy', (r) => r.status?.phase === 'Healthy');
    expect(invalidSpec(healthy)).toBeUndefined();
    expect(await replicaSetCount('throws')).toBe(1);
  });

  it("a request of `memory: invalid` (Argo's TestMalformedRollout): the ReplicaSet without it, Healthy", async () => {
    const body = rollout('malformed') as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const [container] = body.spec.template.spec.containers;
    if (container !== undefined) container['resources'] = { requests: { memory: 'invalid' } };
    await custom.createNamespacedCustomObject({ ...rolloutApi, body });
    const healthy = await cluster.untilRollout('malformed', 'Healthy', (r) => r.status?.phase === 'Healthy');
    expect(healthy.status?.conditions?.map((c) => c.type).sort()).toEqual(['Available', 'Completed', 'Healthy', 'Progressing']);
    const [replicaSet] = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=malformed' })).items;
    expect(replicaSet?.spec?.template?.spec?.containers).toMatchObject([{ name: 'app', image: 'example.test/malformed:blue' }]);
    expect(replicaSet?.spec?.template?.spec?.containers[0]?.resources?.requests ?? {}).toEqual({});
  });

  it("a pod template the API server refuses (422: a container name it finds invalid): Argo's InvalidSpec with the API server's field error, no retry loop; fixed, it proceeds", async () => {
    const body = rollout('refused') as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const [container] = body.spec.template.spec.containers;
    if (container !== undefined) container['name'] = 'Bad_Name';
    await custom.createNamespacedCustomObject({ ...rolloutApi, body });
    const refused = await cluster.untilRollout('refused', 'the InvalidSpec condition', (r) => invalidSpec(r) !== undefined);
    // Argo's words: ValidatePodTemplateSpecForReplicaSet's first error, which is the API server's first cause.
    expect(invalidSpec(refused)).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(invalidSpec(refused)?.message).toMatch(
      /^The Rollout "refused" is invalid: spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of/,
    );
    expect(refused.status?.phase).toBe('Degraded');
    expect(refused.status?.observedGeneration).toBe('1');
    expect(await replicaSetCount('refused')).toBe(0);
    // Before, the 422 was retried with backoff forever and nothing was written on the Rollout. Now the attempts stop
    // once the condition is written (one more from the status write's own watch event). A real wait, as above.
    const attempts = plans.get('refused') ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((plans.get('refused') ?? 0) - attempts).toBeLessThanOrEqual(1);

    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'refused',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/refused:blue' }] } } } },
      },
      mergePatch,
    );
    const healthy = await cluster.untilRollout('refused', 'the fixed Rollout to be Healthy', (r) => r.status?.phase === 'Healthy');
    expect(invalidSpec(healthy)).toBeUndefined();
  });
});
