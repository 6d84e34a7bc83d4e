import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
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

/** `json`: one JSON event per line, for collectors. `pretty`: pino-pretty's lines, for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** What GRADUAL_LOG_FORMAT / --log-format accept; `text` is Argo Rollouts' `--logformat` spelling of `pretty`. */
export const logFormatNames = ['auto', 'json', 'pretty', 'text'] as const;
export type LogFormatName = (typeof logFormatNames)[number];

export function isLogFormatName(value: string): value is LogFormatName {
  return (logFormatNames as readonly string[]).includes(value);
}

/** `auto` (the default) is pretty on a terminal and JSON everywhere else (a pod, a pipe, a file). */
export function resolveLogFormat(requested: LogFormatName | undefined, destinationIsTerminal: boolean): LogFormat {
  if (requested === 'json') return 'json';
  if (requested === 'pretty' || requested === 'text') return 'pretty';
  return destinationIsTerminal ? 'pretty' : 'json';
}

/**
 * pino-pretty's formatter behind pino's stream: pino hands it each finished
 * line after hooks.streamWrite, so what it formats is already redacted
 * (redaction works on the JSON, the one shape it knows). Synchronous, in this
 * thread: no transport worker that could outlive a crash with lines unwritten.
 */
function prettyDestination(destination: NodeJS.WritableStream, colorize: boolean): NodeJS.WritableStream {
  const prettify = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' });
  return new Writable({
    write(chunk: Buffer | string, _encoding, done): void {
      destination.write(prettify(chunk.toString()));
      done();
    },
  });
}

function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export interface LoggerOptions {
  level?: string;
  /** Default: GRADUAL_LOG_FORMAT, else auto. */
  format?: LogFormatName;
  destination?: NodeJS.WritableStream;
}

/** The process-wide root logger on stderr, so stdout stays for command output. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['GRADUAL_LOG_LEVEL'] ?? 'info';
  const destination = options.destination ?? process.stderr;
  const environmentFormat = process.env['GRADUAL_LOG_FORMAT'];
  const requested =
    options.format ?? (environmentFormat !== undefined && isLogFormatName(environmentFormat) ? environmentFormat : undefined);
  const format = resolveLogFormat(requested, isTerminal(destination));
  const stream = format === 'pretty' ? prettyDestination(destination, isTerminal(destination)) : destination;
  return redactChildBindings(pino({ level, ...loggerRedaction, serializers, base: { app: 'gradual' } }, stream));
}

let root: Logger | undefined;
let rootOptions: Omit<LoggerOptions, 'destination'> = {};

/** Sets the root logger's level and format (the CLI's --log-level / --log-format); call before the first rootLogger(). */
export function configureRootLogger(options: Omit<LoggerOptions, 'destination'>): void {
  rootOptions = { ...rootOptions, ...options };
  if (root !== undefined) root = createLogger(rootOptions);
}

export function rootLogger(): Logger {
  root ??= createLogger(rootOptions);
  return root;
}
