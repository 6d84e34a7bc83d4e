import { isDeepStrictEqual } from 'node:util';
import type { AlbTrafficRouting } from '../../api/traffic-routing.js';
import { ingressSchema, type Ingress, type IngressRule } from '../nginx/schema.js';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterEvent, RouterPlan, RouterRollout, SetHeaderRoute, WeightDestination } from '../types.js';
import {
  actionKey,
  actionService,
  canaryOnlyAction,
  conditionKey,
  headerConditions,
  managedAlbAnnotations,
  weightedAction,
  withManagedKeys,
} from './annotations.js';

export interface AlbIngressInput {
  rollout: RouterRollout;
  alb: AlbTrafficRouting;
  ref: ObjectRef;
  object: JsonObject | undefined;
}

type Read = { ok: true; ingress: Ingress } | Extract<RouterPlan, { ok: false }>;

function readIngress({ ref, object }: AlbIngressInput): Read {
  if (object === undefined)
    return problemAt('NotFound', ref, '', `Ingress \`${ref.name}\` not found (referenced by spec.strategy.canary.trafficRouting.alb)`);
  const parsed = parseObject(ingressSchema, object, ref);
  return parsed.ok ? { ok: true, ingress: parsed.value } : parsed;
}

function hasRuleWithService(rules: readonly IngressRule[], service: string): boolean {
  return rules.some((rule) => (rule.http?.paths ?? []).some((path) => path.backend.service?.name === service));
}

/** The merge patch of the annotations: changed keys, null for removed ones. */
function annotationPatch(current: Record<string, string>, desired: Record<string, string>): JsonObject {
  const patch: JsonObject = {};
  for (const key of new Set([...Object.keys(current), ...Object.keys(desired)]))
    if (current[key] !== desired[key]) patch[key] = desired[key] ?? null;
  return patch;
}

/** Sets or removes `keys` and records them in the managed-annotations map; a bad map is an InvalidSpec at that annotation. */
function desiredAnnotations(
  input: AlbIngressInput,
  ingress: Ingress,
  set: Record<string, string>,
  remove: readonly string[],
): { ok: true; annotations: Record<string, string> } | Extract<RouterPlan, { ok: false }> {
  const annotations: Record<string, string> = {
    ...Object.fromEntries(Object.entries(ingress.metadata.annotations ?? {}).filter(([key]) => !remove.includes(key))),
    ...set,
  };
  const add = Object.keys(set).length > 0;
  const managed = withManagedKeys(annotations[managedAlbAnnotations], input.rollout.name, add, add ? Object.keys(set) : remove);
  if (!managed.ok) return problemAt('InvalidSpec', input.ref, `metadata.annotations[${managedAlbAnnotations}]`, managed.message);
  annotations[managedAlbAnnotations] = managed.value;
  return { ok: true, annotations };
}

function patchIngress(
  ref: ObjectRef,
  ingress: Ingress,
  annotations: Record<string, string>,
  rules: IngressRule[] | undefined,
  event: RouterEvent,
): RouterPlan {
  const metadataPatch = annotationPatch(ingress.metadata.annotations ?? {}, annotations);
  const rulesChanged = rules !== undefined && !isDeepStrictEqual(rules, ingress.spec?.rules ?? []);
  if (Object.keys(metadataPatch).length === 0 && !rulesChanged) return unchanged;
  const patch: JsonObject = {
    ...(Object.keys(metadataPatch).length === 0 ? {} : { metadata: { annotations: metadataPatch } }),
    ...(rulesChanged ? { spec: { rules } } : {}),
  };
  return planned([{ verb: 'patch', ref, patch, resourceVersion: ingress.metadata.resourceVersion ?? '' }], [event]);
}

/**
 * setWeight with ALB for one Ingress (Argo's SetWeightPerIngress): the
 * Ingress must route to the action Service (rootService, else stableService);
 * its `<prefix>/actions.<service>` annotation becomes the forward action
 * (canary, additional destinations, stable, with stickiness when enabled),
 * recorded in rollouts.argoproj.io/managed-alb-annotations. Patched only when
 * an annotation changes.
 */
export function planAlbWeight(input: AlbIngressInput & { desiredWeight: number; additional: readonly WeightDestination[] }): RouterPlan {
  const read = readIngress(input);
  if (!read.ok) return read;
  const { rollout, alb, ref } = input;
  const service = actionService(rollout, alb);
  if (!hasRuleWithService(read.ingress.spec?.rules ?? [], service))
    return problemAt('InvalidSpec', ref, 'spec.rules', `ingress does not have service \`${service}\` in rules`);
  const desired = desiredAnnotations(
    input,
    read.ingress,
    { [actionKey(alb, service)]: weightedAction(rollout, alb, input.desiredWeight, input.additional) },
    [],
  );
  if (!desired.ok) return desired;
  return patchIngress(ref, read.ingress, desired.annotations, undefined, {
    type: 'Normal',
    reason: 'PatchingALBIngress',
    message: `Updating Ingress \`${ref.name}\` to desiredWeight '${String(input.desiredWeight)}'`,
  });
}

/** Argo's SortHttpPaths: paths to managed routes first, in managedRoutes order; the others after, in their order. */
function sortPaths(rules: IngressRule[], managed: readonly string[]): IngressRule[] {
  const rank = (name: string | undefined): number => {
    const index = name === undefined ? -1 : managed.indexOf(name);
    return index < 0 ? managed.length : index;
  };
  return rules.map((rule) =>
    rule.http === undefined
      ? rule
      : {
          ...rule,
          http: {
            ...rule.http,
            paths: rule.http.paths
              .map((path, index) => ({ path, index }))
              .sort((a, b) => rank(a.path.backend.service?.name) - rank(b.path.backend.service?.name) || a.index - b.index)
              .map(({ path }) => path),
          },
        },
  );
}

function withoutPathTo(rules: IngressRule[], service: string): IngressRule[] {
  return rules.map((rule) => {
    if (rule.http === undefined) return rule;
    const index = rule.http.paths.findIndex((path) => path.backend.service?.name === service);
    return index < 0 ? rule : { ...rule, http: { ...rule.http, paths: rule.http.paths.filter((_, at) => at !== index) } };
  });
}

/** Argo's CreateAnnotationBasedPath: `/*` to the action (port `use-annotation`) first in every rule. */
function withActionPath(rules: IngressRule[], action: string): IngressRule[] {
  const path = { path: '/*', pathType: 'ImplementationSpecific', backend: { service: { name: action, port: { name: 'use-annotation' } } } };
  return rules.map((rule) => (rule.http === undefined ? rule : { ...rule, http: { ...rule.http, paths: [path, ...rule.http.paths] } }));
}

/**
 * setHeaderRoute with ALB for one Ingress (Argo's SetHeaderRoutePerIngress):
 * `<prefix>/actions.<route>` forwards everything to the canary and
 * `<prefix>/conditions.<route>` matches the headers (exact values); a `/*`
 * path to the action comes first in each rule. Without `match`, both
 * annotations and the path go. Paths are then ordered by managedRoutes.
 */
export function planAlbHeaderRoute(input: AlbIngressInput & { route: SetHeaderRoute }): RouterPlan {
  const read = readIngress(input);
  if (!read.ok) return read;
  const { rollout, alb, ref, route } = input;
  const keys = [actionKey(alb, route.name), conditionKey(alb, route.name)];
  const add = route.match !== undefined;
  const set = add ? { [keys[0] ?? '']: canaryOnlyAction(rollout, alb), [keys[1] ?? '']: headerConditions(route) } : {};
  const desired = desiredAnnotations(input, read.ingress, set, add ? [] : keys);
  if (!desired.ok) return desired;
  let rules = read.ingress.spec?.rules ?? [];
  const hasRule = hasRuleWithService(rules, route.name);
  if (hasRule && !add) rules = withoutPathTo(rules, route.name);
  if (!hasRule && add) rules = withActionPath(rules, route.name);
  rules = sortPaths(
    rules,
    (rollout.trafficRouting.managedRoutes ?? []).map((managed) => managed.name),
  );
  return patchIngress(ref, read.ingress, desired.annotations, rules, {
    type: 'Normal',
    reason: 'PatchingALBIngress',
    message: `Updating Ingress \`${ref.name}\` to headerRoute '${route.name}'`,
  });
}

/** removeManagedRoutes with ALB for one Ingress: every managed route's action, condition and path removed. */
export function planAlbRemoveRoutes(input: AlbIngressInput): RouterPlan {
  const managed = (input.rollout.trafficRouting.managedRoutes ?? []).map((route) => route.name);
  if (managed.length === 0) return unchanged;
  const read = readIngress(input);
  if (!read.ok) return read;
  const keys = managed.flatMap((name) => [actionKey(input.alb, name), conditionKey(input.alb, name)]);
  const desired = desiredAnnotations(input, read.ingress, {}, keys);
  if (!desired.ok) return desired;
  let rules = read.ingress.spec?.rules ?? [];
  for (const name of managed) rules = withoutPathTo(rules, name);
  return patchIngress(input.ref, read.ingress, desired.annotations, rules, {
    type: 'Normal',
    reason: 'PatchingALBIngress',
    message: `Updating Ingress \`${input.ref.name}\` removing managed routes`,
  });
}
