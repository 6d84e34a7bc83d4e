import { humanDuration } from '../../rollout-view/human-duration.js';
import { icons } from '../../rollout-view/icons.js';
import { analysisCounts, type AnalysisRunInfo } from '../../rollout-view/analysis-run-info.js';
import type { ReplicaSetInfo, RolloutInfo } from '../../rollout-view/rollout-info.js';

/*
 * `get rollout`'s text, laid out as Argo's plugin prints it (cmd/get/
 * get_rollout.go) without colours: a summary, then a tree of revisions,
 * their ReplicaSets and those ReplicaSets' pods. Pure: the clock comes in,
 * so ages are testable.
 */

/** Go's tabwriter measures cells in runes (code points): the tree's glyphs are one each. */
function runeCount(text: string): number {
  return Array.from(text).length;
}

/** Go's tabwriter as Argo configures it (padding 2, spaces): every tab-ended cell padded to its column's widest plus two. */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, runeCount(cell));
    });
  }
  // Go's tabwriter pads a line's last empty cells too; trailing blanks help nobody, so they go.
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - runeCount(cell) + 2)))
      .join('')
      .trimEnd(),
  );
}

/** `%-17s%v`: Argo's label column. */
function field(label: string, value: string | number): string {
  return `${label.padEnd(17)}${String(value)}`.trimEnd();
}

function age(createdAt: number | undefined, now: number): string {
  return createdAt === undefined ? '' : humanDuration(now - createdAt);
}

interface ImageLine {
  image: string;
  tags: string[];
}

/** Images of the ReplicaSets that have pods, each with the roles it plays (info.Images). */
function images(info: RolloutInfo): ImageLine[] {
  const byImage = new Map<string, Set<string>>();
  for (const rs of info.replicaSets) {
    if (rs.replicas <= 0) continue;
    const tags = [rs.canary ? 'canary' : '', rs.stable ? 'stable' : '', rs.active ? 'active' : '', rs.preview ? 'preview' : ''].filter(
      (tag) => tag !== '',
    );
    for (const image of rs.images) byImage.set(image, new Set([...(byImage.get(image) ?? []), ...tags]));
  }
  return [...byImage.entries()]
    .map(([image, tags]) => ({ image, tags: [...tags].sort() }))
    .sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

function prefixes(isLast: boolean, parent: string): [string, string] {
  return isLast ? [`${parent}└──`, `${parent}   `] : [`${parent}├──`, `${parent}│  `];
}

function scaleDownDelay(rs: ReplicaSetInfo, now: number): string {
  const deadline = rs.scaleDownDeadline === undefined ? Number.NaN : Date.parse(rs.scaleDownDeadline);
  if (Number.isNaN(deadline)) return '';
  return deadline < now ? 'passed' : humanDuration(deadline - now);
}

function replicaSetRows(rs: ReplicaSetInfo, prefix: string, childPrefix: string, now: number): string[][] {
  const info = [rs.stable ? 'stable' : '', rs.canary ? 'canary' : rs.active ? 'active' : rs.preview ? 'preview' : ''].filter(
    (tag) => tag !== '',
  );
  if (rs.scaleDownDeadline !== undefined && rs.scaleDownDeadline !== '') info.push(`delay:${scaleDownDelay(rs, now)}`);
  const rows = [
    [`${prefix}${icons.replicaSet} ${rs.name}`, 'ReplicaSet', `${rs.icon} ${rs.status}`, age(rs.createdAt, now), info.join(',')],
  ];
  rs.pods.forEach((pod, i) => {
    const [podPrefix] = prefixes(i === rs.pods.length - 1, childPrefix);
    const podInfo = [`ready:${pod.ready}`, ...(pod.restarts > 0 ? [`restarts:${pod.restarts}`] : [])];
    rows.push([`${podPrefix}${icons.pod} ${pod.name}`, 'Pod', `${pod.icon} ${pod.status}`, age(pod.createdAt, now), podInfo.join(',')]);
  });
  return rows;
}

/** A run (Argo's row: phase and measurement counts) and, below it, each metric with its last value. */
function analysisRunRows(run: AnalysisRunInfo, prefix: string, childPrefix: string, now: number): string[][] {
  const rows = [
    [`${prefix}${icons.analysisRun} ${run.name}`, 'AnalysisRun', `${run.icon} ${run.status}`, age(run.createdAt, now), analysisCounts(run)],
  ];
  run.metrics.forEach((metric, i) => {
    const [metricPrefix] = prefixes(i === run.metrics.length - 1, childPrefix);
    rows.push([
      `${metricPrefix}${icons.metric} ${metric.name}`,
      'Metric',
      `${metric.icon} ${metric.status}`,
      '',
      metric.last === '' ? '' : `last:${metric.last}`,
    ]);
  });
  return rows;
}

function treeRows(info: RolloutInfo, now: number): string[][] {
  const rows = [
    ['NAME', 'KIND', 'STATUS', 'AGE', 'INFO'],
    [`${icons.rollout} ${info.name}`, 'Rollout', `${info.icon} ${info.status}`, age(info.createdAt, now), ''],
  ];
  const revisions = [...new Set([...info.replicaSets.map((rs) => rs.revision), ...info.analysisRuns.map((run) => run.revision)])].sort(
    (a, b) => b - a,
  );
  revisions.forEach((revision, i) => {
    const [prefix, childPrefix] = prefixes(i === revisions.length - 1, '');
    rows.push([`${prefix}${icons.revision} revision:${revision}`, '', ' ', '', '']);
    const replicaSets = info.replicaSets.filter((rs) => rs.revision === revision);
    const runs = info.analysisRuns.filter((run) => run.revision === revision);
    replicaSets.forEach((rs, j) => {
      const [rsPrefix, rsChildPrefix] = prefixes(j === replicaSets.length - 1 && runs.length === 0, childPrefix);
      rows.push(...replicaSetRows(rs, rsPrefix, rsChildPrefix, now));
    });
    runs.forEach((run, j) => {
      const [runPrefix, runChildPrefix] = prefixes(j === runs.length - 1, childPrefix);
      rows.push(...analysisRunRows(run, runPrefix, runChildPrefix, now));
    });
  });
  return rows;
}

export function renderRolloutTree(info: RolloutInfo, now: number): string {
  const lines = [field('Name:', info.name), field('Namespace:', info.namespace), field('Status:', `${info.icon} ${info.status}`)];
  if (info.message !== '') lines.push(field('Message:', info.message));
  lines.push(field('Strategy:', info.strategy));
  if (info.strategy === 'Canary')
    lines.push(field('  Step:', info.step), field('  SetWeight:', info.setWeight), field('  ActualWeight:', info.actualWeight));
  images(info).forEach((line, i) =>
    lines.push(field(i === 0 ? 'Images:' : '', line.tags.length > 0 ? `${line.image} (${line.tags.join(', ')})` : line.image)),
  );
  lines.push(
    'Replicas:',
    field('  Desired:', info.desired),
    field('  Current:', info.current),
    field('  Updated:', info.updated),
    field('  Ready:', info.ready),
    field('  Available:', info.available),
    '',
    ...alignColumns(treeRows(info, now)),
  );
  return `${lines.join('\n')}\n`;
}
