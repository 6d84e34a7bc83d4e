import { describe, expect, it } from 'vitest';
import { renderExperiment } from './get-experiment-command.js';

describe('renderExperiment', () => {
  it("prints the phase, the templates' ReplicaSets and the AnalysisRuns", () => {
    expect(
      renderExperiment({
        metadata: { name: 'ex', namespace: 'ns' },
        spec: { duration: '30s', templates: [{ name: 'canary', template: { spec: { containers: [{ image: 'nginx:2' }] } } }] },
        status: {
          phase: 'Failed',
          message: 'Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
          templateStatuses: [{ name: 'canary', status: 'Successful', replicas: 1, availableReplicas: 1, serviceName: 'ex-canary' }],
          analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Failed' }],
        },
      }),
    ).toBe(
      [
        'Name:            ex',
        'Namespace:       ns',
        'Status:          ✖ Failed',
        'Message:         Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
        'Duration:        30s',
        'Images:          nginx:2',
        '',
        'NAME         KIND         STATUS        INFO',
        '⧉ ex-canary  ReplicaSet   ✔ Successful  replicas: 1/1, service: ex-canary',
        'α ex-pass    AnalysisRun  ✖ Failed',
        '',
      ].join('\n'),
    );
  });
});
