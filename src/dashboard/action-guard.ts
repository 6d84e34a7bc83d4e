import { createHash, timingSafeEqual } from 'node:crypto';
import { hostName, isLoopbackHost } from './bind-policy.js';

/** The header every action request must carry: a page on another origin cannot set it without a CORS preflight, which the dashboard never grants. */
export const actionHeader = 'x-gradual-action';

export interface ActionRequest {
  method: string;
  /** The action named in the path. */
  action: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The value of the x-gradual-action header. */
  actionHeader: string | undefined;
  /** The Authorization header: `Bearer <the dashboard's action token>`. */
  authorization: string | undefined;
  /** The Rollout's namespace, from the path. */
  namespace: string;
}

export interface ActionPolicy {
  enableActions: boolean;
  /** Bound to loopback: the Host header must name loopback too, or a rebound DNS name is at work. */
  loopbackOnly: boolean;
  /** The bearer token every action must carry, even on loopback (any local process can reach loopback). */
  token: string;
  /** The namespaces served (`-n`); undefined: all. */
  namespaces: readonly string[] | undefined;
}

export type ActionDecision = { allowed: true } | { allowed: false; status: 401 | 403 | 405; reason: string };

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compared in constant time (over digests, so the lengths do not show either). */
function sameToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? '');
  return match !== null && token !== '' && timingSafeEqual(digest(match[1] ?? ''), digest(token));
}

/**
 * Whether an action request may run. Defence against cross-site request
 * forgery in layers: the custom header (forces a preflight), the Origin and
 * Sec-Fetch-Site a browser sends (same origin only), and, on loopback, a
 * Host that is loopback (DNS rebinding makes a foreign page same-origin).
 * Then authentication: the bearer token (401 without it: loopback is shared
 * by every process and user of the machine), and the namespaces served (403
 * outside them: `-n` limits what the dashboard may change, not only what it shows).
 */
export function decideActionRequest(request: ActionRequest, policy: ActionPolicy): ActionDecision {
  if (!policy.enableActions)
    return { allowed: false, status: 403, reason: 'actions are disabled: start the dashboard with --enable-actions' };
  if (request.method !== 'POST') return { allowed: false, status: 405, reason: 'actions are POST requests' };
  if (request.actionHeader !== request.action)
    return { allowed: false, status: 403, reason: `an action request must carry the header ${actionHeader}: ${request.action}` };
  if (request.host === undefined || request.host === '')
    return { allowed: false, status: 403, reason: 'an action request must carry a Host header' };
  if (policy.loopbackOnly && !isLoopbackHost(hostName(request.host)))
    return { allowed: false, status: 403, reason: `the dashboard listens on loopback; Host ${request.host} is not a loopback name` };
  if (request.origin !== undefined && request.origin !== `http://${request.host}` && request.origin !== `https://${request.host}`) {
    return { allowed: false, status: 403, reason: `cross-origin action refused (Origin ${request.origin})` };
  }
  if (request.secFetchSite !== undefined && request.secFetchSite !== 'same-origin' && request.secFetchSite !== 'none') {
    return { allowed: false, status: 403, reason: `cross-site action refused (Sec-Fetch-Site ${request.secFetchSite})` };
  }
  if (!sameToken(request.authorization, policy.token)) {
    return {
      allowed: false,
      status: 401,
      reason:
        "an action needs the dashboard's token (Authorization: Bearer …): open the URL the dashboard printed at start, which carries it",
    };
  }
  if (policy.namespaces !== undefined && !policy.namespaces.includes(request.namespace)) {
    return {
      allowed: false,
      status: 403,
      reason: `namespace ${request.namespace} is not served by this dashboard (serving ${policy.namespaces.join(', ')})`,
    };
  }
  return { allowed: true };
}
