import { Command } from 'commander';
import { kubeContext, sendPatch, verbAction, withKubeOptions, type KubeOptions } from './kube-context.js';
import { abortPatch } from './patches.js';

/** `gradual abort ROLLOUT...`: sets status.abort; the controller returns traffic and replicas to the stable ReplicaSet. */
export function abortCommand(): Command {
  return withKubeOptions(new Command('abort'))
    .description('abort a rollout: the stable ReplicaSet takes over again (spec.template still names the new version)')
    .argument('<rollout...>', 'names of Rollouts')
    .action(
      verbAction(async (names: string[], options: KubeOptions) => {
        const kube = kubeContext(options);
        for (const name of names) {
          await sendPatch(kube, name, abortPatch());
          process.stdout.write(`rollout '${name}' aborted\n`);
        }
      }),
    );
}
