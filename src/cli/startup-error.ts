import { SetupError } from '../local/errors.js';
import { BotEnvironmentError } from '../gitops/bot-environment.js';
import { ConfigError } from '../gitops/config.js';
import { GradualError } from '../errors/gradual-error.js';

/** A start-up problem that is the operator's to fix (a flag, a file, a variable): said in one line, without a stack. */
export class StartupError extends GradualError {
  constructor(message: string, options?: ErrorOptions) {
    super('STARTUP_FAILED', message, { cause: options?.cause });
  }
}

/** Node's listen errors carry the address and port they were refused. */
function isAddressInUse(cause: unknown): cause is Error & { code: string; address?: string; port?: number } {
  return cause instanceof Error && (cause as { code?: unknown }).code === 'EADDRINUSE';
}

/**
 * What to print for an error that ends the process at start-up: one
 * `gradual: …` line per problem (a config file's issues are each one line,
 * with file:line), or undefined for an unexpected failure, which is logged
 * with its stack instead.
 */
export function startupErrorText(cause: unknown): string | undefined {
  if (
    cause instanceof SetupError ||
    cause instanceof StartupError ||
    cause instanceof ConfigError ||
    cause instanceof BotEnvironmentError
  ) {
    const [first = '', ...rest] = cause.message.split('\n');
    return [`gradual: ${first}`, ...rest.map((line) => `  ${line.replace(/^- /u, '')}`)].join('\n') + '\n';
  }
  if (isAddressInUse(cause)) {
    return `gradual: port ${String(cause.port ?? '?')} on ${cause.address ?? 'every address'} is already in use (another process listens there; choose another port)\n`;
  }
  return undefined;
}
