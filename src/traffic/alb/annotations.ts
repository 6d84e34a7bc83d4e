import type { AlbTrafficRouting } from '../../api/traffic-routing.js';
import type { RouterRollout, SetHeaderRoute } from '../types.js';

/** Argo's utils/ingress constants. */
export const defaultAlbAnnotationPrefix = 'alb.ingress.kubernetes.io';
export const managedAlbAnnotations = 'rollouts.argoproj.io/managed-alb-annotations';

/** The services the actions forward to: ping/pong as the status says when pingPong is on (Argo's GetStableAndCanaryServices(r, true)). */
export function albServices(rollout: RouterRollout): { stable: string; canary: string } {
  return rollout.pingPong ?? { stable: rollout.stableService, canary: rollout.canaryService };
}

function prefixOf(alb: AlbTrafficRouting): string {
  return alb.annotationPrefix === undefined || alb.annotationPrefix === '' ? defaultAlbAnnotationPrefix : alb.annotationPrefix;
}

/** The Service the weighted action is named after: rootService, else stableService (Argo's ALBActionAnnotationKey). */
export function actionService(rollout: RouterRollout, alb: AlbTrafficRouting): string {
  return alb.rootService === undefined || alb.rootService === '' ? rollout.stableService : alb.rootService;
}

export function actionKey(alb: AlbTrafficRouting, name: string): string {
  return `${prefixOf(alb)}/actions.${name}`;
}

export function conditionKey(alb: AlbTrafficRouting, name: string): string {
  return `${prefixOf(alb)}/conditions.${name}`;
}

/** JSON as Go's json.Marshal writes it: <, >, & and U+2028/U+2029 escaped, so the annotation is byte-for-byte Argo's. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface TargetGroup {
  ServiceName: string;
  ServicePort: string;
  Weight: number;
}

/** Argo's ALBAction, serialised as Go's json.Marshal writes it (field order kept). */
function forwardAction(alb: AlbTrafficRouting, targetGroups: TargetGroup[]): string {
  const stickiness = alb.stickinessConfig;
  const forward = {
    TargetGroups: targetGroups,
    ...(stickiness?.enabled === true
      ? { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: stickiness.durationSeconds } }
      : {}),
  };
  return goJson({ Type: 'forward', ForwardConfig: forward });
}

/** The weighted action: the canary at the desired weight, each additional destination at its weight, the stable at the rest. */
export function weightedAction(
  rollout: RouterRollout,
  alb: AlbTrafficRouting,
  desiredWeight: number,
  additional: readonly { serviceName: string; weight: number }[],
): string {
  const port = String(alb.servicePort);
  const { stable, canary } = albServices(rollout);
  const rest = 100 - desiredWeight - additional.reduce((sum, destination) => sum + destination.weight, 0);
  return forwardAction(alb, [
    { ServiceName: canary, ServicePort: port, Weight: desiredWeight },
    ...additional.map((destination) => ({ ServiceName: destination.serviceName, ServicePort: port, Weight: destination.weight })),
    { ServiceName: stable, ServicePort: port, Weight: rest },
  ]);
}

/** A header route's action: everything to the canary. */
export function canaryOnlyAction(rollout: RouterRollout, alb: AlbTrafficRouting): string {
  return forwardAction(alb, [{ ServiceName: albServices(rollout).canary, ServicePort: String(alb.servicePort), Weight: 100 }]);
}

/** Argo's getTrafficForwardConditionString: one http-header condition per header name, its exact values in order. */
export function headerConditions(route: SetHeaderRoute): string {
  const conditions: { field: string; httpHeaderConfig: { httpHeaderName: string; values: string[] } }[] = [];
  for (const match of route.match ?? []) {
    const value = match.headerValue.exact ?? '';
    const existing = conditions.find((condition) => condition.httpHeaderConfig.httpHeaderName === match.headerName);
    if (existing === undefined)
      conditions.push({ field: 'http-header', httpHeaderConfig: { httpHeaderName: match.headerName, values: [value] } });
    else existing.httpHeaderConfig.values.push(value);
  }
  return goJson(conditions);
}

/**
 * Argo's modifyManagedAnnotation: the JSON map rollout name → annotation keys
 * it manages, keys added (once) or removed, written with Go's sorted map keys.
 * An unreadable value is reported, not overwritten.
 */
export function withManagedKeys(
  current: string | undefined,
  rolloutName: string,
  add: boolean,
  keys: readonly string[],
): { ok: true; value: string } | { ok: false; message: string } {
  let parsed: unknown = {};
  if (current !== undefined && current !== '') {
    try {
      parsed = JSON.parse(current);
    } catch {
      return { ok: false, message: 'not a JSON object of annotation key lists' };
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, message: 'not a JSON object of annotation key lists' };
  const map = parsed as Record<string, unknown>;
  if (Object.values(map).some((list) => list !== null && (!Array.isArray(list) || list.some((key) => typeof key !== 'string'))))
    return { ok: false, message: 'not a JSON object of annotation key lists' };
  let own = ((map[rolloutName] as string[] | null | undefined) ?? []).slice();
  for (const key of keys) {
    if (add) {
      if (!own.includes(key)) own.push(key);
    } else own = own.filter((entry) => entry !== key);
  }
  const next: Record<string, unknown> = { ...map, [rolloutName]: own };
  const sorted = Object.fromEntries(
    Object.keys(next)
      .sort()
      .map((key) => [key, next[key]]),
  );
  return { ok: true, value: goJson(sorted) };
}
