import { describe, expect, inject, it } from 'vitest';
import { withDifferentialControllers } from './support/controllers.js';
import { runScenario } from './support/run-scenario.js';
import { loadScenarios } from './support/scenario.js';

// The runner must be able to fail: a deliberately broken Gradual (its status
// message rewritten as read, before comparison; the engine is untouched) must
// come out as a failure that names the field and both values.
const controllers = withDifferentialControllers(inject('gradualEnv'));

describe('the differential runner', () => {
  it('reports a Gradual whose status message differs, with the field and both values', async () => {
    const scenario = (await loadScenarios()).find((candidate) => candidate.name === 'abort-retry');
    if (scenario === undefined) throw new Error('scenarios/abort-retry.yaml is missing');
    const result = await runScenario(scenario, controllers(), {
      tamperWithGradual: (raw) => {
        const status = raw.rollout.status ?? {};
        const message = status['message'];
        return typeof message === 'string' && message.startsWith('RolloutAborted')
          ? { ...raw, rollout: { ...raw.rollout, status: { ...status, message: 'broken on purpose' } } }
          : raw;
      },
    });

    const broken = result.verdict.unexpected.find((difference) => difference.field === 'aborted › rollout.message');
    expect(broken, result.report).toBeDefined();
    expect(broken?.gradual).toBe('"broken on purpose"');
    expect(broken?.argo).toMatch(/^"RolloutAborted: /);
    expect(result.report).toContain('✗ aborted › rollout.message');
    expect(result.report).toContain('gradual: "broken on purpose"');
  }, 600_000);
});
