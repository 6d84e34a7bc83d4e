import { Cron } from 'croner';
import type { ActiveFreeze, FreezeWindow } from './types.js';

/** How many overlapping or touching occurrences a freeze may run on through before its end is taken as found. */
const maxChainedOccurrences = 1000;

/**
 * The freeze window active at `now`, if any, and when deploys are possible
 * again: the first instant at or after now when no window is active, so
 * windows that overlap or touch run on. A window is active from its start
 * (included) to its end (excluded). Of several windows active at now, the one
 * that lasts longest is named.
 */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): ActiveFreeze | undefined {
  let named: { window: FreezeWindow; endsAt: Date } | undefined;
  for (const window of windows) {
    const endsAt = occurrenceEnd(window, now);
    if (endsAt !== undefined && (named === undefined || endsAt > named.endsAt)) named = { window, endsAt };
  }
  if (named === undefined) return undefined;
  let endsAt = named.endsAt;
  for (let step = 0; step < maxChainedOccurrences; step += 1) {
    const later = latestEnd(windows, endsAt);
    if (later === undefined || later <= endsAt) break;
    endsAt = later;
  }
  return { window: named.window, endsAt };
}

function latestEnd(windows: readonly FreezeWindow[], at: Date): Date | undefined {
  let latest: Date | undefined;
  for (const window of windows) {
    const end = occurrenceEnd(window, at);
    if (end !== undefined && (latest === undefined || end > latest)) latest = end;
  }
  return latest;
}

/** The end of the window's occurrence that covers `at` (the latest-ending one if several do); undefined when none does. */
function occurrenceEnd(window: FreezeWindow, at: Date): Date | undefined {
  if (window.kind === 'fixed') return window.start <= at && at < window.end ? window.end : undefined;
  const cron = new Cron(window.schedule, { timezone: window.timeZone, mode: '5-part' });
  // previousRuns counts a run earlier in the reference's second, so one millisecond on includes a start exactly at `at`.
  const [start] = cron.previousRuns(1, new Date(at.getTime() + 1));
  if (start === undefined) return undefined;
  const end = new Date(start.getTime() + window.durationSeconds * 1000);
  return at < end ? end : undefined;
}
