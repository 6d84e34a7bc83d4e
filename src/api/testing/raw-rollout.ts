import { formatPath } from '../format-path.js';
import { validateRollout } from '../validate-rollout.js';

/** A minimal valid canary Rollout as raw input (what a manifest parses to); `spec` and `extra` replace its fields. */
export function rawRollout(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      ...spec,
    },
    ...extra,
  };
}

/** validateRollout's issues as `path: message`, none when the object is valid. */
export function issuesOf(object: unknown): string[] {
  const result = validateRollout(object);
  return result.ok ? [] : result.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}
