import { pino, type Logger } from 'pino';
import { redactSecretKeys } from './redact-keys.js';
import { redactSecretValues } from './secret-values.js';

export type { Logger } from 'pino';

/**
 * Redaction in two layers, so a secret never reaches a log line whatever
 * object a caller (or Probot, or a library's error) happens to log:
 * - every field named like a credential (`Authorization`, `x-api-key`,
 *   `privateKey`, `*token`, `*secret`, cookies...), at any depth and in any
 *   case, in the logged object and in a child's bindings, errors included
 *   (their cause, request, response and headers);
 * - every registered secret value (registerSecretValue) and every
 *   credential-shaped text (`Bearer …`, a URL's password) on the finished
 *   line, so messages and serialised errors are covered too.
 */
export const loggerRedaction = {
  formatters: {
    log: (object: Record<string, unknown>): Record<string, unknown> => redactSecretKeys(object),
    bindings: (bindings: pino.Bindings): pino.Bindings => redactSecretKeys(bindings),
  },
  hooks: {
    streamWrite: (line: string): string => redactSecretValues(line),
  },
} satisfies Pick<pino.LoggerOptions, 'formatters' | 'hooks'>;

/** Errors arrive already shaped by redactSecretKeys (type, message, stack, own fields, cause): pino's err serializer would flatten them again and drop the redaction of the copy. */
const serializers = { err: (value: unknown): unknown => value };

/**
 * pino applies formatters.bindings to the root's bindings only; a child's
 * (`logger.child({ client })`, Probot's `{ name: 'probot' }`) go through this:
 * children are created from their parent by Object.create, so every
 * descendant inherits the wrapped method.
 */
function redactChildBindings(logger: Logger): Logger {
  type Child = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const original = Object.getPrototypeOf(logger) as { child: Child };
  Object.defineProperty(logger, 'child', {
    value: function redactedChild(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
      return original.child.call(this, redactSecretKeys(bindings), options);
    },
    writable: true,
    configurable: true,
  });
  return logger;
}

/** The process-wide root logger: one JSON event per line on stderr, so stdout stays for command output. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env['GRADUAL_LOG_LEVEL'] ?? 'info';
  return redactChildBindings(pino({ level, ...loggerRedaction, serializers, base: { app: 'gradual' } }, options.destination ?? process.stderr));
}

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}
