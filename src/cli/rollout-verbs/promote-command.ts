import { Command } from 'commander';
import { runVerb } from './action-verb.js';
import { verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';

interface PromoteCommandOptions extends KubeOptions {
  full?: boolean;
  skipCurrentStep?: boolean;
  skipAllSteps?: boolean;
}

/** `gradual promote ROLLOUT [--full]`: Argo's promote, same patches in the same order. */
export function promoteCommand(): Command {
  return withKubeOptions(new Command('promote'))
    .description(
      'promote a rollout paused at a canary step or a blue-green pre-promotion; --full skips the remaining steps, pauses and analysis',
    )
    .argument('<rollout>', 'name of the Rollout')
    .option('--full', 'fully promote: skip the remaining steps, pauses and analysis')
    .option('-c, --skip-current-step', "(Argo's deprecated flag) skip the current canary step")
    .option('-a, --skip-all-steps', "(Argo's deprecated flag) skip the remaining steps; use --full")
    .action(
      verbAction(async (name: string, options: PromoteCommandOptions) => {
        const action = {
          kind: 'promote',
          full: options.full === true,
          skipCurrentStep: options.skipCurrentStep === true,
          skipAllSteps: options.skipAllSteps === true,
        } as const;
        await runVerb(options, [name], action);
      }),
    );
}
