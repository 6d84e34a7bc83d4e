import type { PlanCollector } from './plan-collector.js';
import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { CanaryStrategyWithDefaults } from '../api/index.js';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import { podTemplateHashOf } from './replica-set-classification.js';

/** Argo's event when it points a Service at another ReplicaSet. */
export const SWITCH_SERVICE_REASON = 'SwitchService';

export interface CanaryServicesInput {
  rolloutName: string;
  canary: CanaryStrategyWithDefaults;
  services: Readonly<Record<string, V1Service>>;
  newRS: V1ReplicaSet;
  stableRS: V1ReplicaSet | undefined;
  aborted: boolean;
  /** Argo checks availability before pointing the canary Service back at stable only without a router; default true. */
  checkAvailabilityOnAbort?: boolean;
  /** With canary.pingPong: the ping or pong Service that holds the canary now (ping-pong.ts). */
  pingPongCanary?: string | undefined;
  /** status.stableRS is the new ReplicaSet: nothing is a canary. */
  fullyPromoted?: boolean;
}

/**
 * Argo's reconcileStableAndCanaryService for the basic canary: the stable Service selects the
 * stable ReplicaSet's pods, the canary Service the new one's — or the stable one's after an
 * abort. A Service not yet managed by a Rollout is only taken over once the ReplicaSet is fully
 * available, and no Service is ever pointed at a ReplicaSet with no available pod.
 */
export function reconcileCanaryServices(input: CanaryServicesInput, plan: PlanCollector): void {
  const { canary, stableRS, newRS } = input;
  ensureServiceTargets(input, canary.stableService, stableRS, plan, true);
  ensureServiceTargets(
    input,
    canary.canaryService,
    input.aborted ? stableRS : newRS,
    plan,
    !input.aborted || input.checkAvailabilityOnAbort !== false,
  );
  // Argo's reconcilePingAndPongService: until fully promoted, the ping or pong Service holding the canary selects the new pods, availability unchecked.
  if (input.pingPongCanary !== undefined && input.fullyPromoted !== true)
    ensureServiceTargets(input, input.pingPongCanary, newRS, plan, false);
}

function ensureServiceTargets(
  input: CanaryServicesInput,
  serviceName: string | undefined,
  rs: V1ReplicaSet | undefined,
  plan: PlanCollector,
  checkAvailability: boolean,
): void {
  const { actions, events } = plan;
  if (rs === undefined || serviceName === undefined || serviceName === '') return;
  const service = input.services[serviceName];
  if (service === undefined) return;
  const current = service.spec?.selector?.[POD_TEMPLATE_HASH_LABEL];
  const desired = podTemplateHashOf(rs);
  if (current === desired) return;
  const managed = service.metadata?.annotations?.[MANAGED_BY_ROLLOUTS_ANNOTATION] !== undefined;
  const available = rs.status?.availableReplicas ?? 0;
  const replicas = rs.spec?.replicas;
  if (checkAvailability && !managed && !(replicas !== undefined && replicas !== 0 && available !== 0 && replicas <= available)) return;
  if (checkAvailability && available === 0) return;
  actions.push({
    kind: 'updateServiceSelector',
    name: serviceName,
    resourceVersion: service.metadata?.resourceVersion ?? '',
    selector: { [POD_TEMPLATE_HASH_LABEL]: desired },
    annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: input.rolloutName },
  });
  events.push({
    type: 'Normal',
    reason: SWITCH_SERVICE_REASON,
    message: `Switched selector for service '${serviceName}' from '${current ?? ''}' to '${desired}'`,
  });
}
