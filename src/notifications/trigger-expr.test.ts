import { describe, expect, it } from 'vitest';
import { compileExpr, triggerTime } from './trigger-expr.js';

const rollout = {
  metadata: { name: 'web', annotations: { 'rollout.argoproj.io/revision': '3' } },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'argoproj/rollouts-demo:purple' }] } } },
  status: {
    phase: 'Degraded',
    currentStepIndex: 2,
    conditions: [
      { type: 'Progressing', status: 'False' },
      { type: 'Paused', status: 'True' },
    ],
  },
};

describe('trigger conditions, in the shared expression evaluator (src/condition)', () => {
  it.each([
    // Argo's docs (features/notifications.md, custom trigger).
    ["rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'", true],
    ["rollout.status.phase == 'Degraded'", true],
    ["any(rollout.status.conditions, {.type == 'Paused'})", true],
    ["any(rollout.status.conditions, {#.type == 'Available'})", false],
    ["all(rollout.status.conditions, {.status in ['True', 'False']})", true],
    ["none(rollout.status.conditions, {.type == 'Paused' && .status == 'False'})", true],
    ["len(filter(rollout.status.conditions, {.status == 'True'})) == 1", true],
    ["count(rollout.status.conditions, {.status == 'True'})", 1],
    ['map(rollout.status.conditions, {.type})', ['Progressing', 'Paused']],
    ["rollout.status.currentStepIndex >= 2 and not (rollout.status.phase == 'Healthy')", true],
    ['rollout.status.currentStepIndex + 1', 3],
    ["rollout.metadata.annotations['rollout.argoproj.io/revision']", '3'],
    ['rollout.status.nope == nil', true],
    ['rollout.status.nope?.deeper', null],
    ["rollout.status.phase != 'Degraded' || rollout.status.currentStepIndex == 2", true],
    ["'Paused' not in map(rollout.status.conditions, {.type})", false],
    ["rollout.status.phase == 'Degraded' ? 'bad' : 'ok'", 'bad'],
    ['rollout.spec.template.spec.containers[-1].name', 'app'],
  ])('%s', (source, expected) => {
    expect(compileExpr(source).evaluate({ rollout })).toEqual(expected);
  });

  // time.Now() and matches were refused by the notifications-only copy of the evaluator; the shared one has them (see below).
  it.each([
    ['exec(rollout)', 'unknown function exec'],
    ["rollout.status.phase == 'x", 'unterminated string literal'],
    ['rollout.status.phase ==', 'unexpected end of expression'],
  ])('refuses %s when compiled, naming it', (source, message) => {
    expect(() => compileExpr(source)).toThrow(message);
  });

  it.each([
    ['rollout.status.nope.deeper', 'cannot fetch deeper from <nil>'],
    ['unknown.field', 'unknown name unknown'],
    ['rollout.status.phase + 1', 'invalid operation'],
    ['rollout.spec.template.spec.containers[5]', 'index out of range'],
  ])('fails %s when run, as expr does', (source, message) => {
    expect(() => compileExpr(source).evaluate({ rollout })).toThrow(message);
  });

  it('a hostile expression is data: no JavaScript is evaluated and prototype names are not reachable', () => {
    expect(compileExpr('rollout.constructor == nil').evaluate({ rollout })).toBe(true);
    expect(compileExpr("rollout['__proto__'] == nil").evaluate({ rollout })).toBe(true);
    expect(() => compileExpr('process.exit(1)').evaluate({ rollout })).toThrow();
  });

  const now = Date.parse('2026-12-07T12:00:00Z');
  const vars = {
    rollout: { ...rollout, metadata: { ...rollout.metadata, creationTimestamp: '2026-12-07T11:50:00Z' } },
    time: triggerTime(now),
  };

  it.each([
    // notifications-engine's catalogue style: how long since a timestamp.
    ['time.Now().Sub(time.Parse(rollout.metadata.creationTimestamp)).Minutes() >= 5', true],
    ['time.Now().Sub(time.Parse(rollout.metadata.creationTimestamp)).Minutes()', 10],
    ['time.Now().Sub(time.Parse(rollout.metadata.creationTimestamp)) > 0', true],
    ["time.Now().Sub(time.Parse('2026-12-07T11:59:59.5Z')).String()", '500ms'],
    ['time.Parse(rollout.metadata.creationTimestamp).Before(time.Now())', true],
    ['time.Now() - time.Parse(rollout.metadata.creationTimestamp) == time.Now().Sub(time.Parse(rollout.metadata.creationTimestamp))', true],
    ["time.Now().Format('2006-01-02 15:04')", '2026-12-07 12:00'],
    ["time.Parse('2026-12-07T13:00:00+01:00') == time.Now()", true],
    ['time.Now().Unix()', now / 1000],
    ["rollout.status.phase in ['Degraded', 'Paused']", true],
    ["rollout.status.phase matches '^D'", true],
    ["rollout.status.phase startsWith 'Deg'", true],
  ])('%s', (source, expected) => {
    expect(compileExpr(source).evaluate(vars)).toEqual(expected);
  });

  it.each([
    ["time.Parse('yesterday')", 'parsing time "yesterday"'],
    ['time.Now().Sub(1)', 'Time.Sub: argument 1 is number, not time.Time'],
    ['time.Now().Nope()', 'type time.Time has no method Nope'],
    ['time.Nope()', 'Nope is not a function (nil)'],
    ['rollout.status.phase.Sub(1)', 'type string has no method Sub'],
    ['time.Now() > 1', 'invalid operation: > (mismatched types time.Time and int)'],
  ])('fails %s when run, naming the column', (source, message) => {
    expect(() => compileExpr(source).evaluate(vars)).toThrow(message);
  });

  it('time.Now without a clock fails the trigger rather than reading the wall clock', () => {
    expect(() => compileExpr('time.Now().Unix() > 0').evaluate({ rollout, time: triggerTime(undefined) })).toThrow(
      'time.Now: no clock was given to the trigger (column',
    );
  });
});
