import { canaryRolloutYaml } from './rollout-yaml.js';

// The seed story's manifests (gitops-seed.test.ts, install-e2e.test.ts): one Rollout and its analysis.

/** The seed story's Rollout: 20 %, a pause for a person, the analysis, 60 %, a short pause, 100 %. */
export function seedRolloutYaml(image: string): string {
  return canaryRolloutYaml({
    image,
    replicas: 5,
    steps: [
      'setWeight: 20',
      'pause: {}',
      'analysis:\n            templates:\n              - templateName: success-rate',
      'setWeight: 60',
      'pause: { duration: 1s }',
      'setWeight: 100',
    ],
  });
}

/** The seed story's AnalysisTemplate: the success rate from the real Prometheus, twice a second apart, at least 0.90. */
export function seedAnalysisYaml(prometheusUrl: string, query: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: success-rate
spec:
  metrics:
    - name: success-rate
      interval: 1s
      count: 2
      successCondition: result[0] >= 0.90
      failureLimit: 0
      provider:
        prometheus:
          address: ${prometheusUrl}
          query: ${JSON.stringify(query)}
`;
}
