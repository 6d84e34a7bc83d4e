import type { KubeConfig } from '@kubernetes/client-node';
import { createInformerCache, type InformerCache, type KubeObject } from '../kube/index.js';
import type { Logger } from '../log/index.js';

/** An informer over one namespace's pods, shared by the runner and the gateway; each reader parses the pods it uses (demoPodSchema). */
export function createPodInformer(kubeConfig: KubeConfig, namespace: string, logger?: Logger): InformerCache<KubeObject> {
  return createInformerCache<KubeObject>(kubeConfig, {
    path: `/api/v1/namespaces/${namespace}/pods`,
    ...(logger === undefined ? {} : { logger }),
  });
}
