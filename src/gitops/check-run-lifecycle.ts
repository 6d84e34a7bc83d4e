import type { CheckRunOutput } from './types.js';

/** What the bot knows of the newest check run of a name on a commit. */
export interface KnownCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
}

/**
 * Whether the next rendering of a check must go to a new run of the same name
 * instead of updating the known one. GitHub never changes a completed run's
 * status or conclusion (it answers 200 and ignores them; src/local/github/README.md,
 * "GitHub's rules"), and branch protection reads the newest run of a name; so a
 * check that leaves `completed` (a rollout paused `action_required`, then promoted)
 * or ends differently starts a new run, which becomes the merge gate. A completed
 * run whose conclusion stays is updated in place (its output may still change).
 */
export function needsNewCheckRun(known: KnownCheckRun | undefined, next: Pick<CheckRunOutput, 'status' | 'conclusion'>): boolean {
  if (known === undefined) return true;
  if (known.status !== 'completed') return false;
  return next.status !== 'completed' || (next.conclusion ?? null) !== known.conclusion;
}
