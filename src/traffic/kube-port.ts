import { apiPath, patchMerge, replaceWithResourceVersion, type RestClient } from '../kube/index.js';
import { isNotFound } from '../kube/index.js';
import type { JsonObject, ObjectRef, RouterWrite, TrafficKube } from './types.js';

function pathOf(ref: ObjectRef, withName: boolean): string {
  return apiPath({
    group: ref.group,
    version: ref.version,
    resource: ref.resource,
    namespace: ref.namespace,
    ...(withName ? { name: ref.name } : {}),
  });
}

/**
 * The routers' Kubernetes port over the project's REST client: any kind by
 * path (the foreign CRDs need no generated client), a replace refused
 * without a resourceVersion and merge patches made conditional on one
 * (src/kube/apply.ts), so a write decided on a stale read fails with 409.
 */
export function createTrafficKube(client: RestClient): TrafficKube {
  return {
    async read(ref) {
      try {
        return await client.request<JsonObject>({ method: 'GET', path: pathOf(ref, true) });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async write(write: RouterWrite) {
      switch (write.verb) {
        case 'create':
          await client.request<JsonObject>({ method: 'POST', path: pathOf(write.ref, false), body: write.object });
          return;
        case 'replace':
          await replaceWithResourceVersion(client, pathOf(write.ref, true), write.object);
          return;
        case 'patch':
          await patchMerge(client, pathOf(write.ref, true), write.patch, write.resourceVersion);
          return;
        case 'delete':
          try {
            await client.request<JsonObject>({
              method: 'DELETE',
              path: pathOf(write.ref, true),
              body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: write.resourceVersion } },
            });
          } catch (error) {
            // Gone already: what the router wanted.
            if (!isNotFound(error)) throw error;
          }
          return;
      }
    },
  };
}
