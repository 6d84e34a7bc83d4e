import { Command } from 'commander';
import { kubeContext, sendPatch, verbAction, withKubeOptions, type KubeOptions } from './kube-context.js';
import { retryRolloutPatch } from './patches.js';

/** `gradual retry rollout ROLLOUT...` (Argo's verb and aliases): clears status.abort so the controller tries the new revision again. */
export function retryCommand(): Command {
  const retry = new Command('retry').description('retry an aborted rollout');
  retry.addCommand(
    withKubeOptions(new Command('rollout'))
      .aliases(['ro', 'rollouts'])
      .description('retry an aborted rollout')
      .argument('<rollout...>', 'names of Rollouts')
      .action(
        verbAction(async (names: string[], options: KubeOptions) => {
          const kube = kubeContext(options);
          for (const name of names) {
            await sendPatch(kube, name, retryRolloutPatch());
            process.stdout.write(`rollout '${name}' retried\n`);
          }
        }),
      ),
  );
  return retry;
}
