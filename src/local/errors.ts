import { GradualError } from '../errors/gradual-error.js';
/**
 * Why setting up the local environment failed. `code` is what callers branch
 * on; the message is for a person and names the place and the cause.
 */
export type SetupErrorCode =
  | 'PORT_IN_USE'
  | 'PACKAGE_UNAVAILABLE'
  | 'CACHE_NOT_WRITABLE'
  | 'GO_BUILD_FAILED'
  | 'PROCESS_EXITED'
  | 'NOT_READY'
  | 'ENVIRONMENT_EXISTS'
  | 'ENVIRONMENT_MISSING'
  | 'INVALID_INPUT'
  | 'INTERRUPTED';

export class SetupError extends GradualError {
  declare readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? false });
  }
}
