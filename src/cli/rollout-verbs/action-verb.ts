import { Command } from 'commander';
import { readRollout } from '../../rollout-actions/kube-client.js';
import { kubeWriter, runRolloutAction, type RolloutAction } from '../../rollout-actions/run-action.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';

/** Runs one action on each Rollout named, in order, printing a line for each (a failure stops the rest, as in Argo's plugin). */
export async function runVerb(options: KubeOptions, names: readonly string[], action: RolloutAction, print = true): Promise<void> {
  const kube = kubeContext(options);
  for (const name of names) {
    const line = await runRolloutAction(kubeWriter(kube, name), name, action, () => readRollout(kube, name));
    if (print) process.stdout.write(`${line}\n`);
  }
}

/** A verb that takes the names of Rollouts and runs one action on each. */
export function actionVerb(verb: string, description: string, action: RolloutAction): Command {
  return withKubeOptions(new Command(verb))
    .description(description)
    .argument('<rollout...>', 'names of Rollouts')
    .action(verbAction((names: string[], options: KubeOptions) => runVerb(options, names, action)));
}
