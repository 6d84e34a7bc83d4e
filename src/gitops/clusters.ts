import { KubeConfig } from '@kubernetes/client-node';
import { createRestClient, type RestClient } from '../kube/index.js';
import type { ClusterConfig, GradualConfig } from './config.js';

/** A cluster the bot deploys to, with its clients made once. */
export interface Cluster {
  name: string;
  kubeConfig: KubeConfig;
  rest: RestClient;
}

export function loadCluster(name: string, config: ClusterConfig): Cluster {
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(config.kubeconfig);
  if (config.context !== undefined) {
    if (kubeConfig.getContextObject(config.context) === null) throw new Error(`cluster "${name}": context "${config.context}" is not in its kubeconfig`);
    kubeConfig.setCurrentContext(config.context);
  }
  return { name, kubeConfig, rest: createRestClient(kubeConfig) };
}

/** Every cluster of the config, loaded at start so a bad kubeconfig stops the bot with a clear error, not a webhook later. */
export function loadClusters(config: GradualConfig): Map<string, Cluster> {
  return new Map(Object.entries(config.clusters).map(([name, cluster]) => [name, loadCluster(name, cluster)]));
}
