import { KubeConfig } from '@kubernetes/client-node';
import { createRestClient, type RestClient } from '../kube/index.js';
import { deployIdentities, impersonatedUser, type ClusterConfig, type GradualConfig, type IdentityConfig } from './config.js';

/** A cluster the bot deploys to, with its clients made once, for one identity. */
export interface Cluster {
  /** The key in the bot's cluster map: the cluster's name, with ` as <user>` when impersonating. */
  name: string;
  /** The cluster's name in the config. */
  clusterName: string;
  /** The user every request is impersonated as; undefined for the bot's own identity. */
  impersonating: string | undefined;
  kubeConfig: KubeConfig;
  rest: RestClient;
}

function loadKubeConfig(name: string, config: ClusterConfig): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(config.kubeconfig);
  if (config.context !== undefined) {
    if (kubeConfig.getContextObject(config.context) === null)
      throw new Error(`cluster "${name}": context "${config.context}" is not in its kubeconfig`);
    kubeConfig.setCurrentContext(config.context);
  }
  return kubeConfig;
}

/**
 * The same kubeconfig whose current user sends `Impersonate-User: <user>` on every request: client-node
 * adds the header from the user's `impersonateUser` (kubectl's `as:`) for the generated clients, the
 * object API, watches and our REST client alike, so no client of the identity can forget it.
 */
export function impersonatingKubeConfig(base: KubeConfig, user: string): KubeConfig {
  const current = base.getCurrentUser();
  if (current === null) throw new Error('the kubeconfig has no current user to impersonate with');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: base.clusters,
    contexts: base.contexts,
    users: base.users.map((candidate) => (candidate.name === current.name ? { ...candidate, impersonateUser: user } : candidate)),
    currentContext: base.getCurrentContext(),
  });
  return kubeConfig;
}

export function loadCluster(name: string, config: ClusterConfig, identity?: IdentityConfig): Cluster {
  const base = loadKubeConfig(name, config);
  if (identity === undefined) return { name, clusterName: name, impersonating: undefined, kubeConfig: base, rest: createRestClient(base) };
  const user = impersonatedUser(identity);
  const kubeConfig = impersonatingKubeConfig(base, user);
  return { name: `${name} as ${user}`, clusterName: name, impersonating: user, kubeConfig, rest: createRestClient(kubeConfig) };
}

/**
 * Every cluster of the config under the bot's own identity (the reporter's informers read with it), and
 * one client set per (cluster, identity) an environment deploys as, keyed as `clusterFor` names them.
 * Loaded at start so a bad kubeconfig stops the bot with a clear error, not a webhook later.
 */
export function loadClusters(config: GradualConfig): Map<string, Cluster> {
  const clusters = new Map(Object.entries(config.clusters).map(([name, cluster]) => [name, loadCluster(name, cluster)]));
  for (const { key, clusterName, identity } of deployIdentities(config)) {
    const cluster = config.clusters[clusterName];
    if (identity !== undefined && cluster !== undefined) clusters.set(key, loadCluster(clusterName, cluster, identity));
  }
  return clusters;
}
