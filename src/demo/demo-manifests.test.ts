import { describe, expect, it } from 'vitest';
import { lintManifests } from '../api/index.js';
import { parseManifests } from '../gitops/manifests/parse-manifests.js';
import { demoRepositoryFiles, demoRolloutFile, demoRolloutYaml } from './demo-manifests.js';

const files = demoRepositoryFiles({ color: 'blue', namespace: 'demo', prometheusUrl: 'http://127.0.0.1:9090' });
const manifests = Object.entries(files)
  .filter(([path]) => path.endsWith('.yaml') && !path.startsWith('.'))
  .map(([path, text]) => ({ path, text }));

describe('the demo repository', () => {
  it('parses as the bot parses a pull request: a Rollout, its AnalysisTemplate, two Services and the VirtualService, no errors', () => {
    const parsed = parseManifests(manifests, { namespace: 'demo' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map((object) => `${object.ref.kind}/${object.ref.name}`).sort()).toEqual([
      'AnalysisTemplate/success-rate',
      'Rollout/rollouts-demo',
      'Service/rollouts-demo-canary',
      'Service/rollouts-demo-stable',
      'VirtualService/rollouts-demo',
    ]);
  });

  it("lints clean, with the Argo demo's seven steps and the analysis from the first pause", () => {
    expect(lintManifests(manifests).problems).toEqual([]);
    const rollout = parseManifests([{ path: demoRolloutFile, text: demoRolloutYaml('yellow', 'demo') }], { namespace: 'demo' }).objects[0]
      ?.object as {
      spec: {
        template: { spec: { containers: { image: string }[] } };
        strategy: { canary: { steps: unknown[]; analysis: { startingStep: number } } };
      };
    };
    expect(rollout.spec.template.spec.containers[0]?.image).toBe('argoproj/rollouts-demo:yellow');
    expect(rollout.spec.strategy.canary.steps).toEqual([
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 40 },
      { pause: { duration: '10s' } },
      { setWeight: 60 },
      { pause: { duration: '10s' } },
      { setWeight: 100 },
    ]);
    expect(rollout.spec.strategy.canary.analysis.startingStep).toBe(1);
  });

  it("asks Prometheus for the canary Service's success rate in Istio's labels, at the environment's address", () => {
    const template = files['rollouts-demo/analysis-template.yaml'] ?? '';
    expect(template).toContain('address: http://127.0.0.1:9090');
    expect(template).toContain(
      'istio_requests_total{reporter="destination",destination_service=~"{{args.service-name}}",response_code!~"5.*"}',
    );
    expect(template).toMatch(/interval: 10s\n\s+failureLimit: 2/u);
    expect(files['.gradual.yml']).toContain('namespace: demo');
  });
});
