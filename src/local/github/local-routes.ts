import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RequestLogEntry } from './request-log.js';
import { seedPerson } from './seed.js';
import type { GithubState } from './types.js';

/**
 * Routes under `/_local/` that are not GitHub's: what the git server and a
 * person's tools need from the local GitHub. Each body is checked with zod;
 * answers are plain JSON.
 */
export const localPrefix = '/_local/';

/** Where the git server reports a push. It only says which repository to read again, so it needs no secret. */
export const gitPushedPath = '/_local/git/pushed';

const gitPushNotice = z.object({
  repository: z.string().regex(/^[\w-][\w.-]*\/[\w-][\w.-]*$/),
  pusher: z
    .string()
    .regex(/^[\w.[\]-]+$/)
    .optional(),
});
const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/);
const personRequest = z.object({
  login,
  role: z.enum(['admin', 'maintain', 'write', 'triage', 'read']),
  repository: z.object({ owner: z.string().min(1), name: z.string().min(1) }).optional(),
});
const pressRequest = z.object({ identifier: z.string().min(1).max(20), login });
const installRequest = z.object({ account: login, sender: login.optional() });

export interface LocalRouteContext {
  /** Guards `/_local/people`: a token for anyone is a key to everything. */
  adminToken: string | undefined;
  now: () => Date;
  syncGit: (request: { repository: string; pusher?: string }) => Promise<void>;
  update: <T>(change: (state: GithubState) => T) => Promise<T>;
  requestCheckRunAction: (options: { checkRunId: number; identifier: string; login: string }) => Promise<void>;
  /** The API requests answered so far, for `GET /_local/requests` (read only; it names routes and callers, no tokens). */
  requestLog: () => readonly RequestLogEntry[];
  /** Installs the app on an account (sends `installation.created` once); returns the installation id. */
  install: (options: { account: string; sender?: string }) => Promise<number>;
  /** Adds a pull request to its base branch's merge queue or removes it, as the person whose token is given. */
  queueAction: (request: {
    action: 'enqueue' | 'dequeue';
    owner: string;
    name: string;
    number: number;
    authorization: string | undefined;
  }) => Promise<LocalResponse>;
}

export interface LocalResponse {
  status: number;
  body?: unknown;
}

export async function handleLocalRoute(
  context: LocalRouteContext,
  request: { method: string; path: string; query?: URLSearchParams; authorization: string | undefined; rawBody: string },
): Promise<LocalResponse> {
  if (request.path === '/_local/requests') {
    if (request.method !== 'GET') return { status: 405, body: { message: `${request.path} takes GET` } };
    const since = z.coerce
      .number()
      .int()
      .min(0)
      .safeParse(request.query?.get('since') ?? '0');
    if (!since.success) return { status: 400, body: { message: `${request.path}: since must be a whole number (the last seq seen)` } };
    return { status: 200, body: { entries: context.requestLog().filter((entry) => entry.seq > since.data) } };
  }
  // GitHub adds to a merge queue through GraphQL (`enqueuePullRequest`, `dequeuePullRequest`) and its UI, not
  // REST; the local GitHub serves REST only, so this local route stands in for both (a person's token).
  const queue = /^\/_local\/repos\/([\w.-]+)\/([\w.-]+)\/pulls\/(\d+)\/merge-queue$/u.exec(request.path);
  if (queue !== null) {
    if (request.method !== 'POST' && request.method !== 'DELETE')
      return { status: 405, body: { message: `${request.path} takes POST (enqueue) or DELETE (dequeue)` } };
    return context.queueAction({
      action: request.method === 'POST' ? 'enqueue' : 'dequeue',
      owner: queue[1] ?? '',
      name: queue[2] ?? '',
      number: Number(queue[3]),
      authorization: request.authorization,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.rawBody === '' ? '{}' : request.rawBody);
  } catch {
    return { status: 400, body: { message: `${request.path}: the body is not JSON` } };
  }
  if (request.method !== 'POST') return { status: 405, body: { message: `${request.path} takes POST` } };

  if (request.path === gitPushedPath) {
    const notice = gitPushNotice.safeParse(parsed);
    if (!notice.success) return { status: 400, body: { message: `invalid push notice: ${notice.error.message}` } };
    await context.syncGit({ repository: notice.data.repository, ...(notice.data.pusher !== undefined && { pusher: notice.data.pusher }) });
    return { status: 204 };
  }

  if (request.path === '/_local/people') {
    if (!authorized(context.adminToken, request.authorization))
      return { status: 401, body: { message: '/_local/people needs the local admin token (Authorization: Bearer …)' } };
    const person = personRequest.safeParse(parsed);
    if (!person.success) return { status: 400, body: { message: `invalid person: ${person.error.message}` } };
    const now = context.now();
    try {
      const token = await context.update((state) => seedPerson(state, { ...person.data, now }));
      return { status: 201, body: { login: person.data.login, token } };
    } catch (cause) {
      return { status: 404, body: { message: cause instanceof Error ? cause.message : String(cause) } };
    }
  }

  if (request.path === '/_local/installations') {
    // Installing gives the app's tokens reach into the account: admin only, like minting people.
    if (!authorized(context.adminToken, request.authorization))
      return { status: 401, body: { message: '/_local/installations needs the local admin token (Authorization: Bearer …)' } };
    const wanted = installRequest.safeParse(parsed);
    if (!wanted.success) return { status: 400, body: { message: `invalid installation: ${wanted.error.message}` } };
    const id = await context.install({
      account: wanted.data.account,
      ...(wanted.data.sender !== undefined && { sender: wanted.data.sender }),
    });
    return { status: 201, body: { id, account: wanted.data.account } };
  }

  const press = /^\/_local\/check-runs\/(\d+)\/press$/.exec(request.path);
  if (press !== null) {
    const button = pressRequest.safeParse(parsed);
    if (!button.success) return { status: 400, body: { message: `invalid button press: ${button.error.message}` } };
    try {
      await context.requestCheckRunAction({ checkRunId: Number(press[1]), identifier: button.data.identifier, login: button.data.login });
      return { status: 202, body: { pressed: button.data.identifier } };
    } catch (cause) {
      return { status: 404, body: { message: cause instanceof Error ? cause.message : String(cause) } };
    }
  }
  return { status: 404, body: { message: `no local route ${request.path}` } };
}

function authorized(adminToken: string | undefined, authorization: string | undefined): boolean {
  if (adminToken === undefined || authorization === undefined) return false;
  const given = Buffer.from(authorization.replace(/^Bearer\s+/i, ''));
  const expected = Buffer.from(adminToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
