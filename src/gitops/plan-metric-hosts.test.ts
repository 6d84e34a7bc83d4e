import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { testEnvironment } from '../policies/testing/test-environment.js';
import type { GradualConfig } from './config.js';
import { planEnvironment } from './deploy-pull-request.js';
import { memoryTree as tree } from './manifests/testing/memory-tree.js';
import type { BotServices } from './services.js';

const analysis = [
  'apiVersion: argoproj.io/v1alpha1', //    1
  'kind: AnalysisTemplate', //               2
  'metadata: { name: probe }', //            3
  'spec:', //                                4
  '  metrics:', //                           5
  '    - name: metadata', //                 6
  '      provider:', //                      7
  '        web:', //                         8
  '          url: http://{{args.host}}/', // 9
  '',
].join('\n');

describe("planEnvironment checks the environment's metricHosts", () => {
  it("a pull request's templated metric host is a plan error at its line when the environment has an allowlist", async () => {
    const services = {
      config: { repositories: [], clusters: {} } as unknown as GradualConfig,
      clusters: new Map(),
      logger: createLogger({ level: 'silent' }),
    } as unknown as BotServices;
    const environment = testEnvironment({
      name: 'prod',
      paths: ['**/*.yaml'],
      kinds: ['AnalysisTemplate.argoproj.io'],
      metricHosts: ['prometheus.monitoring'],
    });
    const planned = await planEnvironment(services, 'octo/app', environment, tree({ 'apps/analysis.yaml': analysis }));
    expect(planned.plan.errors.filter((error) => error.file === 'apps/analysis.yaml')).toEqual([
      {
        file: 'apps/analysis.yaml',
        line: 9,
        column: 16,
        path: 'spec.metrics[0].provider.web.url',
        message:
          'metric "metadata": the host of url is a template ({{args.host}}), which cannot be checked before the metric runs; environment "prod" allows only metric hosts "prometheus.monitoring", so write the host out',
      },
    ]);
    const open = await planEnvironment(
      services,
      'octo/app',
      testEnvironment({ name: 'prod', paths: ['**/*.yaml'], kinds: ['AnalysisTemplate.argoproj.io'] }),
      tree({ 'apps/analysis.yaml': analysis }),
    );
    expect(open.plan.errors.filter((error) => error.file === 'apps/analysis.yaml')).toEqual([]);
  });
});
