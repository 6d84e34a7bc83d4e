import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The loopback HTTP server the metric-vendor stand-ins share: reads each request's body, asks
 * the vendor's handler for the answer, records the request. Tests only.
 */

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface StandInServer {
  url: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

export async function serveStandIn(handle: (request: RecordedRequest) => StandInAnswer): Promise<StandInServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? 'GET',
        url: new URL(request.url ?? '/', 'http://stand-in'),
        headers: request.headers,
        body,
      };
      requests.push(recorded);
      let answer: StandInAnswer;
      try {
        answer = handle(recorded);
      } catch (cause) {
        answer = { status: 500, body: String(cause) };
      }
      response.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export const json = (status: number, value: unknown): StandInAnswer => ({ status, body: JSON.stringify(value) });
