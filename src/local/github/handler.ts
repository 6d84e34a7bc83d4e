import { GithubApiError, notFound } from './errors.js';
import type { GitRepositories } from './git-repositories.js';
import type { Urls } from './shape-user.js';
import type { GithubState, Principal, RepositoryRecord } from './types.js';

/** A webhook the request causes; sent after the state that records it is saved. */
export interface WebhookEvent {
  name: string;
  action: string;
  repositoryId: number | null;
  /** Builds the payload from the state as saved, so it shows the stored result. */
  payload: (state: GithubState, urls: Urls) => Record<string, unknown>;
}

/**
 * What a handler receives. `state` is a private copy: a handler changes it
 * freely and the change is kept only when the request succeeds (response
 * valid, state saved), so a refused request stores nothing.
 */
export interface HandlerInput {
  state: GithubState;
  params: Readonly<Record<string, unknown>>;
  query: Readonly<Record<string, unknown>>;
  body: unknown;
  principal: Principal;
  now: Date;
  urls: Urls;
  rate: RateWindow;
  /** The request path (without query), for pagination links. */
  path: string;
  /** The git server's repositories, when the server was started with them. */
  git: GitRepositories | undefined;
}

/** The caller's primary rate-limit window, as the `x-ratelimit-*` headers report it. */
export interface RateWindow {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  changed?: boolean;
  events?: WebhookEvent[];
  /** Deliveries to send again (same delivery id and body), after the response. */
  redeliveries?: number[];
}

export type Handler = (input: HandlerInput) => HandlerResult;

export function stringParam(input: HandlerInput, name: string): string {
  const value = input.params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`path parameter ${name} missing after validation`);
}

export function numberParam(input: HandlerInput, name: string): number {
  const value = Number(input.params[name]);
  if (!Number.isSafeInteger(value)) throw notFound();
  return value;
}

/**
 * The repository in the path, if the caller may see it: an installation sees
 * its account's repositories, anyone else only public ones. Invisible and
 * missing answer the same 404, as on GitHub.
 */
export function requireRepository(input: HandlerInput): RepositoryRecord {
  const owner = stringParam(input, 'owner').toLowerCase();
  const name = stringParam(input, 'repo').toLowerCase();
  const repo = input.state.repositories.find(
    (candidate) => candidate.owner.toLowerCase() === owner && candidate.name.toLowerCase() === name,
  );
  if (repo === undefined) throw notFound();
  const principal = input.principal;
  if (principal.kind === 'installation') {
    const installation = input.state.installations.find((candidate) => candidate.id === principal.installationId);
    if (installation?.account.toLowerCase() !== repo.owner.toLowerCase()) throw notFound();
  } else if (principal.kind === 'user') {
    if (repo.private && repo.collaborators[principal.login] === undefined) throw notFound();
  }
  return repo;
}

/**
 * One page of a list: `per_page` (default 30, at most 100) and `page` (from
 * 1), with GitHub's `Link` header (next, last, first, prev) when there is
 * more than one page, which is what Octokit's paginate follows.
 */
export function paginate<T>(
  input: Pick<HandlerInput, 'query' | 'urls' | 'path'>,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(input.query['per_page'] ?? 30)));
  const page = Math.max(1, Number(input.query['page'] ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number, rel: string): string => {
    const url = new URL(`${input.urls.api}${input.path}`);
    for (const [key, value] of Object.entries(input.query))
      if (typeof value === 'string' || typeof value === 'number') url.searchParams.set(key, String(value));
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(target));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, 'prev')] : []),
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first')] : []),
  ];
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length === 0 ? {} : { link: links.join(', ') } };
}

/** The body after request validation; callers cast it to the operation's request type, which validation has checked. */
export function bodyOf(input: HandlerInput): object {
  if (typeof input.body !== 'object' || input.body === null) throw new GithubApiError(400, 'Body should be a JSON object');
  return input.body;
}

/** A list response: one page of `items`, shaped, with its `Link` header. */
export function listed<T, R>(
  input: Pick<HandlerInput, 'query' | 'urls' | 'path'>,
  items: readonly T[],
  shape: (item: T) => R,
): { body: R[]; headers: Record<string, string> } {
  const page = paginate(input, items);
  return { body: page.items.map(shape), headers: page.headers };
}
