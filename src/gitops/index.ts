// The GitHub App: webhook handlers, manifest loading, plan, deploy, report, commands, locks.
export { createGradualBot, type GradualBot } from './app.js';
export { startBot, defaultPolicyFile, loadDefaultPolicy, type RunningBot } from './start-bot.js';
export { startBotReplica, botLeaseName, type BotReplica } from './bot-replica.js';
export { readBotEnvironment, type BotEnvironment } from './bot-environment.js';
export { loadGradualConfig, parseGradualConfig, gradualConfigSchema, clusterFor, ConfigError, type GradualConfig } from './config.js';
export { gradualAnnotations, originOf, type DeploymentOrigin } from './annotations.js';
export {
  environmentLock,
  decideAcquire,
  decideRelease,
  readLockState,
  lockName,
  nextWaiting,
  type LockState,
  type LockHolder,
  type LockWaiter,
} from './environment-lock.js';
export type * from './types.js';
