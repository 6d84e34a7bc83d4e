import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { Rollout } from '../../api/index.js';
import { releasedDestinationRules } from '../destination-rule-references.js';
import { referencedServiceNames, releasedServices } from '../service-references.js';
import type { ObservedDestinationRule, RolloutObservation } from '../reconcile-types.js';
import { isDeploymentRef } from '../workload-ref.js';

export { referencedServiceNames } from '../service-references.js';

/**
 * The name of the Deployment a Rollout's workloadRef names; undefined without one (or for another kind).
 * Read defensively: the shell also observes Rollouts that failed validation (their InvalidSpec
 * condition is still planned), whose workloadRef may be anything.
 */
export function referencedDeploymentName(rollout: Rollout): string | undefined {
  const spec: unknown = rollout.spec;
  const ref: unknown = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['workloadRef'] : undefined;
  if (typeof ref !== 'object' || ref === null) return undefined;
  const { apiVersion, kind, name } = ref as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') return undefined;
  return isDeploymentRef({ apiVersion, kind }) ? name : undefined;
}

/** Objects whose controller ownerReference is the given uid (Argo's claim on ReplicaSets and AnalysisRuns). */
export function controlledBy(
  uid: string | undefined,
): (object: { metadata?: { ownerReferences?: { uid: string; controller?: boolean }[] } }) => boolean {
  return (object) =>
    uid !== undefined && (object.metadata?.ownerReferences ?? []).some((owner) => owner.controller === true && owner.uid === uid);
}

/**
 * Builds the planner's input from what the informer caches hold for the
 * Rollout's namespace: its own ReplicaSets (by controller ownerReference, as
 * Argo claims them), the Services its strategy names (and those and the
 * DestinationRules it no longer names but still marks), the pods of its
 * ReplicaSets, and the Deployment its workloadRef names. Pure: the shell
 * passes the cache contents and the clock.
 */
export function observeRollout(input: {
  rollout: Rollout;
  replicaSets: readonly V1ReplicaSet[];
  services: readonly V1Service[];
  pods: readonly V1Pod[];
  deployments?: readonly V1Deployment[];
  /** The namespace's Istio DestinationRules (none when Istio's kinds are not served). */
  destinationRules?: readonly ObservedDestinationRule[];
  now: Date;
}): RolloutObservation {
  const uid = input.rollout.metadata?.uid;
  const replicaSets = input.replicaSets.filter(controlledBy(uid));
  const replicaSetUids = new Set(replicaSets.map((rs) => rs.metadata?.uid).filter((id): id is string => id !== undefined));
  const pods = input.pods.filter((pod) =>
    (pod.metadata?.ownerReferences ?? []).some((owner) => owner.controller === true && replicaSetUids.has(owner.uid)),
  );
  const wanted = new Set(referencedServiceNames(input.rollout));
  const services: Record<string, V1Service> = {};
  for (const service of input.services) {
    const name = service.metadata?.name;
    if (name !== undefined && wanted.has(name)) services[name] = service;
  }
  const released = releasedServices(input.rollout, input.services);
  const releasedRules = releasedDestinationRules(input.rollout, input.destinationRules ?? []);
  const deploymentName = referencedDeploymentName(input.rollout);
  const workload =
    deploymentName === undefined ? undefined : (input.deployments ?? []).find((deployment) => deployment.metadata?.name === deploymentName);
  return {
    rollout: input.rollout,
    replicaSets,
    services,
    ...(released.length === 0 ? {} : { releasedServices: released }),
    ...(releasedRules.length === 0 ? {} : { releasedDestinationRules: releasedRules }),
    pods,
    ...(workload === undefined ? {} : { workload }),
    now: input.now,
  };
}
