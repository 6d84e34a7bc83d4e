import type { PlanCollector } from './plan-collector.js';
import type { V1Service } from '@kubernetes/client-node';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import { SWITCH_SERVICE_REASON } from './canary-services.js';
import type { KubeAction } from './reconcile-types.js';

/**
 * The active and preview Services of a blue-green Rollout as one reconcile sees them: what each
 * selects now, updated in place when the reconcile switches it, so that later steps of the same
 * reconcile (and the status) read the selector just written — as Argo's switchServiceSelector
 * updates the Service object it holds.
 */
export interface BlueGreenServiceView {
  name: string;
  service: V1Service;
  /** The `rollouts-pod-template-hash` the Service selects; '' when it selects none. */
  selector: string;
  /** Whether the Service already carries the managed-by annotation (after this reconcile's writes). */
  managed: boolean;
}

export function serviceView(name: string | undefined, services: Readonly<Record<string, V1Service>>): BlueGreenServiceView | undefined {
  if (name === undefined || name === '') return undefined;
  const service = services[name];
  if (service === undefined) return undefined;
  return {
    name,
    service,
    selector: service.spec?.selector?.[POD_TEMPLATE_HASH_LABEL] ?? '',
    managed: service.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION] !== undefined,
  };
}

/**
 * Argo's switchServiceSelector: point the Service at a ReplicaSet's pods by its hash, taking the
 * Service over (managed-by annotation) if no Rollout manages it yet. Nothing is written when
 * it already selects that hash and is managed. Event SwitchService, with Argo's words.
 */
export function switchServiceSelector(view: BlueGreenServiceView, hash: string, rolloutName: string, plan: PlanCollector): void {
  const { actions, events } = plan;
  if (view.selector === hash && view.managed) return;
  const action: KubeAction = {
    kind: 'updateServiceSelector',
    name: view.name,
    resourceVersion: view.service.metadata?.resourceVersion ?? '',
    selector: { [POD_TEMPLATE_HASH_LABEL]: hash },
    ...(view.managed ? {} : { annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: rolloutName } }),
  };
  actions.push(action);
  events.push({
    type: 'Normal',
    reason: SWITCH_SERVICE_REASON,
    message: `Switched selector for service '${view.name}' from '${view.selector}' to '${hash}'`,
  });
  view.selector = hash;
  view.managed = true;
}
