import diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createControlPlanePki } from '../../local/pki.js';
import { refusedAddressReason } from './address-rules.js';
import { outboundPolicy, outboundRequest, systemConnect, type ConnectTarget, type LookupAll } from './outbound-request.js';

/*
 * The outbound policy, against loopback servers only. Refused addresses are never connected
 * to, not even to see them fail: the DNS lookup is injected (a name "resolves" to
 * 169.254.169.254 without asking DNS) and a test asserts that no socket was created at all,
 * through Node's own `net.client.socket` diagnostics channel and a spy on the connect step.
 */

describe('refusedAddressReason', () => {
  test.each([
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['100.100.100.200', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['FD00:EC2:0:0:0:0:0:254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::169.254.169.254', 'cloud metadata'],
    ['127.0.0.1', undefined],
    ['127.0.0.2', undefined],
    ['::1', undefined],
    ['::', undefined],
    ['169.253.255.255', undefined],
    ['169.255.0.0', undefined],
    ['100.100.100.201', undefined],
    ['fec0::1', undefined],
    ['10.0.0.1', undefined],
    ['::ffff:127.0.0.1', undefined],
  ])('%s → %s', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
  });
});

/** Sockets Node creates while `body` runs (every net.connect/tls.connect publishes on this channel). */
async function countSockets<T>(body: () => Promise<T>): Promise<{ result: T; sockets: number }> {
  let sockets = 0;
  const onSocket = (): void => {
    sockets += 1;
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    const result = await body();
    return { result, sockets };
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
}

interface Stand {
  server: Server;
  port: number;
  requests: IncomingMessage[];
}

async function stand(host: string, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Stand> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

async function close(stands: readonly Stand[]): Promise<void> {
  for (const { server } of stands) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('outboundRequest: addresses are decided before any socket exists', () => {
  const metadataLookup: LookupAll = () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]);

  test.each([
    [
      'a name resolving to the metadata address',
      'http://metadata.google.internal/computeMetadata/v1/',
      'metadata.google.internal resolves to 169.254.169.254, a cloud metadata address',
    ],
    ['a link-local literal', 'http://169.254.10.1/', '169.254.10.1 is a link-local address'],
    ['the metadata literal', 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ["AWS's IPv6 metadata literal", 'http://[fd00:ec2::254]/latest/', 'fd00:ec2::254 is a cloud metadata address'],
    ['an IPv4-mapped metadata literal', 'http://[::ffff:169.254.169.254]/', 'is a cloud metadata address'],
    ["Alibaba's metadata literal", 'http://100.100.100.200/latest/meta-data', '100.100.100.200 is a cloud metadata address'],
    ['an IPv6 link-local literal', 'http://[fe80::1]:8080/', 'fe80::1 is a link-local address'],
    ['the metadata address spelt as one decimal number', 'http://2852039166/latest/', '169.254.169.254 is a cloud metadata address'],
    ['the metadata address spelt in hex', 'http://0xa9.0xfe.0xa9.0xfe/', '169.254.169.254 is a cloud metadata address'],
  ])('%s is refused, and no socket is opened', async (_name, url, words) => {
    const lookup = vi.fn(metadataLookup);
    const connectSpy = vi.fn(systemConnect);
    const { result, sockets } = await countSockets(() =>
      outboundRequest(
        url,
        { method: 'GET', headers: { Authorization: 'Bearer t' } },
        5000,
        outboundPolicy({ lookup, connect: connectSpy }),
      ),
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(words);
    expect(result.ok ? '' : result.message).toContain('--allow-metadata-addresses');
    expect(connectSpy).not.toHaveBeenCalled();
    expect(sockets).toBe(0);
    // A literal is never looked up; a name is looked up once, by the injected lookup.
    expect(lookup).toHaveBeenCalledTimes(url.includes('metadata.google.internal') ? 1 : 0);
  });

  test('a name with one allowed and one refused address is refused (whichever would be connected to)', async () => {
    const connectSpy = vi.fn(systemConnect);
    const lookup: LookupAll = () =>
      Promise.resolve([
        { address: '127.0.0.1', family: 4 },
        { address: 'fe80::1', family: 6 },
      ]);
    const { result, sockets } = await countSockets(() =>
      outboundRequest('http://mixed.example/', { method: 'GET', headers: {} }, 5000, outboundPolicy({ lookup, connect: connectSpy })),
    );
    expect(result).toEqual({
      ok: false,
      message:
        'GET http://mixed.example/: refused: mixed.example resolves to fe80::1, a link-local address; metric providers may not reach link-local or cloud-metadata addresses unless the controller runs with --allow-metadata-addresses',
    });
    expect(connectSpy).not.toHaveBeenCalled();
    expect(sockets).toBe(0);
  });

  test('with --allow-metadata-addresses, the checked address is what the connection is asked for (sent to a loopback stand-in here)', async () => {
    const metadata = await stand('127.0.0.1', (_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end('{"instance":"i-1"}');
    });
    const targets: ConnectTarget[] = [];
    // The stand-in for 169.254.169.254: the test never connects to a link-local address.
    const connectToStandIn = (target: ConnectTarget) => {
      targets.push(target);
      return connect({ host: '127.0.0.1', port: metadata.port });
    };
    try {
      const result = await outboundRequest(
        'http://metadata.google.internal/computeMetadata/v1/',
        { method: 'GET', headers: {} },
        5000,
        outboundPolicy({ allowMetadataAddresses: true, lookup: metadataLookup, connect: connectToStandIn }),
      );
      expect(result).toEqual({ ok: true, status: 200, body: '{"instance":"i-1"}' });
      expect(targets).toEqual([
        { address: '169.254.169.254', port: 80, tls: false, servername: 'metadata.google.internal', rejectUnauthorized: true },
      ]);
      expect(metadata.requests.map((request) => [request.headers.host, request.url])).toEqual([
        ['metadata.google.internal', '/computeMetadata/v1/'],
      ]);
    } finally {
      await close([metadata]);
    }
  });

  test('the connection goes to the address that was checked, not to a second lookup (DNS rebinding)', async () => {
    const server = await stand('127.0.0.1', (_request, response) => {
      response.end('{}');
    });
    let lookups = 0;
    // A name that answers a safe address first and the metadata address after.
    const rebinding: LookupAll = () => Promise.resolve([{ address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }]);
    const connectSpy = vi.fn(systemConnect);
    try {
      const result = await outboundRequest(
        `http://rebind.example:${String(server.port)}/`,
        { method: 'GET', headers: {} },
        5000,
        outboundPolicy({ lookup: rebinding, connect: connectSpy }),
      );
      expect(result).toEqual({ ok: true, status: 200, body: '{}' });
      expect(lookups).toBe(1);
      expect(connectSpy.mock.calls.map(([target]) => target.address)).toEqual(['127.0.0.1']);
    } finally {
      await close([server]);
    }
  });

  test('the checked addresses are tried in order: ::1 refusing goes on to 127.0.0.1 (localhost)', async () => {
    const server = await stand('127.0.0.1', (_request, response) => {
      response.end('{"up":1}');
    });
    const connectSpy = vi.fn(systemConnect);
    const localhost: LookupAll = () =>
      Promise.resolve([
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]);
    try {
      const result = await outboundRequest(
        `http://localhost:${String(server.port)}/`,
        { method: 'GET', headers: {} },
        5000,
        outboundPolicy({ lookup: localhost, connect: connectSpy }),
      );
      expect(result).toEqual({ ok: true, status: 200, body: '{"up":1}' });
      expect(connectSpy.mock.calls.map(([target]) => target.address)).toEqual(['::1', '127.0.0.1']);
    } finally {
      await close([server]);
    }
  });

  test('a lookup that never answers ends at the deadline', async () => {
    vi.useFakeTimers();
    try {
      const pending = outboundRequest(
        'http://slow-dns.example/',
        { method: 'GET', headers: {} },
        2000,
        outboundPolicy({ lookup: () => new Promise(() => undefined) }),
      );
      await vi.advanceTimersByTimeAsync(2000);
      expect(await pending).toEqual({ ok: false, message: 'GET http://slow-dns.example/: timed out after 2s' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('outboundRequest: redirects and response size', () => {
  let first: Stand;
  let second: Stand;
  let bytesSent = 0;
  let streamClosedEarly = false;
  const loopback: LookupAll = (hostname) =>
    Promise.resolve([{ address: hostname === 'other.test' ? '127.0.0.2' : '127.0.0.1', family: 4 }]);
  const policy = outboundPolicy({ lookup: loopback, maxResponseBytes: 64 * 1024 });

  beforeAll(async () => {
    second = await stand('127.0.0.2', (_request, response) => {
      response.end('{"stolen":true}');
    });
    first = await stand('127.0.0.1', (request, response) => {
      const url = (request.url ?? '').replace(/\?.*$/u, '');
      if (url === '/elsewhere') {
        response.writeHead(302, { location: `http://127.0.0.2:${String(second.port)}/secret` });
        response.end();
      } else if (url === '/elsewhere-by-name') {
        response.writeHead(307, { location: `http://other.test:${String(first.port)}/ok` });
        response.end();
      } else if (url === '/other-port') {
        response.writeHead(301, { location: `http://127.0.0.1:${String(second.port)}/ok` });
        response.end();
      } else if (url === '/here') {
        response.writeHead(302, { location: '/ok' });
        response.end();
      } else if (url === '/post-303') {
        response.writeHead(303, { location: '/echo' });
        response.end();
      } else if (url === '/loop') {
        response.writeHead(302, { location: '/loop' });
        response.end();
      } else if (url === '/echo') {
        response.end(JSON.stringify({ method: request.method, contentType: request.headers['content-type'] ?? null }));
      } else if (url === '/declared-large') {
        response.writeHead(200, { 'content-length': String(100 * 1024 * 1024) });
        response.write('{');
      } else if (url === '/endless') {
        // 100 MB in 64 KiB chunks, with backpressure: what was written is what the client's socket took.
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = 1600;
        const pump = (): void => {
          while (left > 0) {
            left -= 1;
            bytesSent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          response.end();
        };
        response.once('close', () => {
          streamClosedEarly = left > 0;
        });
        pump();
      } else {
        response.end('{"ok":true}');
      }
    });
  });

  afterAll(() => close([first, second]));
  afterEach(() => {
    first.requests.length = 0;
    second.requests.length = 0;
  });

  const get = (path: string, host = '127.0.0.1') =>
    outboundRequest(
      `http://${host}:${String(first.port)}${path}?token=x`,
      { method: 'GET', headers: { Authorization: 'Bearer t' } },
      10_000,
      policy,
    );

  test('a redirect to another loopback host (127.0.0.2) is an error, and that host gets no request', async () => {
    const result = await get('/elsewhere');
    expect(result).toEqual({
      ok: false,
      message: `GET http://127.0.0.1:${String(first.port)}/elsewhere: redirected to another host (http://127.0.0.2:${String(second.port)}); metric providers follow redirects only within the same scheme, host and port`,
    });
    expect(second.requests).toHaveLength(0);
  });

  test('a redirect to another name, even one that resolves to a loopback address, is refused', async () => {
    const result = await get('/elsewhere-by-name');
    expect(result.ok ? '' : result.message).toContain(`redirected to another host (http://other.test:${String(first.port)})`);
    expect(first.requests.map((request) => request.url)).toEqual(['/elsewhere-by-name?token=x']);
  });

  test('a redirect to another port of the same host is refused', async () => {
    const result = await get('/other-port');
    expect(result.ok ? '' : result.message).toContain('redirected to another host');
    expect(second.requests).toHaveLength(0);
  });

  test('a redirect within the same origin is followed, with its headers', async () => {
    expect(await get('/here')).toEqual({ ok: true, status: 200, body: '{"ok":true}' });
    expect(first.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/here?token=x', 'Bearer t'],
      ['/ok', 'Bearer t'],
    ]);
  });

  test("a 303 after a POST goes on as a GET without the body (Go's client)", async () => {
    const result = await outboundRequest(
      `http://127.0.0.1:${String(first.port)}/post-303`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' },
      10_000,
      policy,
    );
    expect(result).toEqual({ ok: true, status: 200, body: '{"method":"GET","contentType":null}' });
  });

  test('a redirect loop stops after 10 redirects', async () => {
    const result = await get('/loop');
    expect(result).toEqual({ ok: false, message: `GET http://127.0.0.1:${String(first.port)}/loop: stopped after 10 redirects` });
    expect(first.requests).toHaveLength(11);
  });

  test('a declared length over the cap is refused before reading', async () => {
    const result = await get('/declared-large');
    expect(result).toEqual({
      ok: false,
      message: `GET http://127.0.0.1:${String(first.port)}/declared-large: the response is 104857600 bytes, more than the 65536 bytes a metric may read`,
    });
  });

  test('a 100 MB stream is cut at the cap: the connection is destroyed long before the server has sent it', async () => {
    const result = await get('/endless');
    expect(result).toEqual({
      ok: false,
      message: `GET http://127.0.0.1:${String(first.port)}/endless: the response is more than the 65536 bytes a metric may read; stopped reading`,
    });
    await vi.waitFor(() => {
      expect(streamClosedEarly).toBe(true);
    });
    // What the server got rid of: the cap, one chunk and what the two sockets' kernel buffers held.
    console.log(`outbound cap: 64 KiB cap; server wrote ${String(bytesSent)} bytes of 104857600 before the connection was destroyed`);
    expect(bytesSent).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('outboundRequest over TLS', () => {
  test('the certificate is checked against the name (an unknown CA is an error), and insecure skips the check as the metric asks', async () => {
    const pki = await createControlPlanePki();
    const hosts: (string | undefined)[] = [];
    const server = createHttpsServer({ cert: pki.apiServer.cert, key: pki.apiServer.key }, (request, response) => {
      hosts.push(request.headers.host);
      response.end('{"tls":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The certificate names "kubernetes"; the name resolves to the loopback server.
    const policy = outboundPolicy({ lookup: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
    try {
      const verified = await outboundRequest(`https://kubernetes:${String(port)}/x`, { method: 'GET', headers: {} }, 5000, policy);
      expect(verified.ok ? '' : verified.message).toMatch(/^GET https:\/\/kubernetes:\d+\/x: .*(certificate|self-signed|self signed)/u);
      const insecure = await outboundRequest(
        `https://kubernetes:${String(port)}/x`,
        { method: 'GET', headers: {}, insecure: true },
        5000,
        policy,
      );
      expect(insecure).toEqual({ ok: true, status: 200, body: '{"tls":true}' });
      expect(hosts).toEqual([`kubernetes:${String(port)}`]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
