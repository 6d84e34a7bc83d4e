import { Command } from 'commander';
import { kubeContext, sendPatch, verbAction, withKubeOptions, type KubeOptions } from './kube-context.js';
import { pausePatch } from './patches.js';

/** `gradual pause ROLLOUT...`: sets spec.paused; the rollout holds where it is until resumed or promoted. */
export function pauseCommand(): Command {
  return withKubeOptions(new Command('pause'))
    .description('pause a rollout (spec.paused: true)')
    .argument('<rollout...>', 'names of Rollouts')
    .action(
      verbAction(async (names: string[], options: KubeOptions) => {
        const kube = kubeContext(options);
        for (const name of names) {
          await sendPatch(kube, name, pausePatch());
          process.stdout.write(`rollout '${name}' paused\n`);
        }
      }),
    );
}
