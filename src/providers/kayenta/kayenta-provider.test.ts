import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AnalysisRun, Metric } from '../../api/index.js';
import { finishAnalysisRun, planAnalysisRun } from '../../analysis/reconcile-analysis-run.js';
import { startKayentaStandIn, type KayentaStandIn } from '../../local/metric-vendors/kayenta/kayenta-stand-in.js';
import type { MeasurementContext } from '../provider.js';
import { kayentaPhase, kayentaProvider, scopeRequest } from './kayenta-provider.js';

const now = new Date('2026-12-07T12:00:00Z');

/** Argo's documented template (docs/analysis/kayenta.md), with its {{args.x}}. */
function metric(address: string, overrides: Partial<NonNullable<Metric['provider']['kayenta']>> = {}): Metric {
  return {
    name: 'mann-whitney',
    interval: '1h',
    provider: {
      kayenta: {
        address,
        application: 'guestbook',
        canaryConfigName: 'my-test',
        metricsAccountName: 'wavefront-prod',
        configurationAccountName: 'intuit-kayenta',
        storageAccountName: 'intuit-kayenta',
        threshold: { pass: 90, marginal: 75 },
        scopes: [
          {
            name: 'default',
            controlScope: { scope: 'app=guestbook and rollouts-pod-template-hash={{args.stable-hash}}', step: 60, region: 'us-west-2' },
            experimentScope: { scope: 'app=guestbook and rollouts-pod-template-hash={{args.canary-hash}}', step: 60, region: 'us-west-2' },
          },
        ],
        ...overrides,
      },
    },
  };
}

const args = new Map([
  ['stable-hash', 'abc'],
  ['canary-hash', 'def'],
]);

function context(measured: Metric, at: Date = now): MeasurementContext {
  return {
    metric: measured,
    args,
    run: { namespace: 'default', name: 'run', uid: 'u', startedAt: '2026-12-07T10:00:00Z' },
    measurementsTaken: 0,
    now: at,
  };
}

describe('kayenta provider against the Kayenta stand-in', () => {
  let kayenta: KayentaStandIn;
  let score = 95;
  beforeAll(async () => {
    kayenta = await startKayentaStandIn({
      configs: [{ id: 'cfg-1', name: 'my-test', applications: ['guestbook'] }],
      score: () => score,
      pendingPolls: 1,
    });
  });
  afterAll(async () => {
    await kayenta.close();
  });

  test('run starts a judgement and answers Running, to resume 15s later; resume waits while incomplete, then judges the score', async () => {
    score = 95;
    const provider = kayentaProvider();
    const started = await provider.run(context(metric(kayenta.url)));
    expect(started).toEqual({ kind: 'running', resumeAt: '2026-12-07T12:00:15Z', metadata: { canaryExecutionId: '01STANDIN000001' } });
    const post = kayenta.requests.find((request) => request.method === 'POST');
    expect(post?.url.pathname).toBe('/canary/cfg-1');
    expect(Object.fromEntries(post?.url.searchParams ?? [])).toEqual({
      application: 'guestbook',
      metricsAccountName: 'wavefront-prod',
      configurationAccountName: 'intuit-kayenta',
      storageAccountName: 'intuit-kayenta',
    });
    expect(JSON.parse(post?.body ?? '')).toEqual({
      scopes: {
        default: {
          controlScope: {
            scope: 'app=guestbook and rollouts-pod-template-hash=abc',
            location: 'us-west-2',
            step: 60,
            start: '2026-12-07T11:00:00Z',
            end: '2026-12-07T12:00:00Z',
          },
          experimentScope: {
            scope: 'app=guestbook and rollouts-pod-template-hash=def',
            location: 'us-west-2',
            step: 60,
            start: '2026-12-07T11:00:00Z',
            end: '2026-12-07T12:00:00Z',
          },
        },
      },
      thresholds: { pass: 90, marginal: 75 },
    });
    const later = new Date('2026-12-07T12:00:15Z');
    const metadata = started.kind === 'running' ? (started.metadata ?? {}) : {};
    expect(await provider.resume?.(context(metric(kayenta.url), later), metadata)).toEqual({
      kind: 'running',
      resumeAt: '2026-12-07T12:00:30Z',
      metadata,
    });
    expect(await provider.resume?.(context(metric(kayenta.url), later), metadata)).toEqual({
      kind: 'verdict',
      phase: 'Successful',
      value: '95',
      metadata,
    });
  });

  test.each([
    [95.7, 'Successful', '95'],
    [80, 'Inconclusive', '80'],
    [75, 'Inconclusive', '75'],
    [74.9, 'Failed', '74'],
  ])('a score of %s is %s (value %s)', async (given, phase, value) => {
    score = given;
    const provider = kayentaProvider();
    const started = await provider.run(context(metric(kayenta.url)));
    const metadata = started.kind === 'running' ? (started.metadata ?? {}) : {};
    await provider.resume?.(context(metric(kayenta.url)), metadata);
    expect(await provider.resume?.(context(metric(kayenta.url)), metadata)).toMatchObject({ kind: 'verdict', phase, value });
  });

  test('a Running judgement brings the run back at its resumeAt, and the next plan resumes it (nothing waits in a reconcile)', () => {
    const measured = metric('http://k');
    const run = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run' },
      spec: {
        metrics: [measured],
        args: [
          { name: 'stable-hash', value: 'abc' },
          { name: 'canary-hash', value: 'def' },
        ],
      },
      status: { phase: 'Running', startedAt: '2026-12-07T12:00:00Z' },
    } as unknown as AnalysisRun;
    const answer = { kind: 'running' as const, resumeAt: '2026-12-07T12:00:15Z', metadata: { canaryExecutionId: 'e1' } };
    const outcome = finishAnalysisRun(
      run,
      [{ task: { metric: measured, kind: 'new' }, startedAt: '2026-12-07T12:00:00Z', answer }],
      { metrics: [measured], conditions: new Map() },
      now,
    );
    expect(outcome.requeueAfterMs).toBe(15_000);
    const after = { ...run, status: outcome.status };
    const early = planAnalysisRun(after, new Date('2026-12-07T12:00:10Z'));
    expect(early.kind === 'measure' && early.tasks).toEqual([]);
    const due = planAnalysisRun(after, new Date('2026-12-07T12:00:15Z'));
    expect(
      due.kind === 'measure' && due.tasks.map((task) => [task.kind, task.kind === 'resume' ? task.measurement.metadata : undefined]),
    ).toEqual([['resume', { canaryExecutionId: 'e1' }]]);
  });

  test('an Inconclusive judgement is stored as an Inconclusive measurement with its score', () => {
    const run = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run' },
      spec: { metrics: [metric('http://k')] },
    } as unknown as AnalysisRun;
    const outcome = finishAnalysisRun(
      run,
      [
        {
          task: { metric: metric('http://k'), kind: 'new' },
          startedAt: '2026-12-07T12:00:00Z',
          answer: { kind: 'verdict', phase: 'Inconclusive', value: '80' },
        },
      ],
      { metrics: [metric('http://k')], conditions: new Map() },
      now,
    );
    expect(outcome.status.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Inconclusive', value: '80' });
    expect(outcome.status.phase).toBe('Inconclusive');
  });

  test.each([
    ['a config name Kayenta does not have', { canaryConfigName: 'other' }, 'Canary config not found'],
    [
      'scopes with start on one side only',
      {
        scopes: [
          {
            name: 'd',
            controlScope: { scope: 'c', region: 'r', step: 60, start: '2026-12-07T00:00:00Z' },
            experimentScope: { scope: 'e', region: 'r', step: 60 },
          },
        ],
      },
      'controlScope.start and experimentScope.start must both be set or be empty',
    ],
  ])("%s is an Error measurement with Argo's message", async (_name, overrides, message) => {
    expect(await kayentaProvider().run(context(metric(kayenta.url, overrides)))).toEqual({ kind: 'error', message });
  });

  test("the lookup is refused (not 200): Argo's Invalid Response with the status", async () => {
    const wrong = metric(`${kayenta.url}/nowhere`);
    expect(await kayentaProvider().run(context(wrong))).toEqual({ kind: 'error', message: 'Invalid Response: HTTP 404' });
  });

  test('resume with an execution Kayenta does not know is an Error; unreachable is an Error naming the address', async () => {
    expect(await kayentaProvider().resume?.(context(metric(kayenta.url)), { canaryExecutionId: 'nope' })).toEqual({
      kind: 'error',
      message: 'Invalid Response: HTTP 404',
    });
    const answer = await kayentaProvider().run(context(metric('http://127.0.0.1:9')));
    expect(answer.kind === 'error' && answer.message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/canaryConfig: unreachable: ECONNREFUSED/u);
  });

  test('hostile names cannot add query parameters or climb paths: they are encoded', async () => {
    await kayentaProvider().run(context(metric(kayenta.url, { application: 'guestbook&storageAccountName=evil' })));
    const lookup = kayenta.requests.at(-1);
    expect(lookup?.url.searchParams.get('application')).toBe('guestbook&storageAccountName=evil');
    await kayentaProvider().resume?.(context(metric(kayenta.url)), { canaryExecutionId: '../canaryConfig' });
    expect(kayenta.requests.at(-1)?.url.pathname).toBe('/canary/..%2FcanaryConfig');
  });
});

describe('kayenta: scopes and thresholds as Argo computes them (pure)', () => {
  const scope = { name: 'd', controlScope: { scope: 'c', region: 'r', step: 1 }, experimentScope: { scope: 'e', region: 'r', step: 1 } };
  test("lookback starts at the run's start; otherwise one interval back", () => {
    const times = { runStartedAt: new Date('2026-12-07T10:00:00Z'), now, interval: '30m' };
    expect(scopeRequest(scope, { ...times, lookback: true })).toMatchObject({
      ok: true,
      value: { controlScope: { start: '2026-12-07T10:00:00Z' } },
    });
    expect(scopeRequest(scope, { ...times, lookback: false })).toMatchObject({
      ok: true,
      value: { controlScope: { start: '2026-12-07T11:30:00Z', end: '2026-12-07T12:00:00Z' } },
    });
    expect(scopeRequest(scope, { ...times, interval: undefined, lookback: false })).toEqual({
      ok: false,
      message: 'Invalid duration "": time: invalid duration ""',
    });
  });
  test.each([
    [90, 'Successful'],
    [89, 'Inconclusive'],
    [75, 'Inconclusive'],
    [0, 'Failed'],
  ])('score %i with pass 90, marginal 75: %s', (score, phase) => {
    expect(kayentaPhase(score, 90, 75)).toBe(phase);
  });
});
