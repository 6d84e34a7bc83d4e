import { environmentNamespaces, kindName, type EnvironmentPolicy } from '../../policies/index.js';
import { describeRef } from './parse-manifests.js';
import type { ManifestError, ManifestObject } from './types.js';

/**
 * The errors of objects outside their environment: a namespace the
 * environment does not name (a file under staging's paths naming
 * production's namespace), or a kind its allowlist lacks (a
 * ClusterRoleBinding, a Namespace, a RoleBinding). Each at its own
 * file:line, so the plan points at it; with any of them nothing of the pull
 * request is applied. Cluster-scoped objects have no namespace to check: the
 * allowlist refuses them unless it names their kind. Pure.
 */
export function confineManifests(
  objects: readonly ManifestObject[],
  environment: Pick<EnvironmentPolicy, 'name' | 'namespace' | 'namespaces' | 'kinds'>,
): ManifestError[] {
  const namespaces = environmentNamespaces(environment);
  const kinds = new Set(environment.kinds);
  const errors: ManifestError[] = [];
  for (const object of objects) {
    const kind = kindName(object.ref.apiVersion, object.ref.kind);
    if (!kinds.has(kind)) {
      const at = object.locate(['kind']);
      errors.push({
        file: object.file,
        ...at,
        path: 'kind',
        message: `${describeRef(object.ref)}: kind ${kind} is not allowed in environment "${environment.name}" (allowed: ${environment.kinds.join(', ') || 'none'}); the platform team adds kinds in the default policy`,
      });
      continue;
    }
    const namespace = object.ref.namespace;
    if (namespace !== undefined && !namespaces.includes(namespace)) {
      const at = object.locate(['metadata', 'namespace']);
      errors.push({
        file: object.file,
        ...at,
        path: 'metadata.namespace',
        message: `${describeRef(object.ref)}: namespace "${namespace}" is outside environment "${environment.name}", which may deploy only to ${namespaces.map((name) => `"${name}"`).join(', ')}`,
      });
    }
  }
  return errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
