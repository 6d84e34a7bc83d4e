import { describe, expect, it } from 'vitest';
import { decideAcquire, decideRelease, lockName, readLockState, type LockState } from './environment-lock.js';

const free: LockState = { holder: undefined, waiting: [] };
const held = (pullRequest: number, waiting: number[] = []): LockState => ({ holder: { repository: 'acme/deploys', pullRequest, headSha: 'a'.repeat(40) }, waiting });
const ask = (pullRequest: number, headSha = 'b'.repeat(40), repository = 'acme/deploys') => ({ repository, pullRequest, headSha });

describe('the environment lock (pure decisions)', () => {
  it.each([
    ['a free lock is taken', free, ask(1), { kind: 'acquired', holder: 1, waiting: [] }],
    ['the holder asking again (a new push) keeps it with the new head', held(1), ask(1), { kind: 'acquired', holder: 1, waiting: [] }],
    ['another pull request waits, in order', held(1, [2]), ask(3), { kind: 'held', holder: 1, waiting: [2, 3] }],
    ['asking twice while waiting changes nothing', held(1, [2, 3]), ask(2), { kind: 'held', holder: 1, waiting: [2, 3] }],
    ['a pull request of another repository never queues behind this one', held(1), ask(2, 'c'.repeat(40), 'acme/other'), { kind: 'held', holder: 1, waiting: [] }],
  ] as const)('%s', (_name, state, request, expected) => {
    const decision = decideAcquire(state, request);
    expect({ kind: decision.kind, holder: decision.state.holder?.pullRequest, waiting: decision.state.waiting }).toEqual(expected);
  });

  it('the new head SHA replaces the old one when the holder pushes again; the same SHA again is a repeat', () => {
    const newHead = decideAcquire(held(1), ask(1, 'f'.repeat(40)));
    expect([newHead.state.holder?.headSha, newHead.kind === 'acquired' && newHead.already]).toEqual(['f'.repeat(40), false]);
    const repeat = decideAcquire(held(1), ask(1, 'a'.repeat(40)));
    expect(repeat.kind === 'acquired' && repeat.already).toBe(true);
    const first = decideAcquire(free, ask(1));
    expect(first.kind === 'acquired' && first.already).toBe(false);
  });

  it.each([
    ['the holder lets go; the waiting stay in order', held(1, [2, 3]), 1, { holder: undefined, waiting: [2, 3] }],
    ['a waiting pull request closes: it leaves the queue', held(1, [2, 3]), 2, { holder: 1, waiting: [3] }],
    ['a stranger releasing changes nothing', held(1, [2]), 9, { holder: 1, waiting: [2] }],
  ] as const)('%s', (_name, state, pullRequest, expected) => {
    const after = decideRelease(state, pullRequest);
    expect({ holder: after.holder?.pullRequest, waiting: after.waiting }).toEqual(expected);
  });

  it('reads the state back from the Lease annotations, and a hand-broken annotation as a free lock', () => {
    const annotations = { 'gradual.dev/lock-holder': JSON.stringify({ repository: 'acme/deploys', pullRequest: 4, headSha: 'a'.repeat(40) }), 'gradual.dev/lock-waiting': '5,6' };
    expect(readLockState({ metadata: { annotations } })).toEqual({ holder: { repository: 'acme/deploys', pullRequest: 4, headSha: 'a'.repeat(40) }, waiting: [5, 6] });
    expect(readLockState({ metadata: { annotations: { 'gradual.dev/lock-holder': '{nope', 'gradual.dev/lock-waiting': 'x,7' } } })).toEqual({ holder: undefined, waiting: [7] });
    expect(readLockState(undefined)).toEqual(free);
  });

  it('names the Lease after the environment, as a valid object name', () => {
    expect(lockName('Production EU')).toBe('gradual-lock-production-eu');
    expect(lockName('x'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});
