export {
  localUp,
  localDown,
  localStatus,
  readEnvironment,
  environmentExists,
  environmentFile,
  type LocalUpOptions,
  type LocalStatus,
} from './environment.js';
export { serveGit } from './serve-git.js';
export { serveGithub } from './serve-github.js';
export { createGitServer, createBareRepository } from './git-server.js';
export { writeScrapeTargets } from './prometheus.js';
export { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './binaries.js';
export { ensureGoBuild, type GoBuildSpec } from './go-build.js';
export { ensureDebianPackages } from './debian-packages.js';
export { cacheRoot, ensureWritableDir } from './cache-dir.js';
export { SetupError, type SetupErrorCode } from './errors.js';
export { pinnedVersions } from './versions.js';
export type { LocalEnvironment, ManagedProcess } from './types.js';
export { stopApiServer, type StoppedApiServer } from './restart-api-server.js';
