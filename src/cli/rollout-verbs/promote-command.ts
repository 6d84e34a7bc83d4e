import { Command } from 'commander';
import { isNotFound, kubeContext, patchRollout, patchRolloutStatus, readRollout, RolloutVerbError, verbAction, withKubeOptions, type KubeOptions } from './kube-context.js';
import { promotePlan, promoteRefusal } from './patches.js';

interface PromoteCommandOptions extends KubeOptions {
  full?: boolean;
  skipCurrentStep?: boolean;
  skipAllSteps?: boolean;
}

/** `gradual promote ROLLOUT [--full]`: Argo's promote, same patches in the same order. */
export function promoteCommand(): Command {
  return withKubeOptions(new Command('promote'))
    .description('promote a rollout paused at a canary step or a blue-green pre-promotion; --full skips the remaining steps, pauses and analysis')
    .argument('<rollout>', 'name of the Rollout')
    .option('--full', 'fully promote: skip the remaining steps, pauses and analysis')
    .option('-c, --skip-current-step', "(Argo's deprecated flag) skip the current canary step")
    .option('-a, --skip-all-steps', "(Argo's deprecated flag) skip the remaining steps; use --full")
    .action(
      verbAction(async (name: string, options: PromoteCommandOptions) => {
        const kube = kubeContext(options);
        const rollout = await readRollout(kube, name);
        const flags = { full: options.full === true, skipCurrentStep: options.skipCurrentStep === true, skipAllSteps: options.skipAllSteps === true };
        const refusal = promoteRefusal(rollout, flags);
        if (refusal !== undefined) throw new RolloutVerbError('refused', refusal);
        const plan = promotePlan(rollout, flags);
        let specPatch = plan.spec;
        if (plan.status !== undefined) {
          try {
            await patchRolloutStatus(kube, name, plan.status);
          } catch (cause) {
            if (!isNotFound(cause)) throw cause;
            // No status subresource (an old CRD): Argo sends one patch with both halves to the object.
            specPatch = plan.fallback;
          }
        }
        if (specPatch !== undefined) await patchRollout(kube, name, specPatch);
        process.stdout.write(`rollout '${name}' ${flags.full ? 'fully promoted' : 'promoted'}\n`);
      }),
    );
}
