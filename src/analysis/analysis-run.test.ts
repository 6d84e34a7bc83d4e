import { describe, expect, test } from 'vitest';
import type { AnalysisRun, Metric } from '../api/index.js';
import { finishAnalysisRun, planAnalysisRun, type TakenMeasurement } from './reconcile-analysis-run.js';
import type { ProviderAnswer } from '../providers/provider.js';

const START = Date.parse('2026-01-01T00:00:00Z');

function analysisRun(metrics: Metric[], extra: Partial<AnalysisRun['spec']> = {}): AnalysisRun {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'run' }, spec: { metrics, ...extra } };
}

function metric(fields: Partial<Metric> = {}): Metric {
  return {
    name: 'success-rate',
    successCondition: 'result[0] >= 0.90',
    provider: { prometheus: { address: 'http://p', query: 'q' } },
    ...fields,
  };
}

const value = (ratio: number): ProviderAnswer => ({ kind: 'value', value: [ratio], text: `[${String(ratio)}]` });
const unreachable: ProviderAnswer = { kind: 'error', message: 'Post "http://p/api/v1/query": dial tcp: connection refused' };

interface Simulation {
  run: AnalysisRun;
  /** Seconds after the start at which each measurement was taken, by metric. */
  takenAt: Record<string, number[]>;
  events: string[];
  reconciles: number;
}

/** Reconciles as the controller would: at the start, then at each requeue; answers come from `answer(metric, n)`. */
function simulate(
  start: AnalysisRun,
  answer: (metric: string, n: number) => ProviderAnswer,
  options: { untilSeconds?: number; change?: (run: AnalysisRun, at: number) => AnalysisRun } = {},
): Simulation {
  let run = start;
  let now = START;
  const takenAt: Record<string, number[]> = {};
  const events: string[] = [];
  let reconciles = 0;
  for (; reconciles < 1000 && now - START <= (options.untilSeconds ?? 600) * 1000; reconciles++) {
    if (options.change !== undefined) run = options.change(run, (now - START) / 1000);
    const plan = planAnalysisRun(run, new Date(now));
    if (plan.kind === 'completed') break;
    if (plan.kind === 'invalid') {
      run = { ...run, status: plan.status };
      events.push(...plan.events.map((event) => event.reason));
      break;
    }
    const taken: TakenMeasurement[] = plan.tasks.map((task) => {
      const times = (takenAt[task.metric.name] ??= []);
      times.push((now - START) / 1000);
      return { task, startedAt: new Date(now).toISOString().replace(/\.\d{3}Z$/u, 'Z'), answer: answer(task.metric.name, times.length) };
    });
    const outcome = finishAnalysisRun(run, taken, plan, new Date(now), ['s3cr3t']);
    run = { ...run, status: outcome.status };
    events.push(...outcome.events.map((event) => event.reason));
    if (outcome.requeueAfterMs === undefined) break;
    now += outcome.requeueAfterMs;
  }
  return { run, takenAt, events, reconciles };
}

describe('the AnalysisRun state machine: limits (table)', () => {
  test.each([
    // [name, metric fields, answers by measurement number, expected phase, measurements taken, message]
    ['always good, count 5', { interval: '20s', count: 5 }, () => value(0.99), 'Successful', 5, undefined],
    [
      'always bad, failureLimit 0',
      { interval: '20s', count: 5 },
      () => value(0.5),
      'Failed',
      1,
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    ],
    [
      'always bad, failureLimit 3',
      { interval: '20s', failureLimit: 3 },
      () => value(0.5),
      'Failed',
      4,
      'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
    ],
    [
      'bad 3 of 5, failureLimit 3',
      { interval: '20s', count: 5, failureLimit: 3 },
      (n: number) => value(n % 2 === 1 ? 0.5 : 0.99),
      'Successful',
      5,
      undefined,
    ],
    [
      'failureLimit as a string',
      { interval: '20s', failureLimit: '2' },
      () => value(0.1),
      'Failed',
      3,
      'Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)',
    ],
    [
      'unreachable: consecutiveErrorLimit 4 (default)',
      { interval: '20s' },
      () => unreachable,
      'Error',
      5,
      'Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: Post "http://p/api/v1/query": dial tcp: connection refused"',
    ],
    [
      'unreachable: consecutiveErrorLimit 0',
      { interval: '20s', consecutiveErrorLimit: 0 },
      () => unreachable,
      'Error',
      1,
      'Metric "success-rate" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): "Error Message: Post "http://p/api/v1/query": dial tcp: connection refused"',
    ],
    [
      'errors then good: the error streak resets',
      { interval: '20s', count: 3, consecutiveErrorLimit: 2 },
      (n: number) => (n % 3 === 0 ? value(0.99) : unreachable),
      'Successful',
      9,
      undefined,
    ],
    [
      'neither condition met: Inconclusive',
      { failureCondition: 'result[0] < 0.5' },
      () => value(0.7),
      'Inconclusive',
      1,
      'Metric "success-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    ],
    [
      'inconclusiveLimit 1',
      { interval: '20s', failureCondition: 'result[0] < 0.5', inconclusiveLimit: 1 },
      () => value(0.7),
      'Inconclusive',
      2,
      'Metric "success-rate" assessed Inconclusive due to inconclusive (2) > inconclusiveLimit (1)',
    ],
    ['consecutiveSuccessLimit 2', { interval: '20s', consecutiveSuccessLimit: 2 }, () => value(0.99), 'Successful', 2, undefined],
    ['no conditions: every value succeeds', { successCondition: undefined }, () => value(0), 'Successful', 1, undefined],
    [
      'a condition that does not fit the value: Error measurements',
      { interval: '5s', successCondition: 'result > 1' },
      () => value(0.5),
      'Error',
      5,
      undefined,
    ],
  ] as [string, Partial<Metric>, (n: number) => ProviderAnswer, string, number, string | undefined][])(
    '%s',
    (_name, fields, answers, phase, taken, message) => {
      const result = simulate(analysisRun([metric(fields)]), (_metric, n) => answers(n));
      expect(result.run.status?.phase).toBe(phase);
      expect(result.takenAt['success-rate']).toHaveLength(taken);
      if (message !== undefined) expect(result.run.status?.message).toBe(message);
      expect(result.events.at(-1)).toBe(`AnalysisRun${phase}`);
    },
  );
});

describe('the AnalysisRun state machine: timing', () => {
  test("the seed blog's template: first measurement after initialDelay, then every interval, to the instant", () => {
    const result = simulate(analysisRun([metric({ initialDelay: '60s', interval: '20s', failureLimit: 3 })]), () => value(0.99), {
      untilSeconds: 180,
    });
    expect(result.takenAt['success-rate']).toEqual([60, 80, 100, 120, 140, 160, 180]);
    expect(result.run.status?.phase).toBe('Running');
    expect(result.run.status?.startedAt).toBe('2026-01-01T00:00:00Z');
  });

  test('errors are retried after 10 s, not after the interval', () => {
    const result = simulate(analysisRun([metric({ interval: '1m' })]), () => unreachable);
    expect(result.takenAt['success-rate']).toEqual([0, 10, 20, 30, 40]);
  });

  test('a second reconcile at the same instant takes no measurement twice (as after a controller restart)', () => {
    const run = analysisRun([metric({ interval: '20s' })]);
    const now = new Date(START);
    const first = planAnalysisRun(run, now);
    if (first.kind !== 'measure') throw new Error('expected measurements');
    const outcome = finishAnalysisRun(
      run,
      first.tasks.map((task) => ({ task, startedAt: '2026-01-01T00:00:00Z', answer: value(0.99) })),
      first,
      now,
    );
    const again = planAnalysisRun({ ...run, status: outcome.status }, new Date(START + 19_999));
    expect(again.kind === 'measure' && again.tasks).toEqual([]);
    expect(outcome.requeueAfterMs).toBe(20_000);
  });

  test('a measurement still running (a Job) is resumed at its resumeAt and replaced, not duplicated', () => {
    const answers: ProviderAnswer[] = [
      { kind: 'running', resumeAt: '2026-01-01T00:00:05Z' },
      { kind: 'verdict', phase: 'Successful' },
    ];
    const result = simulate(
      analysisRun([metric({ provider: { job: { spec: {} } }, successCondition: undefined })]),
      (_metric, n) => answers[n - 1] ?? unreachable,
    );
    expect(result.takenAt['success-rate']).toEqual([0, 5]);
    expect(result.run.status?.metricResults?.[0]?.measurements).toHaveLength(1);
    expect(result.run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({
      phase: 'Successful',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:05Z',
    });
    expect(result.run.status?.phase).toBe('Successful');
  });
});

describe('the AnalysisRun state machine: several metrics, dry runs, termination, retention', () => {
  test('worst metric wins: a Failed metric beats an Error one', () => {
    const metrics = [metric({ name: 'a' }), metric({ name: 'b', consecutiveErrorLimit: 0 })];
    const result = simulate(analysisRun(metrics), (name) => (name === 'a' ? value(0.1) : unreachable));
    expect(result.run.status?.phase).toBe('Failed');
    expect(result.run.status?.runSummary).toEqual({ count: 2, successful: 0, failed: 1, inconclusive: 0, error: 1 });
  });

  test('a failing metric stops the others from measuring again (the run is terminating)', () => {
    const metrics = [metric({ name: 'fast', interval: '5s' }), metric({ name: 'slow', interval: '20s' })];
    const result = simulate(analysisRun(metrics), (name) => (name === 'fast' ? value(0.1) : value(0.99)));
    expect(result.run.status?.phase).toBe('Failed');
    expect(result.takenAt).toEqual({ fast: [0], slow: [0] });
  });

  test('a dry-run metric never fails the run, and its verdict goes to dryRunSummary', () => {
    const metrics = [metric({ name: 'real' }), metric({ name: 'experimental' })];
    const result = simulate(analysisRun(metrics, { dryRun: [{ metricName: 'exp.*' }] }), (name) =>
      name === 'real' ? value(0.99) : value(0.1),
    );
    expect(result.run.status?.phase).toBe('Successful');
    expect(result.run.status?.dryRunSummary).toEqual({ count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
    expect(result.run.status?.metricResults?.find((r) => r.name === 'experimental')).toMatchObject({
      phase: 'Failed',
      dryRun: true,
      message: 'Metric assessed Failed due to failed (1) > failureLimit (0)',
    });
  });

  test('terminate ends an endless metric as Successful with "Run Terminated"', () => {
    const result = simulate(analysisRun([metric({ interval: '20s' })]), () => value(0.99), {
      change: (run, at) => (at >= 40 ? { ...run, spec: { ...run.spec, terminate: true } } : run),
    });
    expect(result.run.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
    expect(result.takenAt['success-rate']).toEqual([0, 20]);
  });

  test('measurementRetention keeps the newest measurements; the counts keep the whole history', () => {
    const result = simulate(
      analysisRun([metric({ interval: '1s', count: 12 })], { measurementRetention: [{ metricName: 'success-rate', limit: 3 }] }),
      () => value(0.99),
    );
    const only = result.run.status?.metricResults?.[0];
    expect(only?.measurements).toHaveLength(3);
    expect(only?.count).toBe(12);
    expect(only?.measurements?.at(-1)?.startedAt).toBe('2026-01-01T00:00:11Z');
  });

  test('without measurementRetention, 10 measurements are kept', () => {
    const result = simulate(analysisRun([metric({ interval: '1s', count: 15 })]), () => value(0.99));
    expect(result.run.status?.metricResults?.[0]?.measurements).toHaveLength(10);
  });
});

describe('bad input', () => {
  test('an unparsable condition makes the run Error, naming the metric, the field and the column', () => {
    const result = simulate(analysisRun([metric({ successCondition: 'result[0] >= ' })]), () => value(1));
    expect(result.run.status).toMatchObject({
      phase: 'Error',
      message: 'Analysis spec invalid: metric "success-rate": successCondition "result[0] >= ": column 14: unexpected end of expression',
    });
    expect(result.takenAt).toEqual({});
  });

  test('a secret from the args never reaches a stored message', () => {
    const result = simulate(analysisRun([metric({ consecutiveErrorLimit: 0 })]), () => ({
      kind: 'error',
      message: 'GET http://p?token=s3cr3t: 401',
    }));
    expect(JSON.stringify(result.run.status)).not.toContain('s3cr3t');
    expect(result.run.status?.metricResults?.[0]?.measurements?.[0]?.message).toBe('GET http://p?token=*****: 401');
  });
});
