import { describe, expect, inject, it } from 'vitest';
import { withDifferentialControllers } from './support/controllers.js';
import { runScenario } from './support/run-scenario.js';
import { loadScenarios } from './support/scenario.js';

// Every scenario in scenarios/*.yaml, run on Gradual and on the real Argo Rollouts
// side by side on the shared control plane; any difference a scenario does not
// name (with its reason) fails it, with a per-field diff.
// GRADUAL_DIFF_SCENARIOS=a,b runs only those (while working on one); unset, all of them.
const only = (process.env['GRADUAL_DIFF_SCENARIOS'] ?? '').split(',').filter((name) => name !== '');
const scenarios = (await loadScenarios()).filter((scenario) => only.length === 0 || only.includes(scenario.name));
const controllers = withDifferentialControllers(inject('gradualEnv'));

describe('Gradual behaves like Argo Rollouts', () => {
  it.each(scenarios)(
    'scenario $name',
    async (scenario) => {
      const result = await runScenario(scenario, controllers());
      // The report is the point of a differential run: printed for green runs too (known differences included).
      process.stdout.write(`${result.report}\n`);
      expect(result.verdict.unexpected, `${result.report}\n(Argo's log: ${controllers().argoLogFile})`).toEqual([]);
    },
    600_000,
  );
});
