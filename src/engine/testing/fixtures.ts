import type { CanaryStep, Rollout } from '../../api/index.js';

/** A basic canary Rollout as a person would apply it; tests change what they need. */
export function canaryRollout(options: { replicas?: number; steps?: CanaryStep[]; image?: string } = {}): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: 'default', uid: 'uid-1', generation: 1 },
    spec: {
      replicas: options.replicas ?? 5,
      selector: { matchLabels: { app: 'demo' } },
      template: {
        metadata: { labels: { app: 'demo' } },
        spec: { containers: [{ name: 'app', image: options.image ?? 'demo:1' }] },
      },
      strategy: {
        canary: { steps: options.steps ?? [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '30s' } }] },
      },
    },
  };
}
