import { isDeepStrictEqual } from 'node:util';
import type { SetHeaderRoute } from '../../api/traffic-routing.js';
import { parseObject, type Parsed } from '../parse-object.js';
import { planned, problemAt, unchanged } from '../plan.js';
import type { JsonObject, ObjectRef, RouterPlan, RouterRollout } from '../types.js';
import type { GatewayApiConfig } from './config.js';
import { httpRouteSchema, type HttpHeaderMatch, type HttpRoute, type HttpRouteRule } from './schema.js';

export function httpRouteRef(namespace: string, name: string): ObjectRef {
  return { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes', kind: 'HTTPRoute', namespace, name };
}

function readHttpRoute(ref: ObjectRef, object: JsonObject | undefined): Parsed<HttpRoute> {
  if (object === undefined)
    return problemAt('NotFound', ref, '', `HTTPRoute \`${ref.name}\` not found (referenced by the Gateway API traffic routing)`);
  return parseObject(httpRouteSchema, object, ref);
}

/** A rule the router added: named after a managed route (or `name-N`), or, from older plugin versions, one backendRef to the canary. */
function isManagedRule(
  rule: HttpRouteRule,
  managedNames: ReadonlySet<string>,
  canaryService: string,
  headers?: readonly HttpHeaderMatch[],
): boolean {
  if (
    rule.name !== undefined &&
    [...managedNames].some((base) => rule.name === base || new RegExp(`^${escape(base)}-\\d+$`, 'u').test(rule.name ?? ''))
  )
    return true;
  if (rule.backendRefs?.length !== 1 || rule.backendRefs[0]?.name !== canaryService) return false;
  if (headers === undefined) return true;
  return (rule.matches ?? []).some((match) =>
    headers.every((header) => (match.headers ?? []).some((existing) => existing.name === header.name)),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

function managedNamesOf(rollout: RouterRollout): Set<string> {
  return new Set((rollout.trafficRouting.managedRoutes ?? []).map((route) => route.name));
}

function replace(ref: ObjectRef, route: HttpRoute, spec: HttpRoute['spec'], metadata = route.metadata): RouterPlan {
  return planned([{ verb: 'replace', ref, object: { ...route, metadata, spec } }]);
}

/**
 * setWeight on one HTTPRoute (the plugin's setHTTPRouteWeight): in every
 * rule the router did not add, the canary backendRef gets the desired
 * weight and the stable one the rest of 100; both must be found. The route
 * carries the in-progress label while the canary has weight.
 */
export function planHttpRouteWeight(input: {
  rollout: RouterRollout;
  config: GatewayApiConfig;
  ref: ObjectRef;
  object: JsonObject | undefined;
  desiredWeight: number;
}): RouterPlan {
  const { rollout, ref, desiredWeight } = input;
  const parsed = readHttpRoute(ref, input.object);
  if (!parsed.ok) return parsed;
  const route = parsed.value;
  const managed = managedNamesOf(rollout);
  const weightOf = (service: string): number | undefined =>
    service === rollout.canaryService ? desiredWeight : service === rollout.stableService ? 100 - desiredWeight : undefined;
  const split = (route.spec.rules ?? []).map((rule) => !isManagedRule(rule, managed, rollout.canaryService));
  const services = new Set(
    (route.spec.rules ?? []).flatMap((rule, index) =>
      split[index] === true ? (rule.backendRefs ?? []).map((backendRef) => backendRef.name) : [],
    ),
  );
  if (!services.has(rollout.canaryService) || !services.has(rollout.stableService)) {
    return problemAt(
      'InvalidSpec',
      ref,
      'spec.rules',
      `backendRef was not found in httpRoute (canary Service '${rollout.canaryService}', stable Service '${rollout.stableService}')`,
    );
  }
  const rules = (route.spec.rules ?? []).map((rule, index) => {
    if (split[index] !== true || rule.backendRefs === undefined) return rule;
    return {
      ...rule,
      backendRefs: rule.backendRefs.map((backendRef) => ({
        ...backendRef,
        ...(weightOf(backendRef.name) === undefined ? {} : { weight: weightOf(backendRef.name) }),
      })),
    };
  });
  const label = input.config.inProgressLabel;
  const labels = Object.fromEntries(Object.entries(route.metadata.labels ?? {}).filter(([key]) => key !== label?.key || desiredWeight > 0));
  if (label !== undefined && desiredWeight > 0) labels[label.key] = label.value;
  const metadata = route.metadata.labels === undefined && Object.keys(labels).length === 0 ? route.metadata : { ...route.metadata, labels };
  const spec = { ...route.spec, rules };
  if (isDeepStrictEqual(spec, route.spec) && isDeepStrictEqual(metadata, route.metadata)) return unchanged;
  return replace(ref, route, spec, metadata);
}

/** The plugin's header matches: exact as Exact, prefix as the RegularExpression `prefix.*`, regex as RegularExpression. */
export function headerMatches(
  step: SetHeaderRoute & { match: NonNullable<SetHeaderRoute['match']> },
): HttpHeaderMatch[] | { field: string; message: string } {
  const matches: HttpHeaderMatch[] = [];
  for (const [index, match] of step.match.entries()) {
    const value = match.headerValue;
    if (value.exact !== undefined && value.exact !== '') matches.push({ name: match.headerName, type: 'Exact', value: value.exact });
    else if (value.prefix !== undefined && value.prefix !== '')
      matches.push({ name: match.headerName, type: 'RegularExpression', value: `${value.prefix}.*` });
    else if (value.regex !== undefined && value.regex !== '')
      matches.push({ name: match.headerName, type: 'RegularExpression', value: value.regex });
    else return { field: `match[${index}].headerValue`, message: 'invalid header match type' };
  }
  return matches;
}

/** The rules a header route adds, one per rule that holds both the canary and the stable backendRef (the plugin's setHTTPHeaderRoute). */
function headerRules(rules: readonly HttpRouteRule[], rollout: RouterRollout, name: string, headers: HttpHeaderMatch[]): HttpRouteRule[] {
  const sources = rules.filter((rule) =>
    [rollout.canaryService, rollout.stableService].every((service) =>
      (rule.backendRefs ?? []).some((backendRef) => backendRef.name === service),
    ),
  );
  return sources.map((source, index) => {
    const canaryRef = source.backendRefs?.find((backendRef) => backendRef.name === rollout.canaryService);
    const matches =
      (source.matches ?? []).length === 0
        ? [{ headers }]
        : (source.matches ?? []).map((match) => ({
            ...(match.path === undefined ? {} : { path: match.path }),
            headers: [...(match.headers ?? []), ...headers],
            ...(match.queryParams === undefined ? {} : { queryParams: match.queryParams }),
            ...(match.method === undefined ? {} : { method: match.method }),
          }));
    return {
      name: index === 0 ? name : `${name}-${index}`,
      matches,
      ...((source.filters ?? []).length === 0 ? {} : { filters: source.filters }),
      backendRefs: [
        { group: '', kind: 'Service', name: rollout.canaryService, ...(canaryRef?.port === undefined ? {} : { port: canaryRef.port }) },
      ],
    };
  });
}

/** setHeaderRoute on one HTTPRoute: the step's rules replaced by fresh ones appended after the others; without `match`, every managed rule is removed, as the plugin does. */
export function planHttpHeaderRoute(input: {
  rollout: RouterRollout;
  ref: ObjectRef;
  object: JsonObject | undefined;
  step: SetHeaderRoute;
}): RouterPlan {
  const { rollout, ref, step } = input;
  const match = step.match;
  if (match === undefined) return planRemoveHttpManagedRoutes(input);
  const headers = headerMatches({ ...step, match });
  if (!Array.isArray(headers))
    return problemAt(
      'InvalidSpec',
      { kind: 'Rollout', namespace: rollout.namespace, name: rollout.name },
      `setHeaderRoute.${headers.field}`,
      headers.message,
    );
  const parsed = readHttpRoute(ref, input.object);
  if (!parsed.ok) return parsed;
  const route = parsed.value;
  const rules = route.spec.rules ?? [];
  const added = headerRules(rules, rollout, step.name, headers);
  if (added.length === 0) return problemAt('InvalidSpec', ref, 'spec.rules', 'backendRef was not found in httpRoute');
  const kept = rules.filter((rule) => !isManagedRule(rule, new Set([step.name]), rollout.canaryService, headers));
  const spec = { ...route.spec, rules: [...kept, ...added] };
  return isDeepStrictEqual(spec, route.spec) ? unchanged : replace(ref, route, spec);
}

/** removeManagedRoutes on one HTTPRoute (the plugin's removeHTTPManagedRoutes). */
export function planRemoveHttpManagedRoutes(input: { rollout: RouterRollout; ref: ObjectRef; object: JsonObject | undefined }): RouterPlan {
  const parsed = readHttpRoute(input.ref, input.object);
  if (!parsed.ok) return parsed;
  const route = parsed.value;
  const rules = route.spec.rules ?? [];
  const kept = rules.filter((rule) => !isManagedRule(rule, managedNamesOf(input.rollout), input.rollout.canaryService));
  return kept.length === rules.length ? unchanged : replace(input.ref, route, { ...route.spec, rules: kept });
}
