/** One thing that happened in the demo's story: what was expected, when it held (or why not), and what was seen. */
export interface TimelineEntry {
  title: string;
  /** Milliseconds since the story began, when this expectation started to be awaited and when it held. */
  startedMs: number;
  endedMs: number;
  outcome: 'held' | 'failed';
  /** What was observed (a check's title, a share of requests), or the failure's message. */
  detail: string;
}

export interface StoryStep<Context> {
  title: string;
  /** Resolves with what it observed once the expectation holds; rejects when it cannot. */
  run: (context: Context) => Promise<string>;
}

/**
 * Plays steps in order until one fails, recording each on the timeline. The
 * clock is injected so the formatting and the stop-at-first-failure rule are
 * tested without waiting.
 */
export async function playStory<Context>(
  steps: readonly StoryStep<Context>[],
  context: Context,
  clock: () => number,
  onEntry: (entry: TimelineEntry) => void = () => undefined,
): Promise<{ ok: boolean; entries: TimelineEntry[] }> {
  const began = clock();
  const entries: TimelineEntry[] = [];
  for (const step of steps) {
    const startedMs = clock() - began;
    let entry: TimelineEntry;
    try {
      const detail = await step.run(context);
      entry = { title: step.title, startedMs, endedMs: clock() - began, outcome: 'held', detail };
    } catch (error) {
      entry = {
        title: step.title,
        startedMs,
        endedMs: clock() - began,
        outcome: 'failed',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    entries.push(entry);
    onEntry(entry);
    if (entry.outcome === 'failed') return { ok: false, entries };
  }
  return { ok: true, entries };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `  12.3 s  (+4.0 s)  ✔ title — detail`: when it held, how long it took, and what was seen. */
export function formatTimelineEntry(entry: TimelineEntry): string {
  const mark = entry.outcome === 'held' ? '✔' : '✘';
  const detail = entry.detail === '' ? '' : ` — ${entry.detail}`;
  return `${seconds(entry.endedMs).padStart(8)}  (+${seconds(entry.endedMs - entry.startedMs)})  ${mark} ${entry.title}${detail}`;
}

export function formatTimeline(entries: readonly TimelineEntry[], ok: boolean): string {
  const failed = entries.find((entry) => entry.outcome === 'failed');
  const last = entries.at(-1)?.endedMs ?? 0;
  const verdict = ok ? `Every expectation held (${String(entries.length)} in ${seconds(last)}).` : `Failed at: ${failed?.title ?? '?'}.`;
  return ['Timeline:', ...entries.map(formatTimelineEntry), verdict].join('\n');
}
