/**
 * A reconcile error that retrying cannot fix (an invalid spec, a missing
 * referenced object the user must create): the queue logs it and forgets the
 * key instead of backing off; the next change to the object queues it again.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  readonly code = 'TERMINAL';
  readonly retryable = false;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** True unless the error says it is not retryable (TerminalError or any error with `retryable: false`). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof TerminalError) return false;
  return !(typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === false);
}
