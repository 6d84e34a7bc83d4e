import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths redacted everywhere: secrets must never reach a log line, whatever
 * object a caller happens to log.
 */
export const redactedPaths = [
  'privateKey',
  'webhookSecret',
  'token',
  'password',
  'authorization',
  '*.privateKey',
  '*.webhookSecret',
  '*.token',
  '*.password',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'clientKey',
  '*.clientKey',
];

/** The process-wide root logger: one JSON event per line on stderr, so stdout stays for command output. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env['GRADUAL_LOG_LEVEL'] ?? 'info';
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' }, base: { app: 'gradual' } }, options.destination ?? process.stderr);
}

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}
