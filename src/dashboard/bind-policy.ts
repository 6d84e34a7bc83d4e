import { isIP } from 'node:net';
import { GradualError } from '../errors/gradual-error.js';

/** A host name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || lower.startsWith('::ffff:127.');
  return false;
}

/** A refused start: the message says which flag a person must add. */
export class DashboardBindError extends GradualError {
  constructor(readonly host: string) {
    super(
      'REMOTE_ACTIONS_REFUSED',
      `The dashboard refuses to serve actions on ${host}, which other machines can reach: bind it to 127.0.0.1 (the default with --enable-actions), or add --allow-remote-actions to accept that anyone who reaches ${host} can promote and abort rollouts.`,
      { retryable: false },
    );
  }
}

/**
 * Actions change the cluster with the dashboard's own credentials, so with
 * them a bind beyond loopback needs a second, explicit consent; read-only,
 * any address is allowed.
 */
export function checkBind(options: { host: string; enableActions: boolean; allowRemoteActions?: boolean | undefined }): void {
  if (options.enableActions && !isLoopbackHost(options.host) && options.allowRemoteActions !== true)
    throw new DashboardBindError(options.host);
}

/** The name part of a Host header (`[::1]:3100` → `[::1]`, `a.example:80` → `a.example`). */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

export interface HostPolicy {
  /** The address the dashboard listens on. */
  bound: string;
  /** Names a person reaches it by beyond loopback and IP literals (`--allowed-host`, e.g. behind a proxy). */
  allowedHosts?: readonly string[] | undefined;
}

export type HostDecision = { allowed: true } | { allowed: false; status: 421; reason: string };

/**
 * Whether a request's Host is one the dashboard serves, on every route (GET
 * included: after DNS rebinding a foreign page reads the rollouts as same-origin).
 * Bound to loopback: a loopback name or address only. Bound beyond: an IP
 * literal (a rebound name is a name, never an address), a loopback name, or a
 * name given by --allowed-host. Refused with 421 Misdirected Request (RFC 9110
 * §15.5.20: this server does not produce answers for that authority), which
 * says "wrong host", not "forbidden to you".
 */
export function decideHost(host: string | undefined, policy: HostPolicy): HostDecision {
  if (host === undefined || host === '') return { allowed: false, status: 421, reason: 'a request must carry a Host header' };
  const name = hostName(host).toLowerCase();
  if (isLoopbackHost(name)) return { allowed: true };
  if (isLoopbackHost(policy.bound))
    return { allowed: false, status: 421, reason: `the dashboard listens on loopback; Host ${host} is not a loopback name` };
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare) !== 0) return { allowed: true };
  if ((policy.allowedHosts ?? []).some((allowed) => allowed.toLowerCase() === name)) return { allowed: true };
  return {
    allowed: false,
    status: 421,
    reason: `Host ${host} is not served: use an address, or start the dashboard with --allowed-host ${name}`,
  };
}
