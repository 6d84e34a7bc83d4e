import { describe, expect, it } from 'vitest';
import { compileExpr } from './expr.js';

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

describe('expr-lang subset for trigger conditions', () => {
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

  it.each([
    ['time.Now().Sub(time.Parse(rollout.status.x)) > 0', 'method calls (Now()) are not supported'],
    ["rollout.status.phase matches '^D'", 'the operator matches is not supported'],
    ['exec(rollout)', 'the function exec() is not supported'],
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
});
