import { setTimeout as delay } from 'node:timers/promises';
import { SetupError } from './errors.js';

export interface WaitOptions {
  /** Names the thing awaited in the timeout error. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Rejections that end the wait early, e.g. the awaited process exiting. */
  abortOn?: Promise<never>[];
}

/**
 * Waits for an external process to reach a state (a port answering, a node
 * Ready). Only set-up code uses this: the product's reconciles never poll.
 * `check` returns true when done, or throws/returns false to try again; the
 * last failure is kept for the timeout message.
 */
export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'not ready yet';
  const state = { aborted: false };
  const aborts = (options.abortOn ?? []).map((abort) =>
    abort.catch((cause: unknown) => {
      // Stop the loop too, not only the wait: a dead process must not be polled until the deadline.
      state.aborted = true;
      throw cause;
    }),
  );
  const loop = (async (): Promise<void> => {
    while (!state.aborted) {
      try {
        if (await check()) return;
      } catch (cause) {
        lastProblem = cause instanceof Error ? cause.message : String(cause);
      }
      if (Date.now() >= deadline) {
        throw new SetupError(
          'NOT_READY',
          `${options.what} was not ready after ${String(Math.round(options.timeoutMs / 1000))} s (last problem: ${lastProblem}).`,
        );
      }
      await delay(options.intervalMs ?? 200);
    }
  })();
  await Promise.race([loop, ...aborts]);
}
