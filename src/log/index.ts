export { createLogger, rootLogger, loggerRedaction, type Logger } from './logger.js';
export { isSecretKey, redactSecretKeys } from './redact-keys.js';
export { clearSecretValues, minimumSecretLength, redactSecretValues, registerSecretValue, secretValueCount } from './secret-values.js';
