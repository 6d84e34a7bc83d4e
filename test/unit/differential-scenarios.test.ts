import { describe, expect, it } from 'vitest';
import { loadScenarios, parseScenario } from '../differential/support/scenario.js';

// The scenario files are data: a typo in one must fail here, without a cluster, naming the file.
describe('differential scenario files', () => {
  it('all parse, each has a checkpoint, and every known difference carries its kind and reason', async () => {
    const scenarios = await loadScenarios();

    expect(scenarios.map((scenario) => scenario.name)).toEqual(
      expect.arrayContaining(['abort-retry', 'blue-green', 'canary', 'fast-rollback', 'progress-deadline']),
    );
    for (const scenario of scenarios) {
      expect(
        scenario.steps.some((step) => 'checkpoint' in step),
        scenario.name,
      ).toBe(true);
      // The common differences (known-differences.yaml) are added to every scenario.
      expect(
        scenario.knownDifferences.some((entry) => entry.field === '* › podTemplateHashes.*'),
        scenario.name,
      ).toBe(true);
    }
  });

  it('refuses an unknown action with the scenario name and the place', () => {
    const text = [
      'description: x',
      'objects: [{ apiVersion: v1, kind: Service, metadata: { name: s } }]',
      'steps:',
      '  - { action: teleport, rollout: web }',
    ].join('\n');

    expect(() => parseScenario('broken', text)).toThrow(/scenario broken: [\s\S]*steps\[0\]/);
  });
});
