import { Command } from 'commander';
import { rolloutResource } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { renderRolloutList } from './render-rollout-list.js';
import type { RolloutObject } from '../../rollout-view/types.js';

interface ListOptions extends KubeOptions {
  allNamespaces?: boolean;
  name?: string;
}

/** `gradual list rollouts [-n NS | -A] [--name N]`: one line per Rollout, Argo's columns. */
export function listCommand(): Command {
  const list = new Command('list').description('list rollouts');
  list.addCommand(
    withKubeOptions(new Command('rollouts'))
      .aliases(['ro', 'rollout'])
      .description('list the rollouts of a namespace, or of all namespaces with -A')
      .option('-A, --all-namespaces', 'include all namespaces')
      .option('--name <name>', 'only the rollout with this name')
      .action(
        verbAction(async (options: ListOptions) => {
          const kube = kubeContext(options);
          const fieldSelector = options.name === undefined ? undefined : `metadata.name=${options.name}`;
          const query = fieldSelector === undefined ? {} : { fieldSelector };
          const response = (
            options.allNamespaces === true
              ? await kube.customObjects.listClusterCustomObject({ ...rolloutResource, ...query })
              : await kube.customObjects.listNamespacedCustomObject({ ...rolloutResource, namespace: kube.namespace, ...query })
          ) as { items?: RolloutObject[] };
          const table = renderRolloutList(response.items ?? [], options.allNamespaces === true);
          if (table === undefined) process.stderr.write('No resources found.\n');
          else process.stdout.write(table);
        }),
      ),
  );
  return list;
}
