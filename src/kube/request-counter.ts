import {
  Observable,
  ServerConfiguration,
  createConfiguration,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { sharedAgentHttpLibrary } from './shared-agent.js';
import type { RequestCount, RequestCounter, RequestSample } from './types.js';

const writeVerbs = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function labelsKey(sample: RequestSample): string {
  return [sample.kind, sample.namespace, sample.name, sample.verb, sample.statusCode, sample.subresource].join('\u0000');
}

function matches(sample: RequestSample, filter: Partial<RequestSample>): boolean {
  return Object.entries(filter).every(([label, value]) => sample[label as keyof RequestSample] === value);
}

/**
 * Counts API requests by Argo's controller_clientset_k8s_request_total labels
 * (kind, namespace, name, verb, status_code), so a /metrics module can expose
 * it and tests can assert "ten reconciles made zero writes".
 */
export function createRequestCounter(): RequestCounter {
  const byLabels = new Map<string, RequestCount>();
  function select(filter: Partial<RequestSample>): RequestCount[] {
    return [...byLabels.values()].filter((count) => matches(count, filter));
  }
  return {
    record(sample: RequestSample): void {
      const key = labelsKey(sample);
      const existing = byLabels.get(key);
      if (existing === undefined) byLabels.set(key, { ...sample, count: 1 });
      else existing.count += 1;
    },
    counts: () => [...byLabels.values()].map((count) => ({ ...count })),
    total: (filter = {}) => select(filter).reduce((sum, count) => sum + count.count, 0),
    writes: (filter = {}) => select(filter).reduce((sum, count) => sum + (writeVerbs.has(count.verb) ? count.count : 0), 0),
    reset: () => {
      byLabels.clear();
    },
  };
}

/**
 * Reads the labels from a request URL, as client-go's request metrics and
 * Argo's kubeclientmetrics do: `/api/v1/namespaces/ns/configmaps/name` or
 * `/apis/group/version/[namespaces/ns/]resource[/name[/subresource]]`.
 * Paths that name no resource (`/version`) keep the path as `kind`. A create
 * names its object only in the body, so the name is read from there if given.
 */
export function classifyRequest(method: string, url: string, statusCode: string, body?: unknown): RequestSample {
  const parsed = new URL(url);
  const segments = parsed.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  const rest = segments[0] === 'api' ? segments.slice(2) : segments[0] === 'apis' ? segments.slice(3) : undefined;
  const upper = method.toUpperCase();
  if (rest === undefined || rest.length === 0) {
    return { kind: parsed.pathname, namespace: '', name: '', verb: upper.toLowerCase(), statusCode, subresource: '' };
  }
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const [kind = '', name = '', subresource = ''] = namespaced ? rest.slice(2) : rest;
  const namespace = namespaced ? (rest[1] ?? '') : '';
  const objectName = name === '' && upper === 'POST' ? nameInBody(body) : name;
  const watching = parsed.searchParams.get('watch') === 'true' || parsed.searchParams.get('watch') === '1';
  const verbs: Record<string, string> = {
    GET: watching ? 'watch' : name === '' ? 'list' : 'get',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: name === '' ? 'deletecollection' : 'delete',
  };
  return { kind, namespace, name: objectName, verb: verbs[upper] ?? upper.toLowerCase(), statusCode, subresource };
}

function nameInBody(body: unknown): string {
  if (typeof body !== 'string') return '';
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null || !('metadata' in parsed)) return '';
    const metadata = parsed.metadata;
    return typeof metadata === 'object' && metadata !== null && 'name' in metadata && typeof metadata.name === 'string'
      ? metadata.name
      : '';
  } catch {
    return '';
  }
}

/** An HttpLibrary for client-node's generated clients that records every request's labels and status. */
export function countingHttpLibrary(counter: RequestCounter, inner: HttpLibrary = sharedAgentHttpLibrary()): HttpLibrary {
  return {
    send(request: RequestContext): Observable<ResponseContext> {
      const record = (statusCode: string): void => {
        counter.record(classifyRequest(request.getHttpMethod(), request.getUrl(), statusCode, request.getBody()));
      };
      const sent = inner
        .send(request)
        .toPromise()
        .then(
          (response) => {
            record(String(response.httpStatusCode));
            return response;
          },
          (cause: unknown) => {
            record('error');
            throw cause;
          },
        );
      return new Observable(sent);
    },
  };
}

/**
 * KubeConfig.makeApiClient with a counting HTTP library: the same server and
 * authentication (client-node 1.4 builds the configuration exactly like this),
 * so `makeCountedApiClient(kc, CoreV1Api, counter)` is a drop-in replacement.
 */
export function makeCountedApiClient<T extends ApiType>(
  kubeConfig: KubeConfig,
  apiClientType: ApiConstructor<T>,
  counter: RequestCounter,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('The kubeconfig has no current cluster.');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    httpApi: countingHttpLibrary(counter),
  });
  return new apiClientType(configuration);
}
