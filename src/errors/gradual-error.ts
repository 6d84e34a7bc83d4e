/*
 * The one base of Gradual's errors. Every error we throw on purpose says what
 * kind of failure it is (`code`, from one vocabulary, so callers branch on the
 * same words everywhere), whether trying again can help (`retryable`: the
 * queues back off on a retryable error and forget the key otherwise), and
 * what it was caused by (`cause`, the standard ErrorOptions field). The
 * message names the place (file:line, object, field, HTTP status) for a person.
 * This folder imports nothing, so every layer may use it.
 */

/** Every code an error of Gradual carries, SCREAMING_SNAKE as the first ones were written. */
export type ErrorCode =
  // Anyone's; the rollout verbs'; configuration and start-up
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'REFUSED'
  | 'TIMEOUT'
  | 'TERMINAL'
  | 'DEGRADED'
  | 'KUBECONFIG'
  | 'INVALID_CONFIG'
  | 'STARTUP_FAILED'
  // Manifests from git; the engine and traffic routers; the condition language; the dashboard
  | 'FETCH_FAILED'
  | 'COMMIT_NOT_FOUND'
  | 'APPLY_FAILED'
  | 'WRITE_REFUSED'
  | 'INVALID_SPEC'
  | 'NOT_OWNED'
  | 'CONDITION_SYNTAX'
  | 'CONDITION_EVALUATION'
  | 'REMOTE_ACTIONS_REFUSED'
  // The local environment and its GitHub
  | LocalEnvironmentCode
  | 'GITHUB_API';

/** The codes of setting up the local environment (its SetupError adds INVALID_INPUT). */
export type LocalEnvironmentCode =
  | 'PORT_IN_USE'
  | 'PACKAGE_UNAVAILABLE'
  | 'CACHE_NOT_WRITABLE'
  | 'GO_BUILD_FAILED'
  | 'PROCESS_EXITED'
  | 'NOT_READY'
  | 'ENVIRONMENT_EXISTS'
  | 'ENVIRONMENT_MISSING'
  | 'INTERRUPTED';

export interface GradualErrorOptions {
  cause?: unknown;
  /**
   * Whether trying again can help. Unsaid, it is true: that is how the queues
   * treated every error before this base (only an explicit false stops them).
   */
  retryable?: boolean;
}

export class GradualError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: GradualErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? true;
  }
}
