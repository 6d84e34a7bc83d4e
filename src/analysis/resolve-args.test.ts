import { describe, expect, test } from 'vitest';
import type { AnalysisRun, Metric } from '../api/index.js';
import { effectiveCount } from './metric-settings.js';
import { finishAnalysisRun, planAnalysisRun } from './reconcile-analysis-run.js';
import type { ProviderAnswer } from '../providers/provider.js';
import { resolveMetricArgs } from '../providers/resolve-args.js';

/*
 * Issue 28, item 1: Argo resolves `{{args.*}}` in every field of a metric (ResolveMetricArgs marshals
 * the whole metric); Gradual read an unresolved count as 0, took one measurement and called an Error
 * run Successful. Every templated field, resolved and unresolvable.
 */

const args = [
  { name: 'runs', value: '3' },
  { name: 'interval', value: '5s' },
  { name: 'limit', value: '2' },
  { name: 'wanted', value: 'It worked!' },
  { name: 'url', valueFrom: { secretKeyRef: { name: 'example-secret', key: 'secretUrl' } } },
];

function metric(fields: Partial<Metric> = {}): Metric {
  return { name: 'webmetric', provider: { web: { url: 'http://127.0.0.1:1/x', jsonPath: '{$.message}' } }, ...fields };
}

describe('resolveMetricArgs: every templated metric field (table)', () => {
  test.each([
    // [field, template, resolved]
    ['name', 'web-{{args.runs}}', 'web-3'],
    ['interval', '{{args.interval}}', '5s'],
    ['initialDelay', '{{ args.interval }}', '5s'],
    ['count', '{{args.runs}}', '3'],
    ['successCondition', 'result == "{{args.wanted}}"', 'result == "It worked!"'],
    ['failureCondition', 'result == "not {{args.wanted}}"', 'result == "not It worked!"'],
    ['failureLimit', '{{args.limit}}', '2'],
    ['inconclusiveLimit', '{{args.limit}}', '2'],
    ['consecutiveErrorLimit', '{{args.limit}}', '2'],
    ['consecutiveSuccessLimit', '{{args.limit}}', '2'],
  ] as const)('%s %j resolves to %j', (field, template, resolved) => {
    const result = resolveMetricArgs(metric({ [field]: template }), args);
    expect(result).toEqual({ ok: true, value: metric({ [field]: resolved }) });
  });

  test.each([
    'name',
    'interval',
    'initialDelay',
    'count',
    'successCondition',
    'failureCondition',
    'failureLimit',
    'inconclusiveLimit',
    'consecutiveErrorLimit',
    'consecutiveSuccessLimit',
  ] as const)('%s naming no argument is an error naming the tag, never a default', (field) => {
    expect(resolveMetricArgs(metric({ [field]: '{{args.missing}}' }), args)).toEqual({
      ok: false,
      message: 'failed to resolve {{args.missing}}',
    });
  });

  test("the provider is resolved too; a secret stands as Argo's placeholder, never its value", () => {
    const result = resolveMetricArgs(
      metric({ provider: { web: { url: '{{args.url}}', headers: [{ key: 'X-Runs', value: '{{args.runs}}' }] } } }),
      args,
    );
    expect(result).toEqual({
      ok: true,
      value: metric({ provider: { web: { url: 'temp-for-secret', headers: [{ key: 'X-Runs', value: '3' }] } } }),
    });
    expect(resolveMetricArgs(metric({ provider: { web: { url: '{{args.nope}}' } } }), args)).toEqual({
      ok: false,
      message: 'failed to resolve {{args.nope}}',
    });
  });

  test.each([
    ['an argument without a value, even unreferenced', metric(), [{ name: 'empty' }], 'argument "empty" was not supplied'],
    ['a tag that is not an argument', metric({ count: '{{count}}' }), args, 'failed to resolve {{count}}'],
    ['an opening {{ never closed', metric({ interval: '{{args.interval' }), args, 'cannot find end tag "}}" in "{{args.interval"'],
    [
      "the last unresolved tag is named, in Argo's field order",
      metric({ count: '{{args.a}}', failureLimit: '{{args.b}}' }),
      args,
      'failed to resolve {{args.b}}',
    ],
  ])('%s is an error', (_name, input, runArgs, message) => {
    expect(resolveMetricArgs(input, runArgs)).toEqual({ ok: false, message });
  });

  test('hostile: a value holding a template is inserted as text, not resolved again', () => {
    const result = resolveMetricArgs(metric({ successCondition: 'result == "{{args.a}}"' }), [
      { name: 'a', value: '{{args.b}}' },
      { name: 'b', value: 'leak' },
    ]);
    expect(result).toEqual({ ok: true, value: metric({ successCondition: 'result == "{{args.b}}"' }) });
  });
});

describe("effectiveCount: Argo's EffectiveCount after resolution", () => {
  test.each([
    [{}, 1],
    [{ interval: '5s' }, undefined],
    [{ count: '3' }, 3],
    [{ count: 0 }, 1],
    [{ count: 0, interval: '5s' }, undefined],
    [{ count: 'three', interval: '5s' }, undefined],
    [{ count: ' 3' }, 1],
  ] as const)('%j → %s', (fields, count) => {
    expect(effectiveCount(metric(fields))).toBe(count);
  });
});

const START = Date.parse('2026-01-01T00:00:00Z');

function run(metrics: Metric[], runArgs = args): AnalysisRun {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'run' }, spec: { metrics, args: runArgs } };
}

/** Reconciles as the controller does until the run completes; every measurement gets `answer`. */
function simulate(start: AnalysisRun, answer: ProviderAnswer): { run: AnalysisRun; measurements: number } {
  let current = start;
  let now = START;
  let measurements = 0;
  for (let step = 0; step < 100; step++) {
    const plan = planAnalysisRun(current, new Date(now));
    if (plan.kind === 'completed') break;
    if (plan.kind === 'invalid') return { run: { ...current, status: plan.status }, measurements };
    measurements += plan.tasks.length;
    const outcome = finishAnalysisRun(
      current,
      plan.tasks.map((task) => ({ task, startedAt: new Date(now).toISOString(), answer })),
      plan,
      new Date(now),
    );
    current = { ...current, status: outcome.status };
    if (outcome.requeueAfterMs === undefined) break;
    now += outcome.requeueAfterMs;
  }
  return { run: current, measurements };
}

describe("a run whose settings are arguments (Argo's TestAnalysisWithArgs)", () => {
  const templated = metric({
    count: '{{args.runs}}',
    interval: '{{args.interval}}',
    initialDelay: '{{args.interval}}',
    failureLimit: '{{args.limit}}',
    successCondition: 'result == "{{args.wanted}}"',
  });

  test('takes the resolved count of measurements, judged by the resolved condition', () => {
    const result = simulate(run([templated]), { kind: 'value', value: 'It worked!', text: 'It worked!' });
    expect(result.run.status?.phase).toBe('Successful');
    expect(result.run.status?.metricResults?.[0]?.count).toBe(3);
  });

  test('measurements that error do not make it Successful: it errs past consecutiveErrorLimit', () => {
    const result = simulate(run([{ ...templated, consecutiveErrorLimit: '{{args.limit}}' }]), {
      kind: 'error',
      message: 'connection refused',
    });
    expect(result.run.status?.phase).toBe('Error');
    expect(result.measurements).toBe(3);
  });

  test.each([
    ['count', { count: '{{args.missing}}' }, 'Unable to resolve metric arguments: failed to resolve {{args.missing}}'],
    ['interval', { interval: '{{args.missing}}' }, 'Unable to resolve metric arguments: failed to resolve {{args.missing}}'],
    ['failureLimit', { failureLimit: '{{args.missing}}' }, 'Unable to resolve metric arguments: failed to resolve {{args.missing}}'],
    [
      'a resolved interval that is no duration',
      { count: 2, interval: '{{args.wanted}}' },
      'Analysis spec invalid: metrics[0]: invalid interval string: time: invalid duration "It worked!"',
    ],
    [
      'a resolved count below failureLimit',
      { count: '{{args.limit}}', interval: '5s', failureLimit: '{{args.runs}}' },
      'Analysis spec invalid: metrics[0]: count (2) must be >= failureLimit + consecutiveSuccessLimit (3 + 0) if both >= 0',
    ],
  ])("an unresolvable or invalid %s is the run's Error, with nothing measured", (_name, fields, message) => {
    const result = simulate(run([metric(fields)]), { kind: 'value', value: 'It worked!', text: 'It worked!' });
    expect(result.measurements).toBe(0);
    expect(result.run.status?.phase).toBe('Error');
    expect(result.run.status?.message).toBe(message);
  });
});
