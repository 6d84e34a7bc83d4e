import { PatchStrategy } from '@kubernetes/client-node';
import type { RestClient } from './rest-client.js';
import type { KubeObject } from './types.js';

/**
 * The HTTP status of a failed API call: client-node 1.4's ApiException
 * carries it as `code`, its Watch errors as `statusCode`. Undefined for
 * network errors (no response).
 */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'number') return error.code;
  if ('statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

/** 409: a write with a stale resourceVersion (or a create of an existing object); re-read the cache and retry. */
export function isConflict(error: unknown): boolean {
  return statusCodeOf(error) === 409;
}

export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/** 410: a watch or list continued from a resourceVersion the server no longer keeps. */
export function isGone(error: unknown): boolean {
  return statusCodeOf(error) === 410;
}

/**
 * PUT of a whole object, conditional on the resourceVersion it carries. An
 * object without one would be written unconditionally (last write wins), so
 * it is refused before any request is sent.
 */
export async function replaceWithResourceVersion<T extends KubeObject>(client: RestClient, path: string, object: T): Promise<T> {
  const resourceVersion = object.metadata?.resourceVersion;
  if (resourceVersion === undefined || resourceVersion === '') {
    throw new Error(`Refusing an unconditional replace of ${path}: the object has no metadata.resourceVersion.`);
  }
  return client.request<T>({ method: 'PUT', path, body: object });
}

/**
 * A JSON merge patch (RFC 7386) made conditional: it carries
 * metadata.resourceVersion, which the API server compares with the stored
 * object's, so a patch computed from a stale read fails with 409 and changes
 * nothing. `path` may name a subresource (`.../rollouts/web/status`).
 */
export async function patchMerge<T extends KubeObject>(
  client: RestClient,
  path: string,
  patch: Record<string, unknown>,
  resourceVersion: string,
): Promise<T> {
  if (resourceVersion === '') throw new Error(`Refusing an unconditional merge patch of ${path}: resourceVersion is empty.`);
  const metadata = typeof patch['metadata'] === 'object' && patch['metadata'] !== null ? patch['metadata'] : {};
  return client.request<T>({
    method: 'PATCH',
    path,
    body: { ...patch, metadata: { ...metadata, resourceVersion } },
    contentType: PatchStrategy.MergePatch,
  });
}
