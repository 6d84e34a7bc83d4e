import { z } from 'zod';

/**
 * One API request the local GitHub answered, as tests count them ("no
 * duplicate comment, no second apply"). `route` is the OpenAPI path
 * template (`/repos/{owner}/{repo}/issues/{issue_number}/comments`), so a
 * test counts calls by operation without parsing paths; an unknown route
 * keeps its raw path and has no operationId.
 */
export interface RequestLogEntry {
  /** 1, 2, 3, … in the order answered; never reused, even when old entries are dropped. */
  seq: number;
  method: string;
  route: string;
  /** The path as requested (`/repos/acme/deploys/issues/1/comments`), to tell one pull request's calls from another's. */
  path: string;
  operationId: string | undefined;
  status: number;
  /** ISO 8601, from the server's clock. */
  at: string;
  /** Who called: `app`, `installation:<id>`, `user:<login>` or `anonymous`. */
  caller: string;
}

/** Entries kept in memory; the oldest are dropped past this, so a long-running demo does not grow without bound. */
export const maxRequestLogEntries = 100_000;

/** Appends to `log` in place (numbering the entry), dropping the oldest entries past the limit. */
export function appendRequestLog(log: RequestLogEntry[], entry: Omit<RequestLogEntry, 'seq'>): void {
  log.push({ seq: (log.at(-1)?.seq ?? 0) + 1, ...entry });
  if (log.length > maxRequestLogEntries) log.splice(0, log.length - maxRequestLogEntries);
}

/** How many entries match `method` and `route` (and `status`, when given). */
export function countRequests(log: readonly RequestLogEntry[], match: { method: string; route: string; status?: number }): number {
  return log.filter(
    (entry) =>
      entry.method === match.method.toUpperCase() &&
      entry.route === match.route &&
      (match.status === undefined || entry.status === match.status),
  ).length;
}

const requestLogSchema = z.object({
  entries: z.array(
    z.object({
      seq: z.number().int(),
      method: z.string(),
      route: z.string(),
      path: z.string(),
      operationId: z.string().optional(),
      status: z.number().int(),
      at: z.string(),
      caller: z.string(),
    }),
  ),
});

/**
 * The request log of a local GitHub in another process (`local up`), from
 * `GET /_local/requests`; only entries with `seq` above `since` (the last
 * `seq` a test saw), so a test reads only what happened after it.
 */
export async function fetchRequestLog(apiUrl: string, since = 0): Promise<RequestLogEntry[]> {
  const response = await fetch(`${apiUrl}/_local/requests?since=${String(since)}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${apiUrl}/_local/requests answered ${String(response.status)}: ${text.slice(0, 200)}`);
  const parsed = requestLogSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`GET ${apiUrl}/_local/requests answered an unexpected shape: ${parsed.error.message}`);
  return parsed.data.entries.map((entry) => ({ ...entry, operationId: entry.operationId }));
}
