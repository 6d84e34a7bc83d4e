import type { V1Service } from '@kubernetes/client-node';
import type { Rollout } from '../api/index.js';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import type { KubeAction, RolloutObservation } from './reconcile-types.js';

/*
 * Argo's Service controller (service/service.go syncService), which the Rollout informer
 * enqueues for every Service a spec change stops naming (a blue-green → canary switch, or back,
 * or a renamed Service): a Service the Rollout no longer references loses the pod-template-hash
 * selector and the managed-by annotation the Rollout gave it, so it selects every pod of the app
 * again rather than a ReplicaSet that may go away. Gradual finds them level-triggered, by the
 * annotation, at every reconcile, which also covers a change made while it was down.
 */

/** The Services a Rollout's strategy names; the reconcile looks up exactly these. */
export function referencedServiceNames(rollout: Rollout): string[] {
  const canary = rollout.spec.strategy?.canary;
  const blueGreen = rollout.spec.strategy?.blueGreen;
  // Argo's GetRolloutServiceKeys: the ping and pong Services too.
  const names = [
    canary?.canaryService,
    canary?.stableService,
    canary?.pingPong?.pingService,
    canary?.pingPong?.pongService,
    blueGreen?.activeService,
    blueGreen?.previewService,
  ];
  return names.filter((name): name is string => name !== undefined && name !== '');
}

/** The Services, among the namespace's, that say `rollout` manages them and select by pod-template hash, but that it does not name. */
export function releasedServices(rollout: Rollout, services: readonly V1Service[]): V1Service[] {
  const name = rollout.metadata?.name;
  if (name === undefined) return [];
  const referenced = new Set(referencedServiceNames(rollout));
  return services.filter(
    (service) =>
      !referenced.has(service.metadata?.name ?? '') &&
      service.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION] === name &&
      service.spec?.selector?.[POD_TEMPLATE_HASH_LABEL] !== undefined,
  );
}

/** The writes that release them (Argo's removeSelectorAndManagedByPatch), whatever the Rollout's own validity; no Event, as in Argo. */
export function releaseServices(observation: RolloutObservation): KubeAction[] {
  return (observation.releasedServices ?? []).map((service) => ({
    kind: 'updateServiceSelector',
    name: service.metadata?.name ?? '',
    resourceVersion: service.metadata?.resourceVersion ?? '',
    selector: { [POD_TEMPLATE_HASH_LABEL]: null },
    annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: null },
  }));
}
