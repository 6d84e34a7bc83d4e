import { Command } from 'commander';
import { RolloutVerbError, isNotFound, mergePatch } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { terminateExperimentCommand } from './get-experiment-command.js';

/**
 * `gradual terminate analysisrun RUN...`: sets spec.terminate, as Argo's plugin does; the
 * controller stops measuring, finishes in-flight measurements, and the run ends with what it has.
 */
export function terminateCommand(): Command {
  const analysisRun = withKubeOptions(new Command('analysisrun'))
    .aliases(['analysisruns', 'ar'])
    .description('stop an AnalysisRun: no further measurements; it ends Successful unless a metric already failed')
    .argument('<analysisrun...>', 'names of AnalysisRuns')
    .action(
      verbAction(async (names: string[], options: KubeOptions) => {
        const kube = kubeContext(options);
        for (const name of names) {
          try {
            await kube.customObjects.patchNamespacedCustomObject(
              {
                group: 'argoproj.io',
                version: 'v1alpha1',
                plural: 'analysisruns',
                namespace: kube.namespace,
                name,
                body: { spec: { terminate: true } },
              },
              mergePatch,
            );
          } catch (cause) {
            if (isNotFound(cause))
              throw new RolloutVerbError('NOT_FOUND', `analysisrun "${name}" not found in namespace "${kube.namespace}"`, { cause });
            throw cause;
          }
          process.stdout.write(`analysisrun '${name}' terminated\n`);
        }
      }),
    );
  return new Command('terminate')
    .description('terminate an AnalysisRun or an Experiment')
    .addCommand(analysisRun)
    .addCommand(terminateExperimentCommand());
}
