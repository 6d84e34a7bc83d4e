import { ApiException, HttpMethod, RequestContext, type HttpLibrary, type KubeConfig } from '@kubernetes/client-node';
import { countingHttpLibrary } from './request-counter.js';
import { sharedAgentHttpLibrary } from './shared-agent.js';
import type { RequestCounter } from './types.js';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  method: RestMethod;
  /** Absolute API path, e.g. `/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/web/status`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Defaults to application/json; patches name their strategy (PatchStrategy.MergePatch, ...). */
  contentType?: string;
}

export interface RestClient {
  /** Sends the request and returns the parsed JSON body; a non-2xx answer rejects with client-node's ApiException. */
  request<T>(request: RestRequest): Promise<T>;
}

const methods: Record<RestMethod, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Requests by path through client-node's own HTTP stack (authentication,
 * TLS agent, shared with keep-alive, ApiException), for what the generated clients do awkwardly:
 * any kind (custom resources, subresources) without discovery, a patch with
 * an explicit content type, and objects exactly as the server sent them (the
 * generated clients turn timestamps into Date objects; watches do not).
 * Unlike the generated clients, ApiException.body is the parsed Status object.
 */
export function createRestClient(kubeConfig: KubeConfig, options: { requestCounter?: RequestCounter } = {}): RestClient {
  const plain = sharedAgentHttpLibrary();
  const httpApi: HttpLibrary = options.requestCounter === undefined ? plain : countingHttpLibrary(options.requestCounter, plain);
  return {
    async request<T>(request: RestRequest): Promise<T> {
      const cluster = kubeConfig.getCurrentCluster();
      if (cluster === null) throw new Error('The kubeconfig has no current cluster.');
      const url = new URL(cluster.server.replace(/\/+$/, '') + request.path);
      for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
      const context = new RequestContext(url.toString(), methods[request.method]);
      context.setHeaderParam('Accept', 'application/json');
      if (request.body !== undefined) {
        context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
        context.setBody(JSON.stringify(request.body));
      }
      await kubeConfig.applySecurityAuthentication(context);
      const response = await httpApi.send(context).toPromise();
      const body = parseJson(await response.body.text());
      if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
        const message =
          typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
            ? body.message
            : 'request failed';
        throw new ApiException(response.httpStatusCode, `${request.method} ${request.path}: ${message}`, body, response.headers);
      }
      return body as T;
    },
  };
}
