import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../local/kubeconfig.js';
import { createControlPlanePki, type ControlPlanePki } from '../local/pki.js';
import { createRequestCounter, makeCountedApiClient } from './request-counter.js';
import { createRestClient } from './rest-client.js';

// An HTTPS server that asks for the client certificate, as the API server does, and counts TLS handshakes.
let pki: ControlPlanePki;
let server: Server;
let handshakes = 0;
let requests = 0;

function kubeConfigFor(client: ControlPlanePki['admin']): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(
    renderKubeconfig({ server: `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`, caCert: pki.ca.cert, client }),
  );
  return config;
}

beforeAll(async () => {
  pki = await createControlPlanePki();
  server = createServer(
    { cert: pki.apiServer.cert, key: pki.apiServer.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
    (_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ apiVersion: 'v1', kind: 'NamespaceList', metadata: {}, items: [] }));
    },
  );
  server.on('secureConnection', () => {
    handshakes += 1;
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => {
    server.close(() => {
      done();
    });
  });
});

describe('the Kubernetes clients’ HTTPS connections', () => {
  it('are reused across requests and across the REST and generated clients of one kubeconfig', async () => {
    handshakes = 0;
    requests = 0;
    const kubeConfig = kubeConfigFor(pki.admin);
    const rest = createRestClient(kubeConfig);
    const core = makeCountedApiClient(kubeConfig, CoreV1Api, createRequestCounter());
    for (let round = 0; round < 5; round += 1) {
      await rest.request({ method: 'GET', path: '/api/v1/namespaces' });
      await core.listNamespace();
    }
    expect(requests).toBe(10);
    // client-node alone: a new agent per request, so ten handshakes.
    expect(handshakes).toBe(1);
  });

  it('are not shared between different TLS options (a rotated key gets its own agent)', async () => {
    handshakes = 0;
    // The same identity with its key file rewritten (other bytes, so other options), twice.
    const first = createRestClient(kubeConfigFor({ cert: pki.admin.cert, key: `${pki.admin.key}\n` }));
    const second = createRestClient(kubeConfigFor({ cert: pki.admin.cert, key: `${pki.admin.key}\n\n` }));
    await first.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(handshakes).toBe(1);
    await second.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(handshakes).toBe(2);
    await first.request({ method: 'GET', path: '/api/v1/namespaces' });
    await second.request({ method: 'GET', path: '/api/v1/namespaces' });
    expect(handshakes).toBe(2);
  });
});
