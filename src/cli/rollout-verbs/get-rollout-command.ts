import { makeInformer, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import { readRollout, rolloutResource, selectorString, type KubeContext } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';
import { renderRolloutTree } from './render-rollout-tree.js';
import { getExperimentCommand } from './get-experiment-command.js';
import { rolloutInfo } from '../../rollout-view/rollout-info.js';
import type { AnalysisRunLike } from '../../rollout-view/analysis-run-info.js';
import type { PodLike, ReplicaSetLike, RolloutObject } from '../../rollout-view/types.js';

interface GetRolloutOptions extends KubeOptions {
  watch?: boolean;
  timeoutSeconds?: number;
}

// Clear the screen and go home, as Argo's plugin does before each re-render.
const clearScreen = '\u001b[H\u001b[2J\u001b[0;0H';
// Events arrive in bursts (a scale touches the ReplicaSet and each pod); one render per burst keeps the terminal still.
const renderDelayMs = 200;
// After a failed watch, wait this long before starting it again so a persistent error is not a hot loop.
const retryDelayMs = 1000;

function secondsOption(value: string): number {
  if (!/^\d+$/u.test(value)) throw new InvalidArgumentError('whole seconds');
  return Number(value);
}

async function readTree(
  kube: KubeContext,
  name: string,
): Promise<{ rollout: RolloutObject; replicaSets: ReplicaSetLike[]; pods: PodLike[]; analysisRuns: AnalysisRunLike[] }> {
  const rollout = await readRollout(kube, name);
  const labelSelector = selectorString(rollout.spec?.selector);
  const replicaSets = (await kube.customObjects.listNamespacedCustomObject({
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    namespace: kube.namespace,
    labelSelector,
  })) as {
    items?: ReplicaSetLike[];
  };
  const pods = await kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector });
  // Runs carry the Rollout's selector labels too (as Argo writes them); ownership is checked when rendering.
  const analysisRuns = (await kube.customObjects.listNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'analysisruns',
    namespace: kube.namespace,
    labelSelector,
  })) as {
    items?: AnalysisRunLike[];
  };
  return { rollout, replicaSets: replicaSets.items ?? [], pods: pods.items, analysisRuns: analysisRuns.items ?? [] };
}

function listOf(promise: Promise<unknown>): Promise<KubernetesListObject<KubernetesObject>> {
  return promise as Promise<KubernetesListObject<KubernetesObject>>;
}

/**
 * Re-renders on every change of the Rollout, its ReplicaSets, their pods or its AnalysisRuns,
 * seen by four informers (list, then watch), until the timeout or Ctrl-C.
 */
async function watchTree(kube: KubeContext, name: string, first: RolloutObject, timeoutSeconds: number): Promise<void> {
  const namespace = kube.namespace;
  const labelSelector = selectorString(first.spec?.selector);
  const informers = {
    rollouts: makeInformer(kube.config, `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`, () =>
      listOf(kube.customObjects.listNamespacedCustomObject({ ...rolloutResource, namespace })),
    ),
    replicaSets: makeInformer(
      kube.config,
      `/apis/apps/v1/namespaces/${namespace}/replicasets`,
      () =>
        listOf(
          kube.customObjects.listNamespacedCustomObject({ group: 'apps', version: 'v1', plural: 'replicasets', namespace, labelSelector }),
        ),
      labelSelector,
    ),
    pods: makeInformer(
      kube.config,
      `/api/v1/namespaces/${namespace}/pods`,
      () => listOf(kube.core.listNamespacedPod({ namespace, labelSelector })),
      labelSelector,
    ),
    analysisRuns: makeInformer(
      kube.config,
      `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`,
      () =>
        listOf(
          kube.customObjects.listNamespacedCustomObject({
            group: 'argoproj.io',
            version: 'v1alpha1',
            plural: 'analysisruns',
            namespace,
            labelSelector,
          }),
        ),
      labelSelector,
    ),
  };
  const all = Object.values(informers);
  let pending: NodeJS.Timeout | undefined;
  // Stopping aborts the watches, which informers report as errors: those must not restart them.
  let stopping = false;
  const render = (): void => {
    pending = undefined;
    const rollout = informers.rollouts.get(name, namespace) as RolloutObject | undefined;
    if (rollout === undefined) return;
    const tree = rolloutInfo(
      rollout,
      informers.replicaSets.list(namespace),
      informers.pods.list(namespace),
      informers.analysisRuns.list(namespace),
    );
    process.stdout.write(`${clearScreen}${renderRolloutTree(tree, Date.now())}`);
  };
  const schedule = (): void => {
    pending ??= setTimeout(render, renderDelayMs);
  };
  for (const informer of all) {
    informer.on('change', schedule);
    informer.on('add', schedule);
    informer.on('delete', schedule);
    informer.on('error', () => {
      if (!stopping) setTimeout(() => void informer.start(), retryDelayMs);
    });
  }
  await Promise.all(all.map((informer) => informer.start()));
  render();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    if (timeoutSeconds > 0) setTimeout(stop, timeoutSeconds * 1000).unref();
  });
  stopping = true;
  clearTimeout(pending);
  await Promise.all(all.map((informer) => informer.stop()));
}

/** `gradual get rollout ROLLOUT [--watch]`: the Rollout's summary and its tree of revisions, ReplicaSets and pods. */
export function getCommand(): Command {
  const get = new Command('get').description('show details of a rollout');
  get.addCommand(
    withKubeOptions(new Command('rollout'))
      .aliases(['ro', 'rollouts'])
      .description('show a rollout and the tree of its revisions, ReplicaSets and pods')
      .argument('<rollout>', 'name of the Rollout')
      .option('-w, --watch', 'keep the view up to date (re-rendered on every change)')
      .option('--timeout-seconds <n>', 'stop watching after this many seconds (0: until Ctrl-C)', secondsOption, 0)
      .option('--no-color', 'accepted for compatibility; the output is never coloured')
      .action(
        verbAction(async (name: string, options: GetRolloutOptions) => {
          const kube = kubeContext(options);
          const { rollout, replicaSets, pods, analysisRuns } = await readTree(kube, name);
          if (options.watch !== true) {
            process.stdout.write(renderRolloutTree(rolloutInfo(rollout, replicaSets, pods, analysisRuns), Date.now()));
            return;
          }
          await watchTree(kube, name, rollout, options.timeoutSeconds ?? 0);
        }),
      ),
  );
  get.addCommand(getExperimentCommand());
  return get;
}
