import { Command } from 'commander';
import { RolloutVerbError, isNotFound } from '../../rollout-actions/kube-client.js';
import { kubeContext, verbAction, withKubeOptions, type KubeOptions } from './kube-options.js';

/*
 * `gradual get experiment NAME` and `gradual terminate experiment NAME`, as Argo's plugin has them:
 * the Experiment's phase and message, then its templates (their ReplicaSets and Services) and
 * its AnalysisRuns, from the status the Experiment controller writes.
 */

interface ExperimentLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { duration?: string; templates?: { name: string; template?: { spec?: { containers?: { image?: string }[] } } }[] };
  status?: {
    phase?: string;
    message?: string;
    availableAt?: string;
    templateStatuses?: {
      name: string;
      status?: string;
      replicas?: number;
      availableReplicas?: number;
      serviceName?: string;
      message?: string;
    }[];
    analysisRuns?: { name: string; analysisRun?: string; phase?: string; message?: string }[];
  };
}

const icons: Record<string, string> = {
  Successful: '✔',
  Running: '◌',
  Progressing: '◌',
  Pending: '◌',
  Failed: '✖',
  Error: '⚠',
  Inconclusive: '⚠',
};
const withIcon = (phase: string | undefined): string => (phase === undefined ? '' : `${icons[phase] ?? ''} ${phase}`.trim());

/** The text `get experiment` prints; pure. */
export function renderExperiment(experiment: ExperimentLike): string {
  const status = experiment.status ?? {};
  const images = [
    ...new Set(
      (experiment.spec?.templates ?? []).flatMap((template) =>
        (template.template?.spec?.containers ?? []).map((container) => container.image ?? ''),
      ),
    ),
  ];
  const lines = [
    `Name:            ${experiment.metadata?.name ?? ''}`,
    `Namespace:       ${experiment.metadata?.namespace ?? ''}`,
    `Status:          ${withIcon(status.phase)}`,
    ...(status.message === undefined ? [] : [`Message:         ${status.message}`]),
    ...(experiment.spec?.duration === undefined ? [] : [`Duration:        ${experiment.spec.duration}`]),
    ...(status.availableAt === undefined ? [] : [`Available at:    ${status.availableAt}`]),
    `Images:          ${images.join(', ')}`,
    '',
  ];
  const rows: string[][] = [['NAME', 'KIND', 'STATUS', 'INFO']];
  for (const template of status.templateStatuses ?? []) {
    const name = `${experiment.metadata?.name ?? ''}-${template.name}`;
    const info = [`replicas: ${String(template.availableReplicas ?? 0)}/${String(template.replicas ?? 0)}`];
    if (template.serviceName !== undefined && template.serviceName !== '') info.push(`service: ${template.serviceName}`);
    if (template.message !== undefined && template.message !== '') info.push(template.message);
    rows.push([`⧉ ${name}`, 'ReplicaSet', withIcon(template.status), info.join(', ')]);
  }
  for (const run of status.analysisRuns ?? []) {
    rows.push([`α ${run.analysisRun ?? run.name}`, 'AnalysisRun', withIcon(run.phase), run.message ?? '']);
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows)
    lines.push(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  return `${lines.join('\n')}\n`;
}

const experimentResource = { group: 'argoproj.io', version: 'v1alpha1', plural: 'experiments' } as const;

export function getExperimentCommand(): Command {
  return withKubeOptions(new Command('experiment'))
    .aliases(['experiments', 'exp'])
    .description("show an Experiment: its phase, its templates' ReplicaSets and its AnalysisRuns")
    .argument('<experiment>', 'name of the Experiment')
    .action(
      verbAction(async (name: string, options: KubeOptions) => {
        const kube = kubeContext(options);
        let experiment: ExperimentLike;
        try {
          experiment = (await kube.customObjects.getNamespacedCustomObject({
            ...experimentResource,
            namespace: kube.namespace,
            name,
          })) as ExperimentLike;
        } catch (cause) {
          if (isNotFound(cause))
            throw new RolloutVerbError('NOT_FOUND', `experiment "${name}" not found in namespace "${kube.namespace}"`, { cause });
          throw cause;
        }
        process.stdout.write(renderExperiment(experiment));
      }),
    );
}
