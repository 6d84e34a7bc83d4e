export { createLogger, rootLogger, redactedPaths, type Logger } from './logger.js';
