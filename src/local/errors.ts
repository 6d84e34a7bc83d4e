import { GradualError, type LocalEnvironmentCode } from '../errors/gradual-error.js';
/**
 * Why setting up the local environment failed. `code` is what callers branch
 * on; the message is for a person and names the place and the cause.
 */
export type SetupErrorCode = LocalEnvironmentCode | 'INVALID_INPUT';

export class SetupError extends GradualError {
  declare readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? false });
  }
}
