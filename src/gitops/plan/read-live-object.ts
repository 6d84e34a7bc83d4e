import { z } from 'zod';
import { apiPath, statusCodeOf, type KubeObject, type RestClient } from '../../kube/index.js';
import type { ObjectRef } from '../manifests/index.js';

const apiResourceListSchema = z.object({
  resources: z.array(z.object({ name: z.string(), kind: z.string(), namespaced: z.boolean() })),
});

/** What a GET of an object always returns; the rest is kept as sent. */
const liveObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string() }),
});

type Resources = z.infer<typeof apiResourceListSchema>['resources'];

/** Discovery answers per client and group-version, read once: kinds do not change resource names while the bot runs. */
const discovered = new WeakMap<RestClient, Map<string, Promise<Resources>>>();

/**
 * The object as the cluster has it now (GET), or undefined when there is
 * none (404). The kind's resource name and scope come from the API server's
 * discovery of its group-version, read once per client. Any other failure
 * rejects with an error naming the request and its HTTP status.
 */
export async function readLiveObject(client: RestClient, ref: ObjectRef): Promise<KubeObject | undefined> {
  const path = await objectPath(client, ref);
  let body: unknown;
  try {
    body = await client.request<unknown>({ method: 'GET', path });
  } catch (cause) {
    const status = statusCodeOf(cause);
    if (status === 404) return undefined;
    throw new Error(
      `GET ${path} failed${status === undefined ? '' : ` with HTTP ${String(status)}`}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const parsed = liveObjectSchema.safeParse(body);
  if (!parsed.success) throw new Error(`GET ${path}: the answer is not a Kubernetes object: ${parsed.error.message}`);
  return parsed.data;
}

/** The object's REST path, its resource name and scope read from discovery (once per client and group-version). */
export async function objectPath(client: RestClient, ref: ObjectRef): Promise<string> {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
  const resources = await resourcesOf(client, group ?? '', version ?? '');
  const resource = resources.find((candidate) => candidate.kind === ref.kind && !candidate.name.includes('/'));
  if (resource === undefined)
    throw new Error(`the API server serves no kind ${ref.kind} in ${ref.apiVersion} (is its CustomResourceDefinition installed?)`);
  return apiPath({
    group: group ?? '',
    version: version ?? '',
    resource: resource.name,
    name: ref.name,
    ...(resource.namespaced && ref.namespace !== undefined ? { namespace: ref.namespace } : {}),
  });
}

function resourcesOf(client: RestClient, group: string, version: string): Promise<Resources> {
  let perClient = discovered.get(client);
  if (perClient === undefined) {
    perClient = new Map();
    discovered.set(client, perClient);
  }
  const key = `${group}/${version}`;
  const cached = perClient.get(key);
  if (cached !== undefined) return cached;
  const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const reading = client.request<unknown>({ method: 'GET', path }).then(
    (body) => {
      const parsed = apiResourceListSchema.safeParse(body);
      if (!parsed.success) throw new Error(`GET ${path}: not an APIResourceList: ${parsed.error.message}`);
      return parsed.data.resources;
    },
    (cause: unknown) => {
      const status = statusCodeOf(cause);
      const why =
        status === 404
          ? `the API server serves no ${key.replace(/^\//, '')}`
          : `discovery GET ${path} failed${status === undefined ? '' : ` with HTTP ${String(status)}`}`;
      throw new Error(`${why}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    },
  );
  // A failed discovery is not remembered: the CRD may be installed by the next plan.
  perClient.set(key, reading);
  reading.catch(() => perClient.delete(key));
  return reading;
}
