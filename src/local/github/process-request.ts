import type { ErrorObject } from 'ajv';
import type { OpenAPIBackend, Operation } from 'openapi-backend';
import type { GitRepositories } from './git-repositories.js';
import { errorBody, GithubApiError, invalidRequest, restDocs } from './errors.js';
import type { HandlerResult, RateWindow, WebhookEvent } from './handler.js';
import { handlers } from './handlers.js';
import { authorize, operationRequirements } from './permissions.js';
import type { Urls } from './shape-user.js';
import { authenticate } from './tokens.js';
import type { GithubState, Principal } from './types.js';
import { describeValidationErrors } from './validation-message.js';

export interface ApiRequest {
  method: string;
  /** Path without the query string, relative to the API root. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  rawBody: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  operationId: string | undefined;
  /** The operation's OpenAPI path template, or undefined for an unknown route. */
  route: string | undefined;
  principal: Principal;
  /** The new state when the request changed it; absent when nothing is to be stored. */
  state?: GithubState;
  events: WebhookEvent[];
  redeliveries?: number[];
  /** Set when the handler's response broke the operation's response schema: a bug in this server. */
  responseErrors?: ErrorObject[];
}

export interface RequestContext {
  api: OpenAPIBackend;
  state: GithubState;
  publicKey: string;
  now: Date;
  urls: Urls;
  rate: (principal: Principal) => RateWindow;
  git: GitRepositories | undefined;
}

/**
 * One request through GitHub's pipeline: parse, route by the OpenAPI
 * description, authenticate, authorize, validate, handle, validate the
 * response. Pure apart from the clock and the ids it is given; the caller
 * saves `state` and sends `events`.
 */
export function processRequest(context: RequestContext, request: ApiRequest): ApiResponse {
  let principal: Principal = { kind: 'anonymous' };
  let operation: Operation | undefined;
  try {
    const body = parseBody(request.rawBody);
    operation = context.api.matchOperation({ method: request.method, path: request.path, headers: request.headers, query: request.query });
    const handler = operation?.operationId === undefined ? undefined : handlers[operation.operationId];
    const requirement = operation?.operationId === undefined ? undefined : operationRequirements[operation.operationId];
    if (operation === undefined || handler === undefined || requirement === undefined) throw new GithubApiError(404, 'Not Found');
    principal = authenticate(headerValue(request.headers['authorization']), context.state, {
      publicKey: context.publicKey,
      now: context.now,
    });
    authorize(requirement, principal);
    const apiRequest = { method: request.method, path: request.path, headers: request.headers, query: request.query, body };
    const validation = context.api.validateRequest(apiRequest, operation);
    if (!validation.valid)
      throw invalidRequest(describeValidationErrors(validation.errors ?? [], { requestBody: body, query: request.query }));
    const parsed = context.api.router.parseRequest(apiRequest, operation);
    const writes = request.method !== 'GET' && request.method !== 'HEAD';
    const state = writes ? structuredClone(context.state) : context.state;
    const result: HandlerResult = handler({
      state,
      params: parsed.params as Record<string, unknown>,
      query: parsed.query as Record<string, unknown>,
      body,
      principal,
      now: context.now,
      urls: context.urls,
      rate: context.rate(principal),
      path: request.path,
      git: context.git,
    });
    const responseErrors = checkResponse(context.api, operation, result.status, result.body);
    if (responseErrors.length > 0) {
      return {
        status: 500,
        body: { message: 'Server Error', documentation_url: restDocs, status: '500' },
        operationId: operation.operationId,
        route: operation.path,
        principal,
        events: [],
        responseErrors,
      };
    }
    return {
      status: result.status,
      body: result.body,
      ...(result.headers !== undefined && { headers: result.headers }),
      operationId: operation.operationId,
      route: operation.path,
      principal,
      events: result.events ?? [],
      ...(result.redeliveries !== undefined && { redeliveries: result.redeliveries }),
      ...(result.changed === true && { state }),
    };
  } catch (error) {
    if (!(error instanceof GithubApiError)) throw error;
    const documentationUrl = operation?.externalDocs?.url ?? restDocs;
    return {
      status: error.status,
      body: errorBody(error, documentationUrl),
      operationId: operation?.operationId,
      route: operation?.path,
      principal,
      events: [],
    };
  }
}

function parseBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new GithubApiError(400, 'Problems parsing JSON');
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Success responses must match a status the operation declares, and its
 * schema; error responses are checked only where the description gives one.
 */
function checkResponse(api: OpenAPIBackend, operation: Operation, status: number, body: unknown): ErrorObject[] {
  const declared = Object.keys(operation.responses ?? {});
  if (!declared.includes(String(status))) {
    if (status < 400)
      return [
        {
          instancePath: '',
          schemaPath: '#/responses',
          keyword: 'status',
          params: { status, declared },
          message: `status ${String(status)} is not declared`,
        },
      ];
    return [];
  }
  if (body === undefined) return [];
  const result = api.validateResponse(body, operation, status);
  return result.valid ? [] : [...(result.errors ?? [])];
}
