export {
  configureRootLogger,
  createLogger,
  isLogFormatName,
  logFormatNames,
  resolveLogFormat,
  rootLogger,
  loggerRedaction,
  type LogFormat,
  type LogFormatName,
  type Logger,
  type LoggerOptions,
} from './logger.js';
export { isSecretKey, redactSecretKeys } from './redact-keys.js';
export { clearSecretValues, minimumSecretLength, redactSecretValues, registerSecretValue, secretValueCount } from './secret-values.js';
