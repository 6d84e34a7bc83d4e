import { performance } from 'node:perf_hooks';
import { describe, expect, test } from 'vitest';
import { markdownLinkMarks } from '../testing/markdown-marks.js';
import { xorshift32 as generator } from '../../analysis/testing/xorshift.js';
import { finishAnalysisRun, planAnalysisRun } from '../../analysis/reconcile-analysis-run.js';
import type { ProviderAnswer } from '../../providers/provider.js';
import type { AnalysisRun, Metric } from '../../api/index.js';
import { defaultMaxResponseBytes } from '../../providers/outbound/outbound-request.js';
import { mapQueryResponse } from '../../providers/prometheus/prometheus-provider.js';
import { mapWebResponse } from '../../providers/web/web-provider.js';
import { cell, code } from '../plan/markdown.js';
import { checkOutputLimit } from '../plan/index.js';
import { noticeFor } from './notice.js';
import { renderRolloutCheck } from './render-rollout-check.js';
import { renderStickyComment } from './sticky-comment.js';
import { canaryWeb, input, replicaSets, runName, successRateRun } from './testing/report-fixtures.js';

/*
 * Provider answers are written by whoever controls the metric server, which a pull request
 * names: this fuzzer sends seeded hostile answers (backtick runs, pipes, HTML, control and
 * bidi characters, deep JSON, near-cap sizes) through what the answer meets on its way to a
 * pull request — the web and prometheus mappings, measurement evaluation, the stored run —
 * and renders the check run, the notice, the sticky comment and the plan's cells from it.
 * Budget: at most `cases` answers or `budgetMs`, whichever ends first; every case must finish
 * without throwing and within a second. It prints its figures.
 */

const cases = 400;
const budgetMs = 12_000;
const hangMs = 1000;

const tokens = [
  '`',
  '``',
  '```',
  '````',
  '|',
  '\\|',
  '\n',
  '\r\n',
  '\r',
  '<',
  '>',
  '<!--',
  '-->',
  '<script>',
  '*',
  '_',
  ...markdownLinkMarks,
  '~',
  '~~~',
  'a',
  ' ',
  '\t',
  '\u0000',
  '\u202e',
  '\u2028',
  '😀',
  '\ud800',
  '{{args.token}}',
  '${x}',
  '%',
  '"',
  "'",
  '&amp;',
  '0.97',
  '-1e308',
  'NaN',
  '@user',
  '#12',
  '/promote',
  '> quote',
  '- [ ] x',
];

function hostileText(random: () => number, size: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const token = tokens[Math.floor(random() * tokens.length)] ?? '`';
    // Sometimes a long run of one token: what the report's fences and escapes must count.
    const repeat = random() < 0.1 ? 1 + Math.floor(random() * 2000) : 1;
    const part = token.repeat(repeat);
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, size);
}

/** Sizes spread on a log scale up to the response cap: most small, a few near 1 MiB. */
function size(random: () => number): number {
  return Math.floor(Math.exp(random() * Math.log(defaultMaxResponseBytes - 64)));
}

function nested(depth: number, leaf: string): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}

interface Answer {
  provider: 'web' | 'prometheus';
  body: string;
  jsonPath?: string;
}

function answerFor(random: () => number): Answer {
  const text = hostileText(random, size(random));
  const kind = Math.floor(random() * 8);
  switch (kind) {
    case 0:
      return { provider: 'web', body: text };
    case 1:
      return { provider: 'web', body: JSON.stringify({ v: text }), jsonPath: '{$.v}' };
    case 2:
      return { provider: 'web', body: JSON.stringify({ v: text.split('`') }), jsonPath: random() < 0.5 ? '{$}' : '{$.v}' };
    case 3:
      return { provider: 'web', body: nested(1 + Math.floor(random() * 100_000), JSON.stringify(text.slice(0, 100))) };
    case 4:
      return {
        provider: 'web',
        body: JSON.stringify({ [text.slice(0, 200)]: 1, v: Array.from({ length: Math.floor(random() * 50_000) }, (_, index) => index) }),
      };
    case 5: {
      const samples = Array.from({ length: Math.floor(random() * 5000) }, () => ({
        metric: { x: text.slice(0, 50) },
        value: [1, random() < 0.5 ? String(random()) : text.slice(0, 40)],
      }));
      return { provider: 'prometheus', body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: samples } }) };
    }
    case 6:
      return { provider: 'prometheus', body: JSON.stringify({ status: 'error', errorType: text.slice(0, 1000), error: text }) };
    default:
      // As many separate backtick runs as the cap holds: each run was one argument of a Math.max spread.
      return { provider: 'web', body: JSON.stringify({ v: '`a'.repeat(Math.floor(size(random) / 2)) }), jsonPath: '{$.v}' };
  }
}

const conditions = [
  'result == "ok"',
  'len(result) > 0',
  'result[0] >= 0.9',
  'result > 1',
  'result != nil',
  'all(result, {# > 0.5})',
  'string(result) contains "`"',
];

function metricFor(random: () => number): Metric {
  const pick = (): string => conditions[Math.floor(random() * conditions.length)] ?? 'true';
  return {
    name: 'success-rate',
    successCondition: pick(),
    ...(random() < 0.5 ? { failureCondition: pick() } : {}),
    failureLimit: 0,
    provider: { web: { url: 'http://metrics.example/x' } },
  };
}

/** The answer through the stored run and every renderer it reaches; what the renderers produced, for the checks. */
function pipeline(answer: Answer, metric: Metric): string[] {
  const mapped: ProviderAnswer =
    answer.provider === 'web'
      ? mapWebResponse(200, answer.body, answer.jsonPath, 'http://metrics.example/x')
      : mapQueryResponse(200, answer.body);
  const run: AnalysisRun = { ...successRateRun('Running', { name: metric.name, phase: 'Running' }), spec: { metrics: [metric] } };
  delete run.status;
  const plan = planAnalysisRun(run, new Date('2026-11-24T00:15:00Z'));
  if (plan.kind !== 'measure') return [];
  const taken = plan.tasks.map((task) => ({ task, startedAt: '2026-11-24T00:15:00Z', answer: mapped }));
  const outcome = finishAnalysisRun(run, taken, plan, new Date('2026-11-24T00:15:01Z'), ['s3cr3t']);
  const stored: AnalysisRun = { ...run, status: outcome.status };
  const message = outcome.status.metricResults?.[0]?.measurements?.[0]?.message ?? outcome.status.message ?? '';
  const rollout = canaryWeb({
    currentStepIndex: 2,
    abort: true,
    abortedAt: '2026-11-24T00:15:22Z',
    phase: 'Degraded',
    message: `RolloutAborted: ${message}`,
    canary: { currentStepAnalysisRunStatus: { name: runName, status: outcome.status.phase ?? 'Running' } },
  });
  const report = input(rollout, {
    analysisRuns: [stored],
    replicaSets: replicaSets(0, 5),
    timeline: [{ at: new Date('2026-11-24T00:15:01Z'), reason: 'AnalysisRunFailed', message }],
  });
  const check = renderRolloutCheck(report);
  const notice = noticeFor(report);
  const sticky = renderStickyComment({ pullRequest: report.pullRequest, rollouts: [report] });
  const value = outcome.status.metricResults?.[0]?.measurements?.[0]?.value ?? '';
  return [check.title, check.summary, check.text ?? '', notice?.body ?? '', sticky, code(value), cell(value)];
}

describe('fuzz: hostile provider answers through evaluation and the report renderers', () => {
  test(`${String(cases)} seeded answers up to ${String(defaultMaxResponseBytes)} bytes: no crash, none over ${String(hangMs)} ms, every output within GitHub's limit`, () => {
    const random = generator(20_2026);
    const crashes: string[] = [];
    const hangs: string[] = [];
    let slowest = 0;
    let bytes = 0;
    let done = 0;
    const started = performance.now();
    for (; done < cases && performance.now() - started < budgetMs; done += 1) {
      const answer = answerFor(random);
      const metric = metricFor(random);
      bytes += answer.body.length;
      const caseStarted = performance.now();
      try {
        const outputs = pipeline(answer, metric);
        for (const output of outputs.slice(0, 3))
          if (output.length > checkOutputLimit) crashes.push(`case ${String(done)}: an output of ${String(output.length)} characters`);
      } catch (cause) {
        crashes.push(
          `case ${String(done)} (${answer.provider}, ${String(answer.body.length)} bytes): ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
        );
      }
      const elapsed = performance.now() - caseStarted;
      slowest = Math.max(slowest, elapsed);
      if (elapsed > hangMs)
        hangs.push(
          `case ${String(done)} (${answer.provider}${answer.jsonPath ?? ''}, ${String(answer.body.length)} bytes, ${metric.successCondition ?? ''}): ${elapsed.toFixed(0)} ms`,
        );
    }
    const total = performance.now() - started;
    console.log(
      `provider-answers fuzz: ${String(done)} cases, ${(bytes / 1024 / 1024).toFixed(1)} MiB of answers in ${(total / 1000).toFixed(1)} s; ${String(crashes.length)} crashes, ${String(hangs.length)} hangs over ${String(hangMs)} ms; slowest case ${slowest.toFixed(0)} ms`,
    );
    expect(crashes.slice(0, 5)).toEqual([]);
    expect(hangs.slice(0, 5)).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(50);
  }, 60_000);
});
