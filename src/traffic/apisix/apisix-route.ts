import { isDeepStrictEqual } from 'node:util';
import { isControlledBy, rolloutControllerRef } from '../owner-reference.js';
import { parseObject } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterProblem, RouterRollout, SetHeaderRoute } from '../types.js';
import { apisixGroup, apisixRouteSchema, apisixVersion, type ApisixHttpRule, type ApisixRoute } from './schema.js';

export function apisixRouteRef(namespace: string, name: string): ObjectRef {
  return { group: apisixGroup, version: apisixVersion, resource: 'apisixroutes', kind: 'ApisixRoute', namespace, name };
}

/** The http rules the Rollout names (route.rules), else the rule named like the route, as Argo's processSetWeightRoutes. */
function ruleNames(rollout: RouterRollout): string[] {
  const route = rollout.trafficRouting.apisix?.route;
  return route?.rules ?? [route?.name ?? ''];
}

type Rules = { ok: true; http: ApisixHttpRule[] } | { ok: false; problem: RouterProblem };

/**
 * Applies `change` to each rule the Rollout names, in a copy of spec.http;
 * a missing rule or backend is an InvalidSpec at that rule, with Argo's
 * message.
 */
function changeRules(
  rollout: RouterRollout,
  ref: ObjectRef,
  route: ApisixRoute,
  change: (rule: ApisixHttpRule, field: string) => ApisixHttpRule | string,
): Rules {
  const http = route.spec?.http;
  if (http === undefined) return problemAt('InvalidSpec', ref, 'spec.http', 'spec.http was not found in Apisix Route manifest');
  const next = [...http];
  for (const name of ruleNames(rollout)) {
    const index = next.findIndex((rule) => rule.name === name);
    const rule = next[index];
    if (rule === undefined) return problemAt('InvalidSpec', ref, 'spec.http', `Apisix http route rule ${name} not found`);
    const changed = change(rule, `spec.http[${String(index)}].backends`);
    if (typeof changed === 'string') return problemAt('InvalidSpec', ref, `spec.http[${String(index)}].backends`, changed);
    next[index] = changed;
  }
  return { ok: true, http: next };
}

function withWeight(rule: ApisixHttpRule, service: string, weight: number): ApisixHttpRule | string {
  const backends = rule.backends;
  if (backends === undefined) return 'Apisix http route backends not found';
  if (!backends.some((backend) => backend.serviceName === service)) return `apisix route ${service} backend was not found`;
  return { ...rule, backends: backends.map((backend) => (backend.serviceName === service ? { ...backend, weight } : backend)) };
}

function patchHttp(ref: ObjectRef, route: ApisixRoute, http: ApisixHttpRule[]): RouterPlan {
  if (isDeepStrictEqual(http, route.spec?.http)) return unchanged;
  return planned([{ verb: 'patch', ref, patch: { spec: { http } }, resourceVersion: route.metadata.resourceVersion ?? '' }]);
}

export interface ApisixWeightInput {
  rollout: RouterRollout;
  ref: ObjectRef;
  object: JsonObject | undefined;
  desiredWeight: number;
}

/**
 * setWeight with APISIX (Argo's SetWeight in apisix/apisix.go): in each named
 * rule of the ApisixRoute, the canary backend gets the desired weight and the
 * stable backend 100 minus it. Written (spec.http, on the resourceVersion
 * read) only when a weight changes.
 */
export function planApisixWeight(input: ApisixWeightInput): RouterPlan {
  const { ref, rollout } = input;
  if (input.object === undefined) return problemAt('NotFound', ref, '', `ApisixRoute \`${ref.name}\` not found`);
  const parsed = parseObject(apisixRouteSchema, input.object, ref);
  if (!parsed.ok) return parsed;
  const rules = changeRules(rollout, ref, parsed.value, (rule) => {
    const canary = withWeight(rule, rollout.canaryService, input.desiredWeight);
    return typeof canary === 'string' ? canary : withWeight(canary, rollout.stableService, 100 - input.desiredWeight);
  });
  if (!rules.ok) return rules;
  return patchHttp(ref, parsed.value, rules.http);
}

/** A prefix is literal: its characters are escaped before `^prefix.*` (Argo writes them unescaped). */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** Argo's apisixExprs: one expression per value given (exact → Equal, regex and prefix → RegexMatch). */
export function headerExprs(route: SetHeaderRoute): JsonObject[] {
  return (route.match ?? []).flatMap(({ headerName, headerValue }) => {
    const subject = { scope: 'Header', name: headerName };
    const exprs: JsonObject[] = [];
    if ((headerValue.exact ?? '') !== '') exprs.push({ subject, op: 'Equal', value: headerValue.exact });
    if ((headerValue.regex ?? '') !== '') exprs.push({ subject, op: 'RegexMatch', value: headerValue.regex });
    if ((headerValue.prefix ?? '') !== '') exprs.push({ subject, op: 'RegexMatch', value: `^${escapeRegex(headerValue.prefix ?? '')}.*` });
    return exprs;
  });
}

export interface ApisixHeaderInput {
  rollout: RouterRollout;
  routeRef: ObjectRef;
  headerRef: ObjectRef;
  route: JsonObject | undefined;
  header: JsonObject | undefined;
  step: SetHeaderRoute;
}

/** The fields the API server sets, left out of a copy that is to be created. */
const serverFields = ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'ownerReferences'];

/**
 * setHeaderRoute with APISIX (Argo's SetHeaderRoute): a second ApisixRoute,
 * named after the step and owned by the Rollout, copied from the Rollout's
 * route at creation (priority + 1 on each named rule), whose named rules send
 * everything to the canary (the stable backend removed, the canary at 100)
 * and match the step's headers. Without `match` the route is deleted. An
 * ApisixRoute of that name the Rollout does not own is refused.
 */
export function planApisixHeaderRoute(input: ApisixHeaderInput): RouterPlan {
  const { rollout, routeRef, headerRef, step } = input;
  let existing: ApisixRoute | undefined;
  if (input.header !== undefined) {
    const parsed = parseObject(apisixRouteSchema, input.header, headerRef);
    if (!parsed.ok) return parsed;
    if (!isControlledBy(parsed.value.metadata.ownerReferences, rollout))
      return problemAt('NotOwned', headerRef, 'metadata.ownerReferences', `duplicate ApisixRoute [${headerRef.name}] already exists`);
    existing = parsed.value;
  }
  if (step.match === undefined) {
    if (existing === undefined) return unchanged;
    return planned([{ verb: 'delete', ref: headerRef, resourceVersion: existing.metadata.resourceVersion ?? '' }]);
  }
  let base = existing;
  if (base === undefined) {
    if (input.route === undefined) return problemAt('NotFound', routeRef, '', `ApisixRoute \`${routeRef.name}\` not found`);
    const parsed = parseObject(apisixRouteSchema, input.route, routeRef);
    if (!parsed.ok) return parsed;
    base = parsed.value;
  }
  const exprs = headerExprs(step);
  const isNew = existing === undefined;
  const rules = changeRules(rollout, headerRef, base, (rule) => {
    const canary = withWeight(rule, rollout.canaryService, 100);
    if (typeof canary === 'string') return canary;
    const match = typeof rule['match'] === 'object' && rule['match'] !== null ? (rule['match'] as JsonObject) : {};
    return {
      ...canary,
      backends: (canary.backends ?? []).filter((backend) => backend.serviceName !== rollout.stableService),
      ...(isNew ? { priority: (rule.priority ?? 0) + 1 } : {}),
      match: { ...match, exprs },
    };
  });
  if (!rules.ok) return rules;
  if (existing !== undefined) return patchHttp(headerRef, existing, rules.http);
  const metadata = Object.fromEntries(Object.entries(base.metadata).filter(([field]) => !serverFields.includes(field)));
  const object: JsonObject = {
    ...Object.fromEntries(Object.entries(base).filter(([field]) => field !== 'status')),
    metadata: { ...metadata, name: headerRef.name, namespace: headerRef.namespace, ownerReferences: [rolloutControllerRef(rollout)] },
    spec: { ...base.spec, http: rules.http },
  };
  return planned([{ verb: 'create', ref: headerRef, object }]);
}

/** removeManagedRoutes with APISIX: each managed route's ApisixRoute the Rollout owns is deleted; others are left alone. */
export function planApisixRemoveRoute(rollout: RouterRollout, ref: ObjectRef, object: JsonObject | undefined): RouterPlan {
  if (object === undefined) return unchanged;
  const parsed = parseObject(apisixRouteSchema, object, ref);
  if (!parsed.ok) return parsed;
  if (!isControlledBy(parsed.value.metadata.ownerReferences, rollout)) return unchanged;
  return planned([{ verb: 'delete', ref, resourceVersion: parsed.value.metadata.resourceVersion ?? '' }]);
}
