import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { deployerObjects } from './deployer-rbac.js';

/**
 * Installs an environment's deployer (deployer-rbac.ts) with an administrator's kubeconfig, as an operator
 * applies deploy/environment/deployer.yaml: for the local environment, the demo and the tests, which then run
 * the bot impersonating it as a real installation does. Server-side apply: running it again changes nothing.
 */
export async function installDeployer(kubeConfig: KubeConfig, namespace: string, bot?: { namespace: string; name: string }): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of deployerObjects(namespace, bot)) {
    await client.patch(object, undefined, undefined, 'gradual-install', true, PatchStrategy.ServerSideApply);
  }
}
