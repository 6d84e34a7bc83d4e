import { Command } from 'commander';
import { RolloutVerbError, isNotFound, mergePatch } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';

/**
 * `gradual terminate analysisrun|experiment NAME...`: sets spec.terminate, as Argo's plugin does.
 * For an AnalysisRun the controller stops measuring, finishes in-flight measurements, and the run
 * ends with what it has; for an Experiment it scales the templates down and ends the runs.
 */
export function terminateCommand(): Command {
  return new Command('terminate')
    .description('terminate an AnalysisRun or an Experiment')
    .addCommand(
      terminateKind({
        kind: 'analysisrun',
        plural: 'analysisruns',
        aliases: ['analysisruns', 'ar'],
        description: 'stop an AnalysisRun: no further measurements; it ends Successful unless a metric already failed',
        argument: ['<analysisrun...>', 'names of AnalysisRuns'],
      }),
    )
    .addCommand(
      terminateKind({
        kind: 'experiment',
        plural: 'experiments',
        aliases: ['experiments', 'exp'],
        description: 'stop an Experiment: its ReplicaSets scale down and its AnalysisRuns are terminated',
        argument: ['<experiment...>', 'names of Experiments'],
      }),
    );
}

/** One kind's subcommand: a merge patch of spec.terminate on each named object, in the context's namespace. */
function terminateKind(verb: {
  kind: string;
  plural: string;
  aliases: string[];
  description: string;
  argument: [string, string];
}): Command {
  return withKubeOptions(new Command(verb.kind))
    .aliases(verb.aliases)
    .description(verb.description)
    .argument(...verb.argument)
    .action(
      verbAction(async (names: string[], options: KubeOptions) => {
        const kube = kubeContext(options);
        for (const name of names) {
          try {
            await kube.customObjects.patchNamespacedCustomObject(
              {
                group: 'argoproj.io',
                version: 'v1alpha1',
                plural: verb.plural,
                namespace: kube.namespace,
                name,
                body: { spec: { terminate: true } },
              },
              mergePatch,
            );
          } catch (cause) {
            if (isNotFound(cause))
              throw new RolloutVerbError('NOT_FOUND', `${verb.kind} "${name}" not found in namespace "${kube.namespace}"`, { cause });
            throw cause;
          }
          process.stdout.write(`${verb.kind} '${name}' terminated\n`);
        }
      }),
    );
}
