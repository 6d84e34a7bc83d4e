// The policies area's surface: a repository's `.gradual.yml` read on top of the
// shipped defaults (policies/default.yml), and the pure decisions the bot asks of it.
export { parseDefaultPolicy, parseRepositoryPolicy, lockedDownPolicy } from './parse-policy.js';
export { environmentsForPaths, pathsOfEnvironment } from './environments-for-paths.js';
export { decideDeploy, countedApprovers } from './decide-deploy.js';
export { authorizeCommand, frozenCommands } from './authorize-command.js';
export { activeFreeze } from './active-freeze.js';
export { parseCodeowners, codeOwnersOf, type CodeownersRule } from './codeowners.js';
export { applicationKinds, environmentNamespaces, fallbackNamespace, kindName } from './confinement.js';
export { formatInstant } from './format-instant.js';
export { commandNames, defaultManifestLimits, deployTriggers, manifestLimitCeilings, manifestLimitFields, permissionLevels } from './types.js';
export type * from './types.js';
