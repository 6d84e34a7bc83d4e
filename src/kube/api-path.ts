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
  if (ref.namespace !== undefined && ref.namespace !== '') parts.push('namespaces', encodeURIComponent(ref.namespace));
  parts.push(ref.resource);
  if (ref.name !== undefined && ref.name !== '') parts.push(encodeURIComponent(ref.name));
  if (ref.subresource !== undefined && ref.subresource !== '') parts.push(ref.subresource);
  return parts.join('/');
}
