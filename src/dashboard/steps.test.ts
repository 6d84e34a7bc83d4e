import { describe, expect, it } from 'vitest';
import { describeStep, stepViews } from './steps.js';

describe('describeStep', () => {
  it.each([
    [{ setWeight: 20 }, 'setWeight', 'setWeight 20'],
    [{ pause: {} }, 'pause', 'pause'],
    [{ pause: { duration: '10s' } }, 'pause', 'pause 10s'],
    [{ pause: { duration: 30 } }, 'pause', 'pause 30s'],
    [
      { analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'latency' }] } },
      'analysis',
      'analysis success-rate, latency',
    ],
    [{ analysis: {} }, 'analysis', 'analysis'],
    [{ setCanaryScale: { weight: 50 } }, 'setCanaryScale', 'setCanaryScale 50%'],
    [{ setCanaryScale: { replicas: 3 } }, 'setCanaryScale', 'setCanaryScale 3 replicas'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'setCanaryScale', 'setCanaryScale matchTrafficWeight'],
    [{ setHeaderRoute: { name: 'header' } }, 'setHeaderRoute', 'setHeaderRoute header'],
    [{ experiment: {} }, 'experiment', 'experiment'],
    [
      {
        experiment: {
          duration: '5m',
          templates: [
            { name: 'baseline', specRef: 'stable' },
            { name: 'canary', specRef: 'canary' },
          ],
        },
      },
      'experiment',
      'experiment baseline (stable), canary (canary) 5m',
    ],
    // The page draws the text as text (Preact escapes it): the step says what the spec says.
    [{ experiment: { templates: [{ name: '<b>x</b>' }] } }, 'experiment', 'experiment <b>x</b>'],
    [{}, 'unknown', 'unknown'],
  ])('%j', (step, kind, text) => {
    expect(describeStep(step)).toEqual({ kind, text });
  });
});

describe('stepViews', () => {
  const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }];
  it.each([
    [undefined, ['current', 'pending', 'pending']],
    [0, ['current', 'pending', 'pending']],
    [1, ['done', 'current', 'pending']],
    [2, ['done', 'done', 'current']],
    [3, ['done', 'done', 'done']],
  ])('currentStepIndex %s', (index, states) => {
    expect(stepViews(steps, index).map((step) => step.state)).toEqual(states);
  });

  it('numbers the steps from 0, as status.currentStepIndex does', () => {
    expect(stepViews(steps, 1).map((step) => [step.index, step.text])).toEqual([
      [0, 'setWeight 20'],
      [1, 'pause'],
      [2, 'setWeight 40'],
    ]);
  });
});
