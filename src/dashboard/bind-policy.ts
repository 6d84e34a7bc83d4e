import { isIP } from 'node:net';

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
export class DashboardBindError extends Error {
  readonly code = 'remote-actions-refused';
  constructor(readonly host: string) {
    super(`The dashboard refuses to serve actions on ${host}, which other machines can reach: bind it to 127.0.0.1 (the default with --enable-actions), or add --allow-remote-actions to accept that anyone who reaches ${host} can promote and abort rollouts.`);
    this.name = 'DashboardBindError';
  }
}

/**
 * Actions change the cluster with the dashboard's own credentials, so with
 * them a bind beyond loopback needs a second, explicit consent; read-only,
 * any address is allowed.
 */
export function checkBind(options: { host: string; enableActions: boolean; allowRemoteActions?: boolean | undefined }): void {
  if (options.enableActions && !isLoopbackHost(options.host) && options.allowRemoteActions !== true) throw new DashboardBindError(options.host);
}
