// Manifest loading: cached clones of manifest repositories (isomorphic-git),
// files read at a commit, and their objects parsed and checked with positions.
export { openManifestCache } from './open-manifest-cache.js';
export { ManifestFetchError, type ManifestFetchErrorCode } from './manifest-fetch-error.js';
export { readManifestFiles } from './read-manifest-files.js';
export { parseManifests, describeRef } from './parse-manifests.js';
export { confineManifests } from './confine-manifests.js';
export { deployerCredentialErrors, type DeployerAccount } from './deployer-credential.js';
export { clusterScopedKinds } from './cluster-scoped-kinds.js';
export { urlWithoutCredentials } from './redact-credentials.js';
export type * from './types.js';
export { newManifestBudget, readBoundedManifests, type ManifestBudget } from './read-bounded-manifests.js';
export { expandKustomizations, locateInKustomizations } from './expand-kustomizations.js';
export type { KustomizeOptions } from './render-kustomization.js';
