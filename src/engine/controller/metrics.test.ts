import { describe, expect, it } from 'vitest';
import { rolloutSchema, type Rollout } from '../../api/index.js';
import { createControllerMetrics } from './metrics.js';

function rollout(phase: 'Paused' | 'Healthy', available: number): Rollout {
  return rolloutSchema.parse({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }] } },
    },
    status: { phase, availableReplicas: available, updatedReplicas: 1 },
  });
}

describe('createControllerMetrics', () => {
  it("exposes Argo's rollout metrics and keeps one rollout_info series per rollout", async () => {
    const metrics = createControllerMetrics();
    metrics.observeRollout(rollout('Paused', 4));
    metrics.observeRollout(rollout('Healthy', 5));
    metrics.observeReconcile('shop', 'web', 0.02, false);
    metrics.observeReconcile('shop', 'web', 0.03, true);
    metrics.countEvent('shop', 'web', 'Normal', 'RolloutCompleted');
    const text = await metrics.registry.metrics();
    expect(text).toContain('rollout_info{namespace="shop",name="web",strategy="canary",traffic_router="",phase="Healthy"} 1');
    expect(text).not.toContain('phase="Paused"} 1');
    expect(text).toContain('rollout_phase{namespace="shop",name="web",strategy="canary",phase="Paused"} 0');
    expect(text).toContain('rollout_info_replicas_desired{namespace="shop",name="web"} 5');
    expect(text).toContain('rollout_info_replicas_available{namespace="shop",name="web"} 5');
    expect(text).toContain('rollout_reconcile_count{namespace="shop",name="web"} 2');
    expect(text).toContain('rollout_reconcile_error{namespace="shop",name="web"} 1');
    expect(text).toContain('rollout_events_total{namespace="shop",name="web",type="Normal",reason="RolloutCompleted"} 1');

    metrics.forgetRollout('shop', 'web');
    const after = await metrics.registry.metrics();
    expect(after).not.toContain('rollout_info{namespace="shop"');
    expect(after).not.toContain('rollout_info_replicas_desired{namespace="shop"');
    // As Argo's MetricsServer.Remove: nothing of the deleted Rollout stays, or every deleted name would grow the registry.
    expect(after).not.toMatch(/rollout_(reconcile_count|reconcile_bucket|reconcile_error|events_total)\{namespace="shop"/u);
  });
});
