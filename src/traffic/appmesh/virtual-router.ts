import { isDeepStrictEqual } from 'node:util';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import { appMeshGroup, appMeshVersion, meshVirtualServiceSchema, routeTypes, virtualRouterSchema } from './schema.js';

/** Argo's ErrNotWellFormed, the message of every malformed VirtualRouter field. */
const notWellFormed = 'not well-formed';

type MeshResource = 'virtualservices' | 'virtualrouters' | 'virtualnodes';
const kinds: Record<MeshResource, string> = {
  virtualservices: 'VirtualService',
  virtualrouters: 'VirtualRouter',
  virtualnodes: 'VirtualNode',
};

/** An App Mesh object (appmesh.k8s.aws/v1beta2, Argo's default). */
export function meshRef(resource: MeshResource, namespace: string, name: string): ObjectRef {
  return { group: appMeshGroup, version: appMeshVersion, resource, kind: kinds[resource], namespace, name };
}

/**
 * The VirtualRouter a VirtualService names as its provider
 * (spec.provider.virtualRouter.virtualRouterRef; its namespace defaults to
 * the VirtualService's), as Argo's GetVirtualRouterCRForVirtualService; none
 * when the VirtualService is absent or names none.
 */
export function virtualRouterRefs(virtualService: JsonObject | undefined, namespace: string): ObjectRef[] {
  if (virtualService === undefined) return [];
  const parsed = meshVirtualServiceSchema.safeParse(virtualService);
  const ref = parsed.success ? parsed.data.spec?.provider?.virtualRouter?.virtualRouterRef : undefined;
  if (ref === undefined || ref.name === '') return [];
  return [meshRef('virtualrouters', ref.namespace === undefined || ref.namespace === '' ? namespace : ref.namespace, ref.name)];
}

export interface VirtualRouterWeightInput {
  rollout: RouterRollout;
  serviceRef: ObjectRef;
  virtualService: JsonObject | undefined;
  virtualRouter: JsonObject | undefined;
  desiredWeight: number;
}

/**
 * setWeight with App Mesh (Argo's SetWeight and reconcileVirtualRouter in
 * appmesh.go): the VirtualService's VirtualRouter, and in each of its routes
 * (those the Rollout names in virtualService.routes, else all) the weighted
 * target on the stable VirtualNode gets 100 minus the weight and the one on
 * the canary VirtualNode the weight; targets on other nodes (or another
 * namespace's) keep theirs. spec.routes is written back (on the
 * resourceVersion read) only when a weight changes.
 */
export function planVirtualRouterWeight(input: VirtualRouterWeightInput): RouterPlan {
  const { rollout, serviceRef, desiredWeight } = input;
  if (input.virtualService === undefined)
    return problemAt('NotFound', serviceRef, '', `VirtualService \`${serviceRef.name}\` not found in namespace \`${rollout.namespace}\``);
  const service = parseObject(meshVirtualServiceSchema, input.virtualService, serviceRef);
  if (!service.ok) return service;
  const [routerRef] = virtualRouterRefs(input.virtualService, serviceRef.namespace);
  if (routerRef === undefined)
    return problemAt(
      'InvalidSpec',
      serviceRef,
      'spec.provider.virtualRouter.virtualRouterRef',
      'Virtual-service is not associated with virtual-router',
    );
  if (input.virtualRouter === undefined)
    return problemAt('NotFound', routerRef, '', `VirtualRouter for \`${serviceRef.name}\` not found in namespace \`${rollout.namespace}\``);
  const router = parseObject(virtualRouterSchema, input.virtualRouter, routerRef);
  if (!router.ok) return { ok: false, problem: { ...router.problem, message: `${notWellFormed}: ${router.problem.message}` } };
  const routes = router.value.spec?.routes;
  if (routes === undefined) return problemAt('InvalidSpec', routerRef, 'spec.routes', 'No routes found');
  const group = rollout.trafficRouting.appMesh?.virtualNodeGroup;
  const filter = new Set(rollout.trafficRouting.appMesh?.virtualService?.routes ?? []);
  const next: JsonObject[] = [];
  for (const [index, route] of routes.entries()) {
    const type = routeTypes.find((candidate) => route[candidate] !== undefined);
    if (filter.size > 0 && !filter.has(route.name)) {
      next.push(route);
      continue;
    }
    const rule = type === undefined ? undefined : route[type];
    if (type === undefined || rule === undefined)
      return problemAt('InvalidSpec', routerRef, `spec.routes[${String(index)}]`, notWellFormed);
    const weightedTargets = rule.action.weightedTargets.map((target) => {
      const onNode = (name: string | undefined): boolean =>
        target.virtualNodeRef.name === name && ((target.virtualNodeRef.namespace ?? '') || rollout.namespace) === rollout.namespace;
      if (onNode(group?.stableVirtualNodeRef.name)) return { ...target, weight: 100 - desiredWeight };
      if (onNode(group?.canaryVirtualNodeRef.name)) return { ...target, weight: desiredWeight };
      return target;
    });
    next.push({ ...route, [type]: { ...rule, action: { ...rule.action, weightedTargets } } });
  }
  if (isDeepStrictEqual(next, routes)) return unchanged;
  return planned([
    { verb: 'patch', ref: routerRef, patch: { spec: { routes: next } }, resourceVersion: router.value.metadata.resourceVersion ?? '' },
  ]);
}
