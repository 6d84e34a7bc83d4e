import picomatch from 'picomatch';
import type { EnvironmentMatch, EnvironmentPolicy, RepositoryPolicy } from './types.js';

/**
 * The environments whose globs match at least one changed path, in the
 * policy's order, each with the paths that matched. Globs do not match names
 * that start with a dot, so `.gradual.yml` and `.github/` are never manifests.
 */
export function environmentsForPaths(policy: RepositoryPolicy, changedPaths: readonly string[]): EnvironmentMatch[] {
  return policy.environments.flatMap((environment) => {
    const paths = pathsOfEnvironment(environment, changedPaths);
    return paths.length === 0 ? [] : [{ environment, paths }];
  });
}

/** The paths, of those given, that belong to the environment. */
export function pathsOfEnvironment(environment: EnvironmentPolicy, paths: readonly string[]): string[] {
  const matches = picomatch(environment.paths, { dot: false });
  return paths.filter((path) => matches(path.replace(/^\.?\//u, '')));
}
