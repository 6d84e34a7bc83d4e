import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { createManager, type Manager, type ManagerOptions } from './manager.js';

export interface ClusterManagers {
  /**
   * The manager of the cluster and identity this kubeconfig's current context reaches, made on first
   * ask with these options; later asks for the same cluster and identity get the same manager, whatever
   * their options, so the engine, the dashboard and the bot's reporter of one process share one cache.
   */
  managerFor(kubeConfig: KubeConfig, options?: Omit<ManagerOptions, 'kubeConfig'>): Manager;
}

/**
 * What makes two kubeconfigs the same reader: the server and how it is trusted, and the user's
 * credentials (not the names the files give them). Two identities may see different objects, so
 * they never share a cache.
 */
export function clusterIdentity(kubeConfig: KubeConfig): string {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  // The names are the file's; what they name is the identity.
  const server = cluster === null ? null : { ...cluster, name: undefined };
  const credentials = user === null ? null : { ...user, name: undefined };
  // Hashed: the key holds no second copy of a token or key in memory dumps or debug output.
  return createHash('sha256').update(JSON.stringify({ server, credentials })).digest('hex');
}

/** The managers of one process, one per cluster and identity. */
export function createClusterManagers(): ClusterManagers {
  const managers = new Map<string, Manager>();
  return {
    managerFor(kubeConfig, options = {}) {
      const key = clusterIdentity(kubeConfig);
      let manager = managers.get(key);
      if (manager === undefined) {
        manager = createManager({ ...options, kubeConfig });
        managers.set(key, manager);
      }
      return manager;
    },
  };
}
