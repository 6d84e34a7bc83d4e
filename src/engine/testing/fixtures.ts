import type { V1Service } from '@kubernetes/client-node';
import type { BlueGreenStrategy, CanaryStep, Rollout } from '../../api/index.js';

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

/** A blue-green Rollout with an active and a preview Service; tests change what they need. */
export function blueGreenRollout(blueGreen: Partial<BlueGreenStrategy> = {}, replicas = 3): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'demo', namespace: 'default', uid: 'uid-1', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'demo' } },
      template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'app', image: 'demo:1' }] } },
      strategy: { blueGreen: { activeService: 'demo-active', previewService: 'demo-preview', ...blueGreen } },
    },
  };
}

/** A Service selecting the demo pods, as the user applied it (the controller adds the hash selector). */
export function demoService(name: string): V1Service {
  return { metadata: { name, namespace: 'default', resourceVersion: '1' }, spec: { selector: { app: 'demo' } } };
}
