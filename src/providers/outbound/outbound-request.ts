import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { refusedAddressReason } from './address-rules.js';

/*
 * Every HTTP request a metric provider sends, under the controller's outbound policy. The
 * URL comes from a pull request, so the request is hostile input to a process inside the
 * cluster: the name is resolved first and every address it resolves to is checked before any
 * socket exists (a link-local or cloud-metadata address is refused unless the operator allows
 * them); the connection then goes to the checked address, not to a second lookup that could
 * answer differently (DNS rebinding). Redirects are followed only within the same origin
 * (scheme, host and port), as many as Go's client follows (10), each hop checked again; a
 * redirect elsewhere is an error. The body is read as a stream and the connection destroyed
 * as soon as it passes the cap.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (dns.lookup's `all`), injectable so tests never touch DNS. */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface ConnectTarget {
  /** The checked address the socket goes to. */
  address: string;
  port: number;
  tls: boolean;
  /** The name TLS checks the certificate against (and sends as SNI); undefined for an IP literal. */
  servername: string | undefined;
  rejectUnauthorized: boolean;
}

/** Opens the socket for a checked target; injectable so a test can send a refused address's traffic to a loopback stand-in. */
export type Connect = (target: ConnectTarget) => Duplex;

export interface OutboundPolicy {
  /** The controller's --allow-metadata-addresses: let providers reach link-local and cloud-metadata addresses. */
  allowMetadataAddresses: boolean;
  /** The most bytes of a response body read; past it the connection is destroyed and the measurement is an Error. */
  maxResponseBytes: number;
  lookup: LookupAll;
  connect: Connect;
}

/** 1 MiB: a metric's answer is a number or a small JSON document; a Prometheus vector of a few thousand series fits. */
export const defaultMaxResponseBytes = 1024 * 1024;

/** Go's http.Client stops after 10 redirects. */
const maxRedirects = 10;

export const systemLookup: LookupAll = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

export const systemConnect: Connect = (target) =>
  target.tls
    ? tlsConnect({
        host: target.address,
        port: target.port,
        rejectUnauthorized: target.rejectUnauthorized,
        ...(target.servername === undefined ? {} : { servername: target.servername }),
      })
    : netConnect({ host: target.address, port: target.port });

export function outboundPolicy(overrides: Partial<OutboundPolicy> = {}): OutboundPolicy {
  return {
    allowMetadataAddresses: false,
    maxResponseBytes: defaultMaxResponseBytes,
    lookup: systemLookup,
    connect: systemConnect,
    ...overrides,
  };
}

export interface OutboundInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Skip TLS certificate verification (the metric's `insecure`). */
  insecure?: boolean | undefined;
  /** Return the response's headers too (the AWS SDK reads its error code from one). */
  responseHeaders?: boolean | undefined;
}

/** headers (when the request asked for them): the response's, names lower-cased, repeated ones joined with ", ". */
export type OutboundResult = { ok: true; status: number; body: string; headers?: Record<string, string> } | { ok: false; message: string };

/** Query strings may carry credentials; a stored message keeps the path only. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** Codes that mean the provider could not be reached at all (as opposed to answering badly). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/** The error's words for a message; never the headers (they may carry tokens). */
function describeError(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as Error & { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return `unreachable: ${code} ${cause.message}`;
  return cause.message;
}

class Refusal extends Error {}

/** Resolves the host and checks every address it resolves to; a refusal names the host, the address and why. */
async function resolveChecked(host: string, policy: OutboundPolicy): Promise<ResolvedAddress[]> {
  const family = isIP(host);
  const addresses = family === 0 ? await policy.lookup(host) : [{ address: host, family: family === 6 ? (6 as const) : (4 as const) }];
  if (addresses.length === 0) throw new Refusal(`unreachable: ${host} resolves to no address`);
  if (!policy.allowMetadataAddresses) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      if (reason !== undefined) {
        const via = family === 0 ? `${host} resolves to ${address}, ` : `${address} is `;
        throw new Refusal(
          `refused: ${via}a ${reason} address; metric providers may not reach link-local or cloud-metadata addresses unless the controller runs with --allow-metadata-addresses`,
        );
      }
    }
  }
  // Every address passed: they are tried in the resolver's order (localhost may answer ::1 first and serve on 127.0.0.1 only).
  return addresses;
}

/** Errors after which nothing was sent, so the next checked address may be tried. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

async function exchangeAny(
  url: URL,
  targets: readonly ResolvedAddress[],
  init: OutboundInit,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  for (const [index, target] of targets.entries()) {
    try {
      return await exchange(url, target, init, policy, signal);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (index === targets.length - 1 || typeof code !== 'string' || !NOT_CONNECTED_CODES.has(code)) throw cause;
    }
  }
  throw new Error('unreachable: no address to connect to');
}

/** One request/response exchange over a checked address; resolves once the headers arrive. */
function exchange(
  url: URL,
  target: ResolvedAddress,
  init: OutboundInit,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  const connectTarget: ConnectTarget = {
    address: target.address,
    port,
    tls,
    servername: isIP(host) === 0 ? host : undefined,
    rejectUnauthorized: init.insecure !== true,
  };
  const headers: Record<string, string> = { ...init.headers, host: url.host };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const options = {
      method: init.method,
      path: `${url.pathname}${url.search}`,
      headers,
      signal,
      createConnection: () => policy.connect(connectTarget),
    };
    const request = tls ? httpsRequest(options) : httpRequest(options);
    request.once('response', resolve);
    request.once('error', reject);
    request.end(init.body);
  });
}

/** Reads a body up to the cap; past it, destroys the connection and says so. */
function readCapped(response: IncomingMessage, cap: number, url: URL, withHeaders: boolean): Promise<OutboundResult> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) {
    response.destroy();
    return Promise.resolve({
      ok: false,
      message: `${redactUrl(url)}: the response is ${String(declared)} bytes, more than the ${String(cap)} bytes a metric may read`,
    });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        // Settled first: destroying emits 'aborted' at once.
        resolve({
          ok: false,
          message: `${redactUrl(url)}: the response is more than the ${String(cap)} bytes a metric may read; stopped reading`,
        });
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => {
      resolve({
        ok: true,
        status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(withHeaders
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
              ),
            }
          : {}),
      });
    });
    response.once('error', reject);
    response.once('aborted', () => {
      reject(new Error('the connection closed before the response ended'));
    });
  });
}

/** A lookup that hangs still ends at the deadline. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(new Error('aborted'));
    signal.addEventListener(
      'abort',
      () => {
        reject(new Error('aborted'));
      },
      { once: true },
    );
    promise.then(resolve, reject);
  });
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Sends the request under the policy, within timeoutMs for the whole exchange (redirects and
 * body included). Never throws: every failure is a message that names the method and the URL
 * without its query.
 */
export async function outboundRequest(url: string, init: OutboundInit, timeoutMs: number, policy: OutboundPolicy): Promise<OutboundResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  timer.unref();
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    clearTimeout(timer);
    return { ok: false, message: `${init.method} <invalid url>: not a URL` };
  }
  let method = init.method;
  let body = init.body;
  let headers = init.headers;
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:')
        return { ok: false, message: `${method} ${redactUrl(current)}: only http and https URLs are measured` };
      const targets = await untilAborted(resolveChecked(current.hostname.replace(/^\[|\]$/gu, ''), policy), controller.signal);
      const response = await exchangeAny(current, targets, { ...init, method, headers, body }, policy, controller.signal);
      const location = response.headers.location;
      if (!redirectStatuses.has(response.statusCode ?? 0) || location === undefined) {
        const read = await readCapped(response, policy.maxResponseBytes, current, init.responseHeaders === true);
        return read.ok ? read : { ok: false, message: `${method} ${read.message}` };
      }
      response.destroy();
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return { ok: false, message: `${method} ${redactUrl(current)}: redirected to a location that is not a URL` };
      }
      if (next.origin !== current.origin) {
        return {
          ok: false,
          message: `${method} ${redactUrl(current)}: redirected to another host (${next.origin}); metric providers follow redirects only within the same scheme, host and port`,
        };
      }
      if (redirects + 1 > maxRedirects)
        return { ok: false, message: `${method} ${redactUrl(current)}: stopped after ${String(maxRedirects)} redirects` };
      // Go's client: 301/302/303 go on as GET without the body (HEAD stays HEAD); 307/308 repeat the method and body.
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method !== 'GET' && method !== 'HEAD')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([key]) => !/^content-(type|length)$/iu.test(key)));
      }
      current = next;
    }
  } catch (cause) {
    if (controller.signal.aborted)
      return { ok: false, message: `${method} ${redactUrl(current)}: timed out after ${String(timeoutMs / 1000)}s` };
    return { ok: false, message: `${method} ${redactUrl(current)}: ${describeError(cause)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The checked addresses of a host for a protocol other than HTTP (a notification's SMTP server), refused as a request would be. */
export async function resolveOutbound(
  host: string,
  policy: OutboundPolicy,
): Promise<{ ok: true; addresses: ResolvedAddress[] } | { ok: false; message: string }> {
  try {
    return { ok: true, addresses: await resolveChecked(host, policy) };
  } catch (cause) {
    return { ok: false, message: cause instanceof Refusal ? cause.message : describeError(cause) };
  }
}
