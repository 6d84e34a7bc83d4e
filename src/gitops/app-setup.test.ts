import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearSecretValues, createLogger } from '../log/index.js';
import { credentialsText, startAppSetup, type AppSetup } from './app-setup.js';

// A loopback stand-in for GitHub's one call in the flow, answering as
// https://docs.github.com/en/rest/apps/apps#create-a-github-app-from-a-manifest documents (201, the app with its pem).
const pem = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
const conversions: string[] = [];
let github: HttpServer;
let setup: AppSetup;
let folder = '';
const logLines: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'gradual-app-setup-'));
  github = createServer((request, response) => {
    conversions.push(`${request.method ?? ''} ${request.url ?? ''}`);
    const match = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/u.exec(request.url ?? '');
    if (request.method !== 'POST' || match?.[1] !== 'code-from-github') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    response.writeHead(201, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 4242,
        slug: 'gradual',
        node_id: 'A_1',
        name: 'Gradual',
        html_url: 'http://127.0.0.1/apps/gradual',
        client_id: 'Iv1.client',
        client_secret: 'client-secret-7c2e9a4b',
        webhook_secret: 'whsec-setup-1f3b5d7e',
        pem,
      }),
    );
  });
  await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
  process.env['GHE_HOST'] = `127.0.0.1:${String((github.address() as AddressInfo).port)}`;
  process.env['GHE_PROTOCOL'] = 'http';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  setup = await startAppSetup({
    host: '127.0.0.1',
    port: 0,
    webhookUrl: 'https://gradual.example.test/api/github/webhooks',
    credentialsFile: join(folder, 'gradual-app.env'),
    logger: createLogger({ destination, format: 'json' }),
  });
});

afterAll(async () => {
  await setup.stop();
  await new Promise((resolve) => github.close(resolve));
  await rm(folder, { recursive: true, force: true });
  for (const key of ['GHE_HOST', 'GHE_PROTOCOL', 'NO_SMEE_SETUP', 'WEBHOOK_PROXY_URL']) {
    if (savedEnv[key] === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = savedEnv[key];
  }
  clearSecretValues();
});

describe("the GitHub App's setup page (Probot's manifest flow)", () => {
  it("posts app.yml's manifest, with the webhook URL given, to the GitHub it is pointed at", async () => {
    const response = await fetch(setup.url);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`action="http://${process.env['GHE_HOST'] ?? ''}/settings/apps/new"`);
    const manifest = JSON.parse(/value='([^']*)'/u.exec(html)?.[1] ?? '{}') as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'Gradual',
      hook_attributes: { url: 'https://gradual.example.test/api/github/webhooks' },
      redirect_url: `${new URL(setup.url).origin}/probot/setup`,
      default_permissions: { checks: 'write', pull_requests: 'write', contents: 'read' },
      default_events: expect.arrayContaining(['pull_request', 'issue_comment', 'check_run', 'push']) as unknown,
    });
  });

  it("refuses Probot's credential import: any page the operator's browser opens could post to it", async () => {
    const response = await fetch(new URL('/probot/import', setup.url), {
      method: 'POST',
      body: JSON.stringify({ appId: 1, pem: 'x', webhook_secret: 'y' }),
    });
    expect(response.status).toBe(404);
  });

  it('a setup return without a code is refused', async () => {
    expect((await fetch(new URL('/probot/setup', setup.url), { redirect: 'manual' })).status).toBe(400);
  });

  it("exchanges GitHub's code for the app's credentials, writes them 0600, keeps them out of the log, and takes no second code", async () => {
    const response = await fetch(new URL('/probot/setup?code=code-from-github', setup.url), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://127.0.0.1/apps/gradual/installations/new');
    expect(conversions).toEqual(['POST /api/v3/app-manifests/code-from-github/conversions']);
    const created = await setup.created;
    expect(created.appId).toBe('4242');
    const text = await readFile(created.credentialsFile, 'utf8');
    expect(text).toContain('APP_ID=4242\n');
    expect(text).toContain('WEBHOOK_SECRET=whsec-setup-1f3b5d7e\n');
    expect(text).toContain(`PRIVATE_KEY=${pem.trim().replace(/\n/gu, '\\n')}`);
    expect((await stat(created.credentialsFile)).mode & 0o777).toBe(0o600);
    const log = logLines.join('');
    for (const secret of ['whsec-setup-1f3b5d7e', 'client-secret-7c2e9a4b', pem.split('\n')[1] ?? 'pem'])
      expect(log.includes(secret), secret).toBe(false);
    expect((await fetch(new URL('/probot/setup?code=another', setup.url), { redirect: 'manual' })).status).toBe(410);
    expect(conversions).toHaveLength(1);
  });
});

describe('the credentials file', () => {
  it('is one KEY=value line each, without quotes, newlines as \\n (for kubectl --from-env-file and node --env-file)', () => {
    expect(credentialsText({ APP_ID: '7', PRIVATE_KEY: '"-----BEGIN KEY-----\na\nb\n-----END KEY-----\n"', WEBHOOK_SECRET: 's' })).toBe(
      'APP_ID=7\nPRIVATE_KEY=-----BEGIN KEY-----\\na\\nb\\n-----END KEY-----\\n\nWEBHOOK_SECRET=s\n',
    );
  });
});
