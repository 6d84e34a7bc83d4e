import type { Clock, TimerHandle } from './types.js';

/** The process clock. Timers are unref'd: a pending requeue must not keep a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
