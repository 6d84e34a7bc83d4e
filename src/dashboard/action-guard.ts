import { isLoopbackHost } from './bind-policy.js';

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
}

export interface ActionPolicy {
  enableActions: boolean;
  /** Bound to loopback: the Host header must name loopback too, or a rebound DNS name is at work. */
  loopbackOnly: boolean;
}

export type ActionDecision = { allowed: true } | { allowed: false; status: 403 | 405; reason: string };

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Whether an action request may run. Defence against cross-site request
 * forgery in layers: the custom header (forces a preflight), the Origin and
 * Sec-Fetch-Site a browser sends (same origin only), and, on loopback, a
 * Host that is loopback (DNS rebinding makes a foreign page same-origin).
 */
export function decideActionRequest(request: ActionRequest, policy: ActionPolicy): ActionDecision {
  if (!policy.enableActions) return { allowed: false, status: 403, reason: 'actions are disabled: start the dashboard with --enable-actions' };
  if (request.method !== 'POST') return { allowed: false, status: 405, reason: 'actions are POST requests' };
  if (request.actionHeader !== request.action) return { allowed: false, status: 403, reason: `an action request must carry the header ${actionHeader}: ${request.action}` };
  if (request.host === undefined || request.host === '') return { allowed: false, status: 403, reason: 'an action request must carry a Host header' };
  if (policy.loopbackOnly && !isLoopbackHost(hostName(request.host))) return { allowed: false, status: 403, reason: `the dashboard listens on loopback; Host ${request.host} is not a loopback name` };
  if (request.origin !== undefined && request.origin !== `http://${request.host}` && request.origin !== `https://${request.host}`) {
    return { allowed: false, status: 403, reason: `cross-origin action refused (Origin ${request.origin})` };
  }
  if (request.secFetchSite !== undefined && request.secFetchSite !== 'same-origin' && request.secFetchSite !== 'none') {
    return { allowed: false, status: 403, reason: `cross-site action refused (Sec-Fetch-Site ${request.secFetchSite})` };
  }
  return { allowed: true };
}
