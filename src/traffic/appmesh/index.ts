import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterDecisions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { planVirtualNodeHash, virtualNodeHashes } from './virtual-node.js';
import { meshRef, planVirtualRouterWeight, virtualRouterRefs } from './virtual-router.js';

const field = 'spec.strategy.canary.trafficRouting.appMesh';

/**
 * The App Mesh router's decisions (Argo's rollout/trafficrouting/appmesh/appmesh.go):
 * updateHash points the stable and canary VirtualNodes' pod selectors at the
 * ReplicaSets' hashes, setWeight sets the weighted targets of the
 * VirtualRouter behind the VirtualService (read from the VirtualService, so
 * the call reads it first and the router after). Header and mirror routes
 * and managed routes are no-ops, as in Argo, whose validation refuses those
 * steps with App Mesh (route-step-support.ts); the weight cannot be verified.
 * Argo dereferences virtualService and virtualNodeGroup without a check;
 * here a missing one is an InvalidSpec naming it.
 */
export function appMeshRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const config = rollout.trafficRouting.appMesh;
  const serviceName = config?.virtualService?.name ?? '';
  if (serviceName === '') throw invalidRolloutSpec(rollout, `${field}.virtualService.name`, 'must be set');
  const group = config?.virtualNodeGroup;
  if (group === undefined) throw invalidRolloutSpec(rollout, `${field}.virtualNodeGroup`, 'must be set');
  for (const role of ['canaryVirtualNodeRef', 'stableVirtualNodeRef'] as const)
    if (group[role].name === '') throw invalidRolloutSpec(rollout, `${field}.virtualNodeGroup.${role}.name`, 'must be set');
  const serviceRef = meshRef('virtualservices', rollout.namespace, serviceName);
  const stableRef = meshRef('virtualnodes', rollout.namespace, group.stableVirtualNodeRef.name);
  const canaryRef = meshRef('virtualnodes', rollout.namespace, group.canaryVirtualNodeRef.name);
  return {
    type: 'AppMesh',
    refs: () => [serviceRef, stableRef, canaryRef],
    updateHash: (canaryHash, stableHash) => {
      const hashes = virtualNodeHashes(canaryHash, stableHash);
      return [
        { refs: [stableRef], decide: ([object]) => planVirtualNodeHash(rollout, stableRef, object, hashes.stable) },
        { refs: [canaryRef], decide: ([object]) => planVirtualNodeHash(rollout, canaryRef, object, hashes.canary) },
      ];
    },
    setWeight: (desiredWeight) => [
      {
        refs: [serviceRef],
        follow: ([virtualService]) => virtualRouterRefs(virtualService, rollout.namespace),
        decide: ([virtualService, virtualRouter]) =>
          planVirtualRouterWeight({ rollout, serviceRef, virtualService, virtualRouter, desiredWeight }),
      },
    ],
    setHeaderRoute: () => [],
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => [],
  };
}

/** The App Mesh router's shell. */
export function createAppMeshRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(appMeshRouterDecisions(rollout), kube);
}
