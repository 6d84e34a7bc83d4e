import type { AnalysisRun, Rollout } from '../../api/index.js';
import { analysisIcon } from '../../rollout-view/analysis-run-info.js';
import { icons } from '../../rollout-view/icons.js';
import { describeStep } from './describe-step.js';
import { experimentTimeLeft } from '../../rollout-view/experiment-info.js';
import { codeCell, escapeText, escapeUntrusted, formatTime, inlineCode, table } from './markdown.js';
import { conditionText, stateIcons } from './rollout-headline.js';
import type { ExperimentFacts, MetricVerdict, RolloutFacts } from './rollout-facts.js';
import type { ReplicaSetReport, TimelineEntry } from './types.js';

/* The sections of a rollout's check summary, each a pure function of the facts. */

const timelineShown = 20;
const valuesShown = 5;

/** What a person can do now, or what went wrong: the first thing the summary says. */
export function callout(facts: RolloutFacts): string | undefined {
  const name = facts.name;
  switch (facts.state) {
    case 'paused':
      return facts.manualPause
        ? `> ${icons.paused} Paused by hand. Comment ${inlineCode(`/resume ${name}`)} to go on, or ${inlineCode(`/abort ${name}`)}.`
        : `> ${icons.paused} Waiting for a person. Comment ${inlineCode(`/promote ${name}`)} (or press **Promote**) to go on, or ${inlineCode(`/abort ${name}`)}.`;
    case 'inconclusive':
      return `> ${icons.unknown} The analysis was inconclusive${facts.inconclusive === undefined ? '' : ` (${inlineCode(facts.inconclusive.metric)}: ${facts.inconclusive.values.map(inlineCode).join(', ') || 'no value'})`}. Comment ${inlineCode(`/promote ${name}`)} to go on, or ${inlineCode(`/abort ${name}`)}.`;
    case 'aborted': {
      const failure = facts.failure;
      const experiment = facts.experiment;
      if (failure === undefined && experiment !== undefined && ['Failed', 'Error'].includes(experiment.info.status))
        return experimentAbortCallout(experiment, name);
      if (failure === undefined)
        return `> ${icons.bad} Aborted: ${escapeText(facts.message || 'by a person')}. Comment ${inlineCode(`/retry ${name}`)} to start again.`;
      return [
        `> ${icons.bad} Aborted: metric ${inlineCode(failure.metric)} ${failure.phase}.`,
        ...verdictLines(failure),
        retryLine(name),
      ].join('\n');
    }
    case 'degraded':
      return `> ${icons.warning} Degraded: ${escapeText(facts.message)}`;
    case 'healthy':
    case 'progressing':
      return undefined;
  }
}

function retryLine(name: string): string {
  return `> Comment ${inlineCode(`/retry ${name}`)} to start again.`;
}

/** A failed metric's values, condition and counts, and its message: the lines under an abort's first line. */
function verdictLines(failure: MetricVerdict, escape: (text: string) => string = escapeText): string[] {
  const condition = conditionText(failure);
  const limit = failure.failureLimit === undefined ? '' : `, failure limit ${failure.failureLimit}`;
  return [
    `> Values: ${failure.values.map(inlineCode).join(', ') || 'none'}${condition === '' ? '' : ` · condition: ${inlineCode(condition)}`} · ${String(failure.failed)} of ${String(failure.count)} measurements failed${limit}.`,
    ...(failure.message === undefined ? [] : [`> ${escape(failure.message)}`]),
  ];
}

/** Argo aborts the Rollout when the step's Experiment fails or errs: say which, with its message and the analysis that failed it. */
function experimentAbortCallout(experiment: ExperimentFacts, name: string): string {
  const { info, failure } = experiment;
  const message = info.message === '' ? '' : `: ${escapeUntrusted(info.message)}`;
  const lines = [`> ${icons.bad} Aborted: Experiment ${inlineCode(info.name)} ${info.status}${message}.`];
  const analysis = info.analyses.find((candidate) => candidate.status === 'Failed' || candidate.status === 'Error');
  if (analysis !== undefined) {
    const runMessage = analysis.message === '' ? '' : `: ${escapeUntrusted(analysis.message)}`;
    lines.push(`> Analysis ${inlineCode(analysis.name)} ${analysis.status}${runMessage}.`);
  }
  if (failure !== undefined)
    lines.push(`> Metric ${inlineCode(failure.metric)} ${failure.phase}.`, ...verdictLines(failure, escapeUntrusted));
  lines.push(retryLine(name));
  return lines.join('\n');
}

export function identityLine(facts: RolloutFacts, pullRequest: { number: number; headSha: string }): string {
  const revision = facts.current === undefined ? '' : ` · revision ${String(facts.current.revision)}`;
  const hash = facts.podHash === undefined ? '' : ` (${inlineCode(facts.podHash)})`;
  const phase = `**${facts.phase}**${facts.message === '' ? '' : ` — ${escapeText(facts.message)}`}`;
  return `Rollout ${inlineCode(facts.id)}${revision}${hash} · PR #${String(pullRequest.number)} at ${inlineCode(pullRequest.headSha.slice(0, 7))} · ${phase}`;
}

function stepIcon(facts: RolloutFacts, index: number): string {
  if (facts.state === 'healthy' || index < facts.stepIndex) return icons.ok;
  if (index > facts.stepIndex) return icons.waiting;
  return stateIcons[facts.state];
}

export function stepsSection(facts: RolloutFacts, now: Date): string | undefined {
  if (facts.strategy !== 'canary' || facts.steps.length === 0) return undefined;
  const lines = facts.steps.map((step, index) => {
    const current = index === facts.stepIndex && facts.state !== 'healthy';
    const text = describeStep(step);
    const until = current && facts.pause?.until !== undefined ? `, until ${formatTime(facts.pause.until, now)}` : '';
    return `${String(index + 1)}. ${stepIcon(facts, index)} ${current ? `**${text}** ← current${until}` : text}`;
  });
  const done = facts.stepIndex >= facts.steps.length ? `\n\nAll ${String(facts.steps.length)} steps done.` : '';
  return `#### Steps\n\n${lines.join('\n')}${done}`;
}

export function trafficSection(facts: RolloutFacts, rollout: Rollout): string | undefined {
  if (facts.weights !== undefined && facts.state === 'healthy') {
    return `#### Traffic\n\nstable **100%**${facts.current === undefined ? '' : ` (revision ${String(facts.current.revision)})`}`;
  }
  if (facts.weights !== undefined && facts.state === 'aborted' && facts.weights.source === 'steps') {
    return `#### Traffic\n\ncanary **${String(facts.weights.canary)}%** · stable **${String(facts.weights.stable)}%** (aborted: traffic is back on stable)`;
  }
  if (facts.weights !== undefined) {
    const source = facts.weights.source === 'status' ? 'as the traffic router reports' : 'as the current step sets';
    return `#### Traffic\n\ncanary **${String(facts.weights.canary)}%** · stable **${String(facts.weights.stable)}%** (${source})`;
  }
  const blueGreen = rollout.spec.strategy?.blueGreen;
  if (blueGreen === undefined) return undefined;
  const selectors = rollout.status?.blueGreen;
  const row = (role: string, service: string | undefined, hash: string | undefined): string[] => [
    role,
    service === undefined ? '—' : inlineCode(service),
    hash === undefined || hash === '' ? '—' : inlineCode(hash),
  ];
  const rows = [row('active', blueGreen.activeService, selectors?.activeSelector)];
  if (blueGreen.previewService !== undefined) rows.push(row('preview', blueGreen.previewService, selectors?.previewSelector));
  const promotion =
    blueGreen.autoPromotionEnabled === false
      ? 'Promotion waits for a person.'
      : blueGreen.autoPromotionSeconds === undefined
        ? 'Promotes as soon as the preview is ready.'
        : `Promotes ${String(blueGreen.autoPromotionSeconds)}s after the preview is ready.`;
  return `#### Services\n\n${table(['Role', 'Service', 'Selects pods'], rows)}\n\n${promotion}`;
}

function roleOf(replicaSet: ReplicaSetReport, facts: RolloutFacts, rollout: Rollout): string {
  const roles: string[] = [];
  const hash = replicaSet.podTemplateHash;
  if (hash === facts.stableHash) roles.push('stable');
  if (facts.strategy === 'canary' && hash === facts.podHash && hash !== facts.stableHash) roles.push('canary');
  if (hash === rollout.status?.blueGreen?.activeSelector) roles.push('active');
  if (hash === rollout.status?.blueGreen?.previewSelector && hash !== rollout.status.blueGreen.activeSelector) roles.push('preview');
  return roles.join(', ') || 'old';
}

export function replicasSection(facts: RolloutFacts, rollout: Rollout, replicaSets: readonly ReplicaSetReport[]): string | undefined {
  if (replicaSets.length === 0) return undefined;
  const sorted = [...replicaSets].sort((a, b) => b.revision - a.revision || a.name.localeCompare(b.name));
  const rows = sorted.map((rs) => [
    String(rs.revision),
    inlineCode(rs.name),
    roleOf(rs, facts, rollout),
    `${String(rs.readyReplicas)}/${String(rs.replicas)}`,
    String(rs.availableReplicas),
    rs.images.map(codeCell).join(' ') || '—',
  ]);
  return `#### Replicas\n\n${table(['Revision', 'ReplicaSet', 'Role', 'Ready', 'Available', 'Images'], rows)}`;
}

function runSection(run: AnalysisRun, escape: (text: string) => string = escapeText): string {
  const phase = run.status?.phase ?? 'Pending';
  const rows = run.spec.metrics.map((metric) => {
    const result = run.status?.metricResults?.find((candidate) => candidate.name === metric.name);
    const metricPhase = result?.phase ?? 'Pending';
    const values = (result?.measurements ?? [])
      .slice(-valuesShown)
      .map((measurement) => codeCell(measurement.value ?? measurement.message ?? measurement.phase));
    const conditions = [
      ...(metric.successCondition === undefined ? [] : [`success: ${codeCell(metric.successCondition)}`]),
      ...(metric.failureCondition === undefined ? [] : [`failure: ${codeCell(metric.failureCondition)}`]),
    ];
    const counts =
      result === undefined
        ? '—'
        : `${String(result.successful ?? 0)} ${icons.ok} · ${String(result.failed ?? 0)} ${icons.bad} · ${String(result.inconclusive ?? 0)} ? · ${String(result.error ?? 0)} ${icons.warning}`;
    return [
      escapeText(metric.name),
      `${analysisIcon(metricPhase)} ${metricPhase}`,
      values.join(', ') || '—',
      conditions.join(' · ') || '—',
      counts,
    ];
  });
  const message = run.status?.message === undefined || run.status.message === '' ? '' : ` — ${escape(run.status.message)}`;
  return `${analysisIcon(phase)} ${inlineCode(run.metadata?.name ?? 'analysis')} **${phase}**${message}\n\n${table(['Metric', 'Phase', 'Last values', 'Condition', 'Measurements'], rows)}`;
}

function measurementCounts(counts: { successful: number; failed: number; inconclusive: number; error: number }): string {
  return `${String(counts.successful)} ${icons.ok} · ${String(counts.failed)} ${icons.bad} · ${String(counts.inconclusive)} ? · ${String(counts.error)} ${icons.warning}`;
}

/**
 * The current step's Experiment, as Argo's `get rollout` shows it under the revision (its phase, each template's
 * ReplicaSet, each AnalysisRun with its counts), with its message and the time its duration has left; a run that
 * failed or was inconclusive is shown whole (its metrics' values), as the Analysis section shows the Rollout's.
 */
export function experimentSection(facts: RolloutFacts, now: Date): string | undefined {
  const experiment = facts.experiment;
  if (experiment === undefined) return undefined;
  const { info } = experiment;
  const message = info.message === '' ? '' : ` — ${escapeUntrusted(info.message)}`;
  const ends = info.endsAt !== undefined && !info.finished ? `, ends ${formatTime(new Date(info.endsAt), now)}` : '';
  const lines = [
    `${info.icon.trim() || icons.waiting} ${inlineCode(info.name)} **${escapeText(info.status)}**${message}`,
    `${escapeText(experimentTimeLeft(info, now.getTime()))}${ends}`,
  ];
  const parts = [`#### Experiment\n\n${lines.join('\n\n')}`];
  if (info.templates.length > 0) {
    const rows = info.templates.map((template) => [
      codeCell(template.name),
      codeCell(template.replicaSet),
      `${template.icon.trim()} ${escapeText(template.status)}`.trim(),
      `${String(template.ready)}/${String(template.replicas)}`,
      String(template.available),
      template.message === '' ? '—' : escapeUntrusted(template.message),
    ]);
    parts.push(table(['Template', 'ReplicaSet', 'Status', 'Ready', 'Available', 'Message'], rows));
  }
  if (info.analyses.length > 0) {
    const rows = info.analyses.map((analysis) => [
      `${codeCell(analysis.name)}${analysis.requiredForCompletion ? ' (required)' : ''}`,
      analysis.analysisRun === '' ? '—' : codeCell(analysis.analysisRun),
      `${analysis.icon.trim()} ${escapeText(analysis.status)}`.trim(),
      analysis.analysisRun === '' ? '—' : measurementCounts(analysis),
      analysis.message === '' ? '—' : escapeUntrusted(analysis.message),
    ]);
    parts.push(table(['Analysis', 'AnalysisRun', 'Phase', 'Measurements', 'Message'], rows));
  }
  const concluded = experiment.runs.filter((run) => ['Failed', 'Error', 'Inconclusive'].includes(run.status?.phase ?? ''));
  parts.push(...concluded.map((run) => runSection(run, escapeUntrusted)));
  return parts.join('\n\n');
}

export function analysisSection(facts: RolloutFacts): string | undefined {
  if (facts.runs.length === 0) return undefined;
  return `#### Analysis\n\n${facts.runs.map((run) => runSection(run)).join('\n\n')}`;
}

export function timelineSection(timeline: readonly TimelineEntry[], now: Date): string | undefined {
  if (timeline.length === 0) return undefined;
  const shown = timeline.slice(-timelineShown);
  const rows = shown.map((entry) => [formatTime(entry.at, now), escapeText(entry.reason), escapeText(entry.message)]);
  const earlier = timeline.length - shown.length;
  const note = earlier > 0 ? `\n\n${String(earlier)} earlier events not shown.` : '';
  return `#### Timeline\n\n${table(['Time (UTC)', 'Reason', 'Message'], rows)}${note}`;
}
