/*
 * The hosts a metric provider may be pointed at (a policy's `metricHosts`): exact host names
 * or IP literals, or `*.example.com` for every name under example.com (not example.com
 * itself), compared without case. Pure.
 */

/** An entry as written: a host name, an IPv4 literal, a bracketed IPv6 literal, or `*.` and a domain. */
export const metricHostPattern = /^(?:(?:\*\.)?[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?|\[[0-9a-f:.]+\])$/u;

/** Whether `pattern` (an entry or a host) is within `by`: equal, or under a wildcard's domain. */
export function hostCoveredBy(pattern: string, by: string): boolean {
  const host = pattern.toLowerCase();
  const allowed = by.toLowerCase();
  if (host === allowed) return true;
  return allowed.startsWith('*.') && host.endsWith(allowed.slice(1)) && host.length > allowed.length - 1;
}

/** Whether a host is allowed by a list; no list allows every host. */
export function metricHostAllowed(host: string, allowed: readonly string[] | undefined): boolean {
  return allowed === undefined || allowed.some((entry) => hostCoveredBy(host, entry));
}
