import { GradualError, type ErrorCode } from './gradual-error.js';

/**
 * A reconcile error that retrying cannot fix because the spec is the user's
 * to fix (an invalid spec, a write the API server refuses for the spec's
 * content): the queue logs it and forgets the key instead of backing off; the
 * next change to the object queues it again. A subclass keeps its own code
 * (WriteRefusedError is WRITE_REFUSED); TERMINAL is for the rest.
 */
export class TerminalError extends GradualError {
  constructor(message: string, options: { cause?: unknown; code?: ErrorCode } = {}) {
    super(options.code ?? 'TERMINAL', message, { cause: options.cause, retryable: false });
  }
}

/** True unless the error says it is not retryable (TerminalError, any GradualError with `retryable: false`, or any error with `retryable: false`). */
export function isRetryable(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === false);
}
