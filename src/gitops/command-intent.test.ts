import { describe, expect, it } from 'vitest';
import type { RolloutObject } from '../rollout-view/types.js';
import { commandsAnnotation, decideCommand, readCommandRecords, recordsKept, withRecord, type CommandRecord } from './command-intent.js';

const now = new Date('2026-12-07T09:00:00Z');
const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }];

function rollout(
  status: {
    step: number;
    paused?: boolean;
    podHash?: string;
    stable?: string;
    abort?: boolean;
    promoteFull?: boolean;
    specPaused?: boolean;
  },
  records: CommandRecord[] = [],
): RolloutObject {
  return {
    metadata: {
      name: 'api',
      namespace: 'shop',
      resourceVersion: '7',
      ...(records.length > 0 && { annotations: { [commandsAnnotation]: JSON.stringify(records) } }),
    },
    spec: { paused: status.specPaused ?? false, strategy: { canary: { steps } } },
    status: {
      currentStepIndex: status.step,
      currentPodHash: status.podHash ?? 'new',
      stableRS: status.stable ?? 'old',
      abort: status.abort ?? false,
      promoteFull: status.promoteFull ?? false,
      pauseConditions: status.paused === true ? [{ reason: 'CanaryPauseStep' }] : [],
    },
  };
}

const record = (
  id: string,
  action: CommandRecord['action'],
  from: { step: number; paused: boolean; podHash?: string; aborted?: boolean },
): CommandRecord => ({
  id,
  action,
  from: { podHash: from.podHash ?? 'new', step: from.step, paused: from.paused, aborted: from.aborted ?? false },
  at: now.toISOString(),
});

describe('a command recorded before it acts (command-intent.ts)', () => {
  it.each([
    [
      'a new /promote at a pause is recorded with what was seen: step 1, paused',
      rollout({ step: 1, paused: true }),
      [],
      { kind: 'record', from: { step: 1, paused: true } },
    ],
    [
      'a replay after the effect (pause lifted, step not yet moved) is done: not promoted twice',
      rollout({ step: 1, paused: false }),
      [record('c#0', 'promote', { step: 1, paused: true })],
      { kind: 'done' },
    ],
    [
      'a replay after the Rollout went on to the next pause is done: never skips step 3',
      rollout({ step: 3, paused: true }),
      [record('c#0', 'promote', { step: 1, paused: true })],
      { kind: 'done' },
    ],
    [
      'killed between record and effect: still at step 1 and paused, so it acts (nothing lost)',
      rollout({ step: 1, paused: true }),
      [record('c#0', 'promote', { step: 1, paused: true })],
      { kind: 'act' },
    ],
    [
      'a record for an older revision never acts on the new one',
      rollout({ step: 1, paused: true, podHash: 'newer' }),
      [record('c#0', 'promote', { step: 1, paused: true })],
      { kind: 'superseded' },
    ],
    [
      'a /promote (no pause: skip the step) replayed after the step moved is done',
      rollout({ step: 3, paused: true }),
      [record('c#0', 'promote', { step: 2, paused: false })],
      { kind: 'done' },
    ],
    [
      'a full promote replayed once promoteFull is set is done',
      rollout({ step: 1, promoteFull: true }),
      [record('c#0', 'promote-full', { step: 1, paused: true })],
      { kind: 'done' },
    ],
    [
      'an /abort replayed on an aborted Rollout is done',
      rollout({ step: 2, abort: true }),
      [record('c#0', 'abort', { step: 2, paused: false })],
      { kind: 'done' },
    ],
    [
      'a /retry replayed once the abort is lifted is done (not a second retry)',
      rollout({ step: 0 }),
      [record('c#0', 'retry', { step: 2, paused: false, aborted: true })],
      { kind: 'done' },
    ],
    ['a new /abort on an aborted Rollout is refused with the reason', rollout({ step: 2, abort: true }), [], { kind: 'refused' }],
    [
      'another command’s record does not count for this one',
      rollout({ step: 1, paused: true }),
      [record('c#1', 'promote', { step: 1, paused: true })],
      { kind: 'record', from: { step: 1, paused: true } },
    ],
    [
      'a /pause replayed once paused is done',
      rollout({ step: 2, specPaused: true }),
      [record('c#0', 'pause', { step: 2, paused: false })],
      { kind: 'done' },
    ],
  ] as const)('%s', (_name, live, records, expected) => {
    const decision = decideCommand(
      {
        ...live,
        metadata: { ...live.metadata, ...(records.length > 0 && { annotations: { [commandsAnnotation]: JSON.stringify(records) } }) },
      },
      records[0]?.action === 'abort' || _name.includes('/abort')
        ? { kind: 'abort' }
        : records[0]?.action === 'retry'
          ? { kind: 'retry' }
          : records[0]?.action === 'pause'
            ? { kind: 'pause' }
            : { kind: 'promote', full: records[0]?.action === 'promote-full' },
      'c#0',
      now,
    );
    expect(decision.kind).toBe(expected.kind);
    if ('from' in expected && decision.kind === 'record')
      expect({ step: decision.record.from.step, paused: decision.record.from.paused }).toEqual(expected.from);
  });

  it('the record keeps the newest records only, and replaces its own id', () => {
    let live = rollout({ step: 1, paused: true });
    for (let index = 0; index < recordsKept + 5; index += 1) {
      live = {
        ...live,
        metadata: {
          ...live.metadata,
          annotations: { [commandsAnnotation]: withRecord(live, record(`c#${String(index)}`, 'promote', { step: 1, paused: true })) },
        },
      };
    }
    const records = readCommandRecords(live);
    expect(records).toHaveLength(recordsKept);
    expect(records.at(-1)?.id).toBe(`c#${String(recordsKept + 4)}`);
    const again = withRecord(live, record(`c#${String(recordsKept + 4)}`, 'abort', { step: 2, paused: false }));
    expect(
      (JSON.parse(again) as CommandRecord[]).filter((entry) => entry.id === `c#${String(recordsKept + 4)}`).map((entry) => entry.action),
    ).toEqual(['abort']);
  });

  it('hostile: a hand-written or garbled annotation reads as no record (it can claim nothing was done, never that something was)', () => {
    for (const value of [
      'not json',
      '{"id":"c#0"}',
      JSON.stringify([{ id: 'c#0', action: 'delete-everything', from: {}, at: '' }]),
      JSON.stringify([{ id: '', action: 'promote', from: { podHash: 'new', step: 1, paused: true, aborted: false }, at: '' }]),
    ]) {
      const live = rollout({ step: 1, paused: true });
      live.metadata.annotations = { [commandsAnnotation]: value };
      expect(readCommandRecords(live)).toEqual([]);
      expect(decideCommand(live, { kind: 'promote', full: false }, 'c#0', now).kind).toBe('record');
    }
  });
});
