import { Command } from 'commander';
import { kubeContext, sendPatch, verbAction, withKubeOptions, type KubeOptions } from './kube-context.js';
import { resumePatch } from './patches.js';

/** `gradual resume ROLLOUT...`: undoes `pause` (spec.paused: false); a pause step still waits for `promote`. */
export function resumeCommand(): Command {
  return withKubeOptions(new Command('resume'))
    .description('resume a manually paused rollout (spec.paused: false); a pause step still needs promote')
    .argument('<rollout...>', 'names of Rollouts')
    .action(
      verbAction(async (names: string[], options: KubeOptions) => {
        const kube = kubeContext(options);
        for (const name of names) {
          await sendPatch(kube, name, resumePatch());
          process.stdout.write(`rollout '${name}' resumed\n`);
        }
      }),
    );
}
