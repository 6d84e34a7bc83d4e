export interface ResourceRef {
  /** '' (or omitted) for the core group. */
  group?: string;
  version: string;
  /** The plural resource name: `configmaps`, `rollouts`. */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The REST path of a collection, an object or a subresource: `/api/v1/namespaces/ns/configmaps/name`. */
export function apiPath(ref: ResourceRef): string {
  const base = ref.group === undefined || ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const parts = [base];
  if (ref.namespace !== undefined && ref.namespace !== '') parts.push('namespaces', segment(ref.namespace));
  parts.push(ref.resource);
  if (ref.name !== undefined && ref.name !== '') parts.push(segment(ref.name));
  if (ref.subresource !== undefined && ref.subresource !== '') parts.push(ref.subresource);
  return parts.join('/');
}

/**
 * A name as one path segment. encodeURIComponent leaves `.` and `..` as they are, and HTTP clients normalise
 * them away: `secrets/..` would be the namespace itself, `secrets/.` the list of every Secret. The API server
 * never names an object so (apimachinery's IsValidPathSegmentName), so such a name is a caller's bug or hostile input.
 */
function segment(name: string): string {
  if (name === '.' || name === '..')
    throw new Error(
      `${JSON.stringify(name)} cannot be a path segment of a Kubernetes API URL (no object, namespace or name is "." or "..")`,
    );
  return encodeURIComponent(name);
}
