import type { KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, type InformerSpec, type RestClient, type SharedInformer } from '../../kube/index.js';
import type { Logger } from '../../log/index.js';
import type { JsonObject, ObjectRef, RouterObjectCache } from '../../traffic/index.js';

/** The kinds the routers write, at the versions they write them (Argo's defaults). */
export const routerResources: readonly { group: string; version: string; resource: string }[] = [
  { group: 'networking.istio.io', version: 'v1alpha3', resource: 'virtualservices' },
  { group: 'networking.istio.io', version: 'v1alpha3', resource: 'destinationrules' },
  { group: 'split.smi-spec.io', version: 'v1alpha1', resource: 'trafficsplits' },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' },
  { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes' },
  { group: 'traefik.containo.us', version: 'v1alpha1', resource: 'traefikservices' },
  { group: 'apisix.apache.org', version: 'v2', resource: 'apisixroutes' },
  { group: 'getambassador.io', version: 'v2', resource: 'mappings' },
  { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: 'virtualservices' },
  { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: 'virtualrouters' },
  { group: 'appmesh.k8s.aws', version: 'v1beta2', resource: 'virtualnodes' },
];

export interface TrafficInformers extends RouterObjectCache {
  /** Starts an informer per router kind the API server serves (a mesh not installed is skipped, as Argo does). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The cached objects of one router kind in a namespace (all when undefined); none when the kind is not served. */
  list(resource: string, namespace: string | undefined): readonly KubernetesObject[];
}

/**
 * Informers over the router objects. They wake Rollouts: a VirtualService (or
 * TrafficSplit, Ingress, HTTPRoute) changed by someone else makes the Rollouts
 * of its namespace that route traffic reconcile, and the routers put the
 * weights back. And they are what the routers read (RouterObjectCache, through
 * src/traffic/cached-kube.ts): a reconcile of a Rollout at rest sends no
 * request for its router objects, as Argo's routers read their listers. The
 * DestinationRules cached here are also where a Rollout finds the rules it
 * still marks as managed but no longer names
 * (src/engine/destination-rule-references.ts), written back on their
 * resourceVersion. They are the manager's shared informers (one cache per
 * kind in the process, listed in its registry); discovery decides which
 * kinds are asked for.
 */
export function createTrafficInformers(
  rest: RestClient,
  options: {
    /** A handle on the cluster's shared informer of a kind (the manager's, in the engine's namespace or all). */
    informer: (spec: InformerSpec) => SharedInformer<KubernetesObject>;
    logger: Logger;
    namespace?: string | undefined;
    onChange: (object: KubernetesObject) => void;
  },
): TrafficInformers {
  const { informer, onChange, namespace, logger } = options;
  const started: SharedInformer<KubernetesObject>[] = [];
  // Keyed by group and resource: Istio and App Mesh both have virtualservices.
  const byResource = new Map<string, SharedInformer<KubernetesObject>>();
  // A kind is cached whole at one version; any version a router asks for reads the same object (Istio's are one schema).
  const informerOf = (ref: ObjectRef): SharedInformer<KubernetesObject> | undefined =>
    namespace === undefined || namespace === ref.namespace ? byResource.get(`${ref.group}/${ref.resource}`) : undefined;

  async function served(group: string, version: string, resource: string): Promise<boolean> {
    try {
      const list = await rest.request<{ resources?: { name: string }[] }>({ method: 'GET', path: `/apis/${group}/${version}` });
      return (list.resources ?? []).some((entry) => entry.name === resource);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  return {
    async start() {
      for (const { group, version, resource } of routerResources) {
        if (!(await served(group, version, resource))) {
          logger.debug({ group, version, resource }, 'router kind not served; not watched');
          continue;
        }
        const handle = informer({ group, version, resource, namespace });
        for (const event of ['onAdd', 'onUpdate', 'onDelete'] as const) handle[event](onChange);
        started.push(handle);
        byResource.set(`${group}/${resource}`, handle);
        await handle.start();
        await handle.waitForSync(60_000);
      }
    },
    async stop() {
      // Gives back this user's share: the shared informer stops once no other user holds it started.
      await Promise.all(started.map((handle) => handle.stop()));
    },
    list(resource, listNamespace) {
      return [...byResource].filter(([key]) => key.endsWith(`/${resource}`)).flatMap(([, handle]) => handle.list(listNamespace));
    },
    watches: (ref) => informerOf(ref) !== undefined,
    get: (ref) => informerOf(ref)?.get(ref.namespace, ref.name) as JsonObject | undefined,
  };
}
