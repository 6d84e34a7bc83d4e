import { describe, expect, it } from 'vitest';
import { isRetryable } from '../errors/terminal-error.js';
import type { RolloutObject } from '../rollout-view/types.js';
import type { MergePatch } from './patches.js';
import { runRolloutAction, type RolloutAction, type RolloutWriter } from './run-action.js';

type Call = ['status' | 'object', MergePatch];

/** A writer that records what it was asked to send; `subresource: false` answers as a CRD without the status subresource. */
function recordingWriter(subresource = true): { writer: RolloutWriter; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    writer: {
      patchStatus(body) {
        calls.push(['status', body]);
        return Promise.resolve(subresource ? 'patched' : 'no-subresource');
      },
      patchObject(body) {
        calls.push(['object', body]);
        return Promise.resolve();
      },
    },
  };
}

const pausedCanary: RolloutObject = {
  metadata: { name: 'web' },
  spec: { paused: true, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
  status: {
    currentStepIndex: 1,
    currentPodHash: 'new',
    stableRS: 'old',
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
  },
};
const blueGreen: RolloutObject = { metadata: { name: 'web' }, spec: { strategy: { blueGreen: { activeService: 'web' } } }, status: {} };
const at = new Date('2026-12-07T10:00:00.123Z');

describe('the one action runner (CLI, bot and dashboard)', () => {
  it.each<[string, RolloutObject, RolloutAction, boolean, Call[], string]>([
    [
      'promote: the status patch, then the spec patch',
      pausedCanary,
      { kind: 'promote' },
      true,
      [
        ['status', { status: { pauseConditions: null } }],
        ['object', { spec: { paused: false } }],
      ],
      "rollout 'web' promoted",
    ],
    [
      'promote without a status subresource: one unified patch to the object instead of the spec patch',
      pausedCanary,
      { kind: 'promote' },
      false,
      [
        ['status', { status: { pauseConditions: null } }],
        ['object', { spec: { paused: false }, status: { pauseConditions: null } }],
      ],
      "rollout 'web' promoted",
    ],
    [
      'promote --full',
      pausedCanary,
      { kind: 'promote', full: true },
      true,
      [
        ['status', { status: { promoteFull: true } }],
        ['object', { spec: { paused: false } }],
      ],
      "rollout 'web' fully promoted",
    ],
    [
      'abort: status subresource',
      pausedCanary,
      { kind: 'abort' },
      true,
      [['status', { status: { abort: true } }]],
      "rollout 'web' aborted",
    ],
    [
      'abort without a status subresource: the same patch to the object',
      pausedCanary,
      { kind: 'abort' },
      false,
      [
        ['status', { status: { abort: true } }],
        ['object', { status: { abort: true } }],
      ],
      "rollout 'web' aborted",
    ],
    ['retry', pausedCanary, { kind: 'retry' }, true, [['status', { status: { abort: false } }]], "rollout 'web' retried"],
    ['pause: the object only', pausedCanary, { kind: 'pause' }, true, [['object', { spec: { paused: true } }]], "rollout 'web' paused"],
    ['resume: the object only', pausedCanary, { kind: 'resume' }, true, [['object', { spec: { paused: false } }]], "rollout 'web' resumed"],
    [
      'restart: restartAt in whole seconds',
      pausedCanary,
      { kind: 'restart', at },
      true,
      [['object', { spec: { restartAt: '2026-12-07T10:00:00Z' } }]],
      "rollout 'web' restarted",
    ],
  ])('%s', async (_name, rollout, action, subresource, expected, line) => {
    const { writer, calls } = recordingWriter(subresource);
    await expect(runRolloutAction(writer, 'web', action, () => Promise.resolve(rollout))).resolves.toBe(line);
    expect(calls).toEqual(expected);
  });

  it('reads the Rollout only for promote (the other patches are blind, as in Argo)', async () => {
    const { writer } = recordingWriter();
    let reads = 0;
    const read = () => {
      reads += 1;
      return Promise.resolve(pausedCanary);
    };
    for (const kind of ['abort', 'retry', 'pause', 'resume'] as const) await runRolloutAction(writer, 'web', { kind }, read);
    expect(reads).toBe(0);
    await runRolloutAction(writer, 'web', { kind: 'promote' }, read);
    expect(reads).toBe(1);
  });

  it('refuses a promote Argo refuses before sending anything (nothing half-applied)', async () => {
    const { writer, calls } = recordingWriter();
    await expect(
      runRolloutAction(writer, 'web', { kind: 'promote', skipCurrentStep: true }, () => Promise.resolve(blueGreen)),
    ).rejects.toThrow('Cannot skip steps of a bluegreen rollout. Run without a flags');
    await expect(
      runRolloutAction(writer, 'web', { kind: 'promote', skipCurrentStep: true, skipAllSteps: true }, () => Promise.resolve(pausedCanary)),
    ).rejects.toThrow('Cannot use skip-current-step and skip-all-steps flags at the same time');
    expect(calls).toEqual([]);
  });

  it("a refusal is the user's to fix: not retryable, so a queue forgets the key instead of backing off", async () => {
    const refused: unknown = await runRolloutAction(recordingWriter().writer, 'web', { kind: 'promote', skipAllSteps: true }, () =>
      Promise.resolve(blueGreen),
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'REFUSED', retryable: false });
    expect(isRetryable(refused)).toBe(false);
    // A failure of the cluster is still retried.
    const failed: unknown = await runRolloutAction(
      { patchStatus: () => Promise.reject(new Error('HTTP 503')), patchObject: () => Promise.resolve() },
      'web',
      { kind: 'promote' },
      () => Promise.resolve(pausedCanary),
    ).catch((error: unknown) => error);
    expect(isRetryable(failed)).toBe(true);
  });

  it('a failing status patch stops the sequence (no spec patch after it)', async () => {
    const calls: string[] = [];
    const writer: RolloutWriter = {
      patchStatus: () => Promise.reject(new Error('forbidden (HTTP 403)')),
      patchObject: () => {
        calls.push('object');
        return Promise.resolve();
      },
    };
    await expect(runRolloutAction(writer, 'web', { kind: 'promote' }, () => Promise.resolve(pausedCanary))).rejects.toThrow('forbidden');
    expect(calls).toEqual([]);
  });
});
