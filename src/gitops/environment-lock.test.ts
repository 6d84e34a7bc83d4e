import { describe, expect, it } from 'vitest';
import { decideAcquire, decideRelease, lockName, nextWaiting, readLockState, type LockState } from './environment-lock.js';

const free: LockState = { holder: undefined, waiting: [] };
const waiter = (pullRequest: number, repository = 'acme/deploys') => ({ repository, pullRequest });
const held = (pullRequest: number, waiting: number[] = []): LockState => ({
  holder: { repository: 'acme/deploys', pullRequest, headSha: 'a'.repeat(40) },
  waiting: waiting.map((number) => waiter(number)),
});
const ask = (pullRequest: number, headSha = 'b'.repeat(40), repository = 'acme/deploys') => ({ repository, pullRequest, headSha });

describe('the environment lock (pure decisions)', () => {
  it.each([
    ['a free lock is taken', free, ask(1), { kind: 'acquired', holder: 1, waiting: [] }],
    ['the holder asking again (a new push) keeps it with the new head', held(1), ask(1), { kind: 'acquired', holder: 1, waiting: [] }],
    ['another pull request waits, in order', held(1, [2]), ask(3), { kind: 'held', holder: 1, waiting: [2, 3] }],
    ['asking twice while waiting changes nothing', held(1, [2, 3]), ask(2), { kind: 'held', holder: 1, waiting: [2, 3] }],
    [
      'a pull request of another repository never queues behind this one',
      held(1),
      ask(2, 'c'.repeat(40), 'acme/other'),
      { kind: 'held', holder: 1, waiting: [] },
    ],
  ] as const)('%s', (_name, state, request, expected) => {
    const decision = decideAcquire(state, request);
    expect({
      kind: decision.kind,
      holder: decision.state.holder?.pullRequest,
      waiting: decision.state.waiting.map((entry) => entry.pullRequest),
    }).toEqual(expected);
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
    [
      'the same number in another repository releases nothing and leaves no queue',
      held(7, [8]),
      waiter(7, 'acme/other'),
      { holder: 7, waiting: [8] },
    ],
    [
      'the same number waiting in another repository stays in the queue',
      held(1, [7]),
      waiter(7, 'acme/other'),
      { holder: 1, waiting: [7] },
    ],
  ] as const)('%s', (_name, state, pullRequest, expected) => {
    const after = decideRelease(state, typeof pullRequest === 'number' ? waiter(pullRequest) : pullRequest);
    expect({ holder: after.holder?.pullRequest, waiting: after.waiting.map((entry) => entry.pullRequest) }).toEqual(expected);
  });

  it("lets the next pull request of the releasing repository in, never another repository's", () => {
    const state: LockState = { holder: undefined, waiting: [waiter(3, 'acme/other'), waiter(5), waiter(6)] };
    expect(nextWaiting(state, 'acme/deploys')).toBe(5);
    expect(nextWaiting(state, 'acme/other')).toBe(3);
    expect(nextWaiting(state, 'acme/third')).toBeUndefined();
    // A pull request of another repository taking a free lock does not inherit this repository's queue.
    const taken = decideAcquire(state, { repository: 'acme/third', pullRequest: 5, headSha: 'c'.repeat(40) });
    expect(taken.state.waiting).toEqual(state.waiting);
  });

  it('reads the state back from the Lease annotations, and a hand-broken annotation as a free lock', () => {
    const annotations = {
      'gradual.dev/lock-holder': JSON.stringify({ repository: 'acme/deploys', pullRequest: 4, headSha: 'a'.repeat(40) }),
      'gradual.dev/lock-waiting': '5,6',
    };
    expect(readLockState({ metadata: { annotations } })).toEqual({
      holder: { repository: 'acme/deploys', pullRequest: 4, headSha: 'a'.repeat(40) },
      waiting: [waiter(5), waiter(6)],
    });
    const named = { ...annotations, 'gradual.dev/lock-waiting': 'acme/deploys#5,acme/other#6' };
    expect(readLockState({ metadata: { annotations: named } }).waiting).toEqual([waiter(5), waiter(6, 'acme/other')]);
    // Without a holder a bare number names no repository, so it is dropped.
    expect(
      readLockState({ metadata: { annotations: { 'gradual.dev/lock-holder': '{nope', 'gradual.dev/lock-waiting': 'x,7,acme/a#8' } } }),
    ).toEqual({ holder: undefined, waiting: [waiter(8, 'acme/a')] });
    expect(readLockState(undefined)).toEqual(free);
  });

  it('names the Lease after the environment, as a valid object name', () => {
    expect(lockName('Production EU')).toBe('gradual-lock-production-eu');
    expect(lockName('x'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});
