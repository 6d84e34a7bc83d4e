import { GradualError } from '../../errors/gradual-error.js';
export type ManifestFetchErrorCode = 'FETCH_FAILED' | 'COMMIT_NOT_FOUND' | 'INVALID_INPUT';

/**
 * Why a commit could not be brought into the cache. The message names the
 * repository without credentials; the cause is not attached, because git
 * errors may quote the URL or headers they were given. The HTTP status is
 * kept when the server answered.
 */
export class ManifestFetchError extends GradualError {
  declare readonly code: ManifestFetchErrorCode;
  readonly statusCode: number | undefined;

  constructor(code: ManifestFetchErrorCode, message: string, options: { statusCode?: number; retryable?: boolean } = {}) {
    // A 4xx (bad credentials, no such repository) will not mend by itself; a network failure or a 5xx may.
    super(code, message, { retryable: options.retryable ?? (options.statusCode === undefined || options.statusCode >= 500) });
    this.statusCode = options.statusCode;
  }
}
