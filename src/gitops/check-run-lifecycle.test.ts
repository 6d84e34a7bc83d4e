import { describe, expect, it } from 'vitest';
import { needsNewCheckRun, type KnownCheckRun } from './check-run-lifecycle.js';

const run = (status: string, conclusion: string | null = null): KnownCheckRun => ({ id: 7, status, conclusion });

describe('needsNewCheckRun', () => {
  it.each<
    [
      string,
      KnownCheckRun | undefined,
      { status: 'queued' | 'in_progress' | 'completed'; conclusion?: 'success' | 'failure' | 'action_required' },
      boolean,
    ]
  >([
    ['no run yet', undefined, { status: 'queued' }, true],
    ['queued → in_progress', run('queued'), { status: 'in_progress' }, false],
    ['in_progress → completed', run('in_progress'), { status: 'completed', conclusion: 'action_required' }, false],
    [
      'paused (completed action_required) → in_progress after /promote',
      run('completed', 'action_required'),
      { status: 'in_progress' },
      true,
    ],
    ['paused → success directly', run('completed', 'action_required'), { status: 'completed', conclusion: 'success' }, true],
    ['failure → queued (a retry)', run('completed', 'failure'), { status: 'queued' }, true],
    ['success → success (only the output changes)', run('completed', 'success'), { status: 'completed', conclusion: 'success' }, false],
    [
      'action_required → action_required (a later pause step)',
      run('completed', 'action_required'),
      { status: 'completed', conclusion: 'action_required' },
      false,
    ],
  ])('%s', (_, known, next, expected) => {
    expect(needsNewCheckRun(known, next)).toBe(expected);
  });
});
