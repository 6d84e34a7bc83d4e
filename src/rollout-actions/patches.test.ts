import { describe, expect, it } from 'vitest';
import {
  abortPatch,
  formatRfc3339,
  isDerivative,
  parseImageUpdate,
  pausePatch,
  promotePlan,
  promoteRefusal,
  restartDelaySeconds,
  restartPatch,
  resumePatch,
  retryRolloutPatch,
  templateForUndo,
  undoPatch,
  withImage,
  type PromoteOptions,
  type PromotePlan,
} from './patches.js';
import type { RolloutObject } from '../rollout-view/types.js';
import { parseGoDuration } from '../api/index.js';

// Expected bodies are Argo v1.9.1's patch constants (pkg/kubectl-argo-rollouts/cmd/*), parsed.
const unpause = { spec: { paused: false } };

function canary(status: RolloutObject['status'], spec: { paused?: boolean; steps?: number; trafficRouting?: boolean } = {}): RolloutObject {
  const steps = Array.from({ length: spec.steps ?? 4 }, (_, i) => (i % 2 === 0 ? { setWeight: (i + 1) * 10 } : { pause: {} }));
  return {
    metadata: { name: 'web', namespace: 'shop' },
    spec: { ...(spec.paused === undefined ? {} : { paused: spec.paused }), strategy: { canary: { steps } } },
    status,
  };
}

function blueGreen(status: RolloutObject['status'], paused = false): RolloutObject {
  return { metadata: { name: 'web' }, spec: { paused, strategy: { blueGreen: { activeService: 'web' } } }, status };
}

const pausedAtStep = [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }];

describe('promote', () => {
  it.each<[string, RolloutObject, PromoteOptions, PromotePlan]>([
    [
      'canary paused at a pause step: clear the pause conditions (step index left to the controller)',
      canary({ currentStepIndex: 1, pauseConditions: pausedAtStep, controllerPause: true }),
      {},
      { status: { status: { pauseConditions: null } }, fallback: { spec: { paused: false }, status: { pauseConditions: null } } },
    ],
    [
      'canary not paused (a setWeight step in progress): skip the current step',
      canary({ currentStepIndex: 2 }),
      {},
      {
        status: { status: { pauseConditions: null, currentStepIndex: 3 } },
        fallback: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 3 } },
      },
    ],
    [
      'canary without a step index yet: step 0 is the current one',
      canary({}),
      {},
      {
        status: { status: { pauseConditions: null, currentStepIndex: 1 } },
        fallback: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 1 } },
      },
    ],
    [
      'canary past its last step: the index stays',
      canary({ currentStepIndex: 4 }),
      {},
      {
        status: { status: { pauseConditions: null, currentStepIndex: 4 } },
        fallback: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 4 } },
      },
    ],
    [
      'manually paused canary at a pause step: unpause the spec too',
      canary({ currentStepIndex: 1, pauseConditions: pausedAtStep }, { paused: true }),
      {},
      {
        spec: unpause,
        status: { status: { pauseConditions: null } },
        fallback: { spec: { paused: false }, status: { pauseConditions: null } },
      },
    ],
    [
      'paused on an inconclusive step analysis: clear controllerPause and go to the next step',
      canary({
        currentStepIndex: 1,
        controllerPause: true,
        pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }],
        canary: { currentStepAnalysisRunStatus: { status: 'Inconclusive' } },
      }),
      {},
      {
        status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 } },
        fallback: { spec: { paused: false }, status: { pauseConditions: null } },
      },
    ],
    ['canary without steps and not paused: nothing to send', canary({}, { steps: 0 }), {}, {}],
    [
      'blue-green paused before promotion: clear the pause conditions only',
      blueGreen({ pauseConditions: [{ reason: 'BlueGreenPause' }], controllerPause: true }),
      {},
      { status: { status: { pauseConditions: null } }, fallback: { spec: { paused: false }, status: { pauseConditions: null } } },
    ],
    ['blue-green not paused: nothing (a blue-green has no steps to skip)', blueGreen({}), {}, {}],
    ['blue-green manually paused: unpause only', blueGreen({}, true), {}, { spec: unpause }],
    [
      '--full on an unpromoted canary: promoteFull',
      canary({ currentPodHash: 'new', stableRS: 'old', pauseConditions: pausedAtStep }),
      { full: true },
      { status: { status: { promoteFull: true } }, fallback: { spec: { paused: false }, status: { promoteFull: true } } },
    ],
    [
      '--full on a manually paused blue-green: unpause and promoteFull',
      blueGreen({ currentPodHash: 'new', stableRS: 'old' }, true),
      { full: true },
      { spec: unpause, status: { status: { promoteFull: true } }, fallback: { spec: { paused: false }, status: { promoteFull: true } } },
    ],
    ['--full on a fully promoted rollout: nothing', canary({ currentPodHash: 'same', stableRS: 'same' }), { full: true }, {}],
    [
      '--skip-current-step: the next index alone',
      canary({ currentStepIndex: 1, pauseConditions: pausedAtStep }),
      { skipCurrentStep: true },
      { status: { status: { currentStepIndex: 2 } }, fallback: { status: { currentStepIndex: 2 } } },
    ],
    [
      '--skip-all-steps: the index past the last step',
      canary({ currentStepIndex: 1 }),
      { skipAllSteps: true },
      { status: { status: { currentStepIndex: 4 } }, fallback: { status: { currentStepIndex: 4 } } },
    ],
  ])('%s', (_, rollout, options, expected) => {
    expect(promotePlan(rollout, options)).toEqual(expected);
  });

  it.each<[RolloutObject, PromoteOptions, string | undefined]>([
    [canary({}), { skipCurrentStep: true, skipAllSteps: true }, 'Cannot use skip-current-step and skip-all-steps flags at the same time'],
    [blueGreen({}), { skipAllSteps: true }, 'Cannot skip steps of a bluegreen rollout. Run without a flags'],
    [canary({}, { steps: 0 }), { skipCurrentStep: true }, 'Cannot skip steps of a rollout without steps'],
    [blueGreen({}), { full: true }, undefined],
  ])('refuses Argo’s impossible flag combinations (%#)', (rollout, options, message) => {
    expect(promoteRefusal(rollout, options)).toBe(message);
  });
});

describe('the single-patch verbs', () => {
  it.each([
    ['abort', abortPatch(), { target: 'status', body: { status: { abort: true } } }],
    ['retry rollout', retryRolloutPatch(), { target: 'status', body: { status: { abort: false } } }],
    ['pause', pausePatch(), { target: 'resource', body: { spec: { paused: true } } }],
    ['resume', resumePatch(), { target: 'resource', body: { spec: { paused: false } } }],
    [
      'restart',
      restartPatch(new Date('2026-11-23T17:18:05.789Z')),
      { target: 'resource', body: { spec: { restartAt: '2026-11-23T17:18:05Z' } } },
    ],
  ])('%s sends %j', (_, patch, expected) => {
    expect(patch).toEqual(expected);
  });

  it('formats restartAt as Go’s RFC 3339 in UTC, truncated to the second', () => {
    expect(formatRfc3339(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)))).toBe('2026-01-02T03:04:05Z');
  });

  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['45', 45],
    ['soon', undefined],
  ])('restart --in %s is %s seconds', (text, seconds) => {
    expect(restartDelaySeconds(text, parseGoDuration)).toBe(seconds);
  });
});

describe('undo', () => {
  const template = {
    metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': 'abc123' }, annotations: { a: 'b' } },
    spec: { containers: [{ name: 'web', image: 'web:1' }] },
  };

  it('replaces the whole template with the revision’s, without the hash label (a JSON patch)', () => {
    const restored = templateForUndo(template, 'rollouts-pod-template-hash');
    expect(undoPatch(restored)).toEqual([
      {
        op: 'replace',
        path: '/spec/template',
        value: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      },
    ]);
    expect(template.metadata.labels['rollouts-pod-template-hash']).toBe('abc123');
  });

  it.each([
    [{ spec: { containers: [{ name: 'web', image: 'web:1' }] } }, template, true],
    [{ spec: { containers: [{ name: 'web', image: 'web:2' }] } }, template, false],
    [{ metadata: { labels: {} }, spec: { containers: [{ name: 'web', image: '' }] } }, template, true],
    [{ spec: { containers: [{ name: 'web' }, { name: 'side' }] } }, template, false],
  ])('Semantic.DeepDerivative(%j, revision) is %s', (current, revision, expected) => {
    expect(isDerivative(current, revision)).toBe(expected);
  });
});

describe('set image', () => {
  const rollout = {
    metadata: { name: 'web' },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'migrate', image: 'migrate:1' }],
          containers: [
            { name: 'web', image: 'web:1' },
            { name: 'proxy', image: 'proxy:1' },
          ],
          ephemeralContainers: [{ name: 'debug', image: 'busybox:1' }],
        },
      },
    },
  };

  it.each([
    ['web=web:2', { init: 'migrate:1', containers: ['web:2', 'proxy:1'], ephemeral: 'busybox:1' }],
    ['migrate=migrate:2', { init: 'migrate:2', containers: ['web:1', 'proxy:1'], ephemeral: 'busybox:1' }],
    ['debug=busybox:2', { init: 'migrate:1', containers: ['web:1', 'proxy:1'], ephemeral: 'busybox:2' }],
    ['*=all:9', { init: 'all:9', containers: ['all:9', 'all:9'], ephemeral: 'all:9' }],
  ])('%s', (pair, expected) => {
    const update = parseImageUpdate(pair);
    if (update === undefined) throw new Error('unparsed');
    const spec = withImage(rollout, update)?.spec.template.spec;
    expect({
      init: spec?.initContainers[0]?.image,
      containers: spec?.containers.map((c) => c.image),
      ephemeral: spec?.ephemeralContainers[0]?.image,
    }).toEqual(expected);
    expect(rollout.spec.template.spec.containers[0]?.image).toBe('web:1');
  });

  it('reports an unknown container and a malformed pair', () => {
    expect(withImage(rollout, { container: 'nope', image: 'x' })).toBeUndefined();
    expect(parseImageUpdate('web')).toBeUndefined();
    expect(parseImageUpdate('web=a=b')).toBeUndefined();
  });
});
