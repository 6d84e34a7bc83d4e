import { describe, expect, it } from 'vitest';
import { formatTimeline, formatTimelineEntry, playStory, type StoryStep } from './timeline.js';

/** A clock that moves only when a step says so. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1000;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

describe('playStory', () => {
  it('plays every step in order and times each from the story start', async () => {
    const clock = fakeClock();
    const steps: StoryStep<string[]>[] = [
      { title: 'first', run: (seen) => step(seen, 'first', 1500, 'one') },
      { title: 'second', run: (seen) => step(seen, 'second', 2500, '') },
    ];
    function step(seen: string[], title: string, takesMs: number, detail: string): Promise<string> {
      clock.advance(takesMs);
      seen.push(title);
      return Promise.resolve(detail);
    }
    const seen: string[] = [];
    const result = await playStory(steps, seen, clock.now);
    expect(seen).toEqual(['first', 'second']);
    expect(result.ok).toBe(true);
    expect(result.entries.map((entry) => [entry.title, entry.startedMs, entry.endedMs, entry.outcome, entry.detail])).toEqual([
      ['first', 0, 1500, 'held', 'one'],
      ['second', 1500, 4000, 'held', ''],
    ]);
  });

  it('stops at the first failure, records its message and plays nothing after it', async () => {
    const clock = fakeClock();
    const played: string[] = [];
    const play = (title: string, then: () => Promise<string>): Promise<string> => {
      played.push(title);
      return then();
    };
    const steps: StoryStep<undefined>[] = [
      { title: 'holds', run: () => play('holds', () => Promise.resolve('ok')) },
      {
        title: 'breaks',
        run: () =>
          play('breaks', () => {
            clock.advance(700);
            return Promise.reject(new Error('expected 405, got 200'));
          }),
      },
      { title: 'never', run: () => play('never', () => Promise.resolve('')) },
    ];
    const reported: string[] = [];
    const result = await playStory(steps, undefined, clock.now, (entry) => reported.push(entry.title));
    expect(played).toEqual(['holds', 'breaks']);
    expect(reported).toEqual(['holds', 'breaks']);
    expect(result.ok).toBe(false);
    expect(result.entries[1]).toMatchObject({ outcome: 'failed', detail: 'expected 405, got 200', startedMs: 0, endedMs: 700 });
  });
});

describe('formatting the timeline', () => {
  it.each([
    [
      { title: 'plan passes', startedMs: 0, endedMs: 2340, outcome: 'held' as const, detail: '"1 change"' },
      '   2.3 s  (+2.3 s)  ✔ plan passes — "1 change"',
    ],
    [
      { title: 'merge refused', startedMs: 61_000, endedMs: 61_050, outcome: 'failed' as const, detail: '' },
      '  61.0 s  (+0.1 s)  ✘ merge refused',
    ],
  ])('%# %o', (entry, line) => {
    expect(formatTimelineEntry(entry)).toBe(line);
  });

  it('ends with the verdict: the count and total time, or the step that failed', () => {
    const held = { title: 'a', startedMs: 0, endedMs: 90_000, outcome: 'held' as const, detail: '' };
    expect(formatTimeline([held, held], true).split('\n').at(-1)).toBe('Every expectation held (2 in 90.0 s).');
    expect(
      formatTimeline([held, { ...held, title: 'b', outcome: 'failed' }], false)
        .split('\n')
        .at(-1),
    ).toBe('Failed at: b.');
  });
});
