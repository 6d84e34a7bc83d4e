import { createHmac, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../log/index.js';
import { startGithubServer, type GithubServer, type Violation } from './server.js';

// GitHub's manifest flow on the local GitHub: the form, the confirmation, the redirect with a one-time code,
// and POST /app-manifests/{code}/conversions (docs.github.com: "Registering a GitHub App from a manifest").
const previousKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;
let clock = new Date();
let dir = '';
let server: GithubServer;
let receiver: http.Server;
const violations: Violation[] = [];
const deliveries: { signature: string | undefined; event: string | undefined; body: string }[] = [];
let hookUrl = '';

const manifest = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Gradual',
  url: 'https://github.com/',
  hook_attributes: { url: hookUrl },
  redirect_url: 'http://127.0.0.1:9/probot/setup',
  default_events: ['pull_request', 'push'],
  default_permissions: { checks: 'write', contents: 'read' },
  ...overrides,
});

async function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The person confirms the manifest; the code GitHub sends the browser back with. */
async function confirmedCode(fields: Record<string, string>, path = '/settings/apps/new?as=alice'): Promise<string> {
  const page = await postForm(path, fields);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Create GitHub App for');
  const confirmed = await postForm(path, { ...fields, confirm: '1' });
  expect(confirmed.status).toBe(302);
  const location = new URL(confirmed.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/probot/setup');
  expect(location.searchParams.get('state')).toBe(fields['state'] ?? null);
  return location.searchParams.get('code') ?? '';
}

function convert(code: string): Promise<Response> {
  return fetch(`${server.url}/api/v3/app-manifests/${code}/conversions`, {
    method: 'POST',
    headers: { accept: 'application/vnd.github+json' },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradual-manifests-'));
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        signature: request.headers['x-hub-signature-256'] as string | undefined,
        event: request.headers['x-github-event'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/api/github/webhooks`;
  server = await startGithubServer({
    dir,
    appId: 1,
    privateKey: previousKey,
    webhookSecret: 'the-previous-secret',
    logger: createLogger({ level: 'warn' }),
    now: () => clock,
    onViolation: (found) => violations.push(found),
  });
}, 120_000);

afterAll(async () => {
  await server.stop();
  await new Promise((resolve) => receiver.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('creating the app from a manifest on the local GitHub', () => {
  it('exchanges a confirmed code once for the app, its key and its webhook secret; the key then authenticates as the app, and webhooks go to the manifest’s URL signed with the secret', async () => {
    const code = await confirmedCode({ manifest: JSON.stringify(manifest()), state: 'abc123' });
    expect(code).toMatch(/^[0-9a-f]{40}$/u);
    // The state file keeps the code's digest, never the code.
    expect(JSON.stringify(server.state())).not.toContain(code);
    const answer = await convert(code);
    expect(answer.status).toBe(201);
    const app = (await answer.json()) as {
      id: number;
      slug: string;
      name: string;
      owner: { login: string };
      pem: string;
      webhook_secret: string;
      client_secret: string;
      permissions: Record<string, string>;
      events: string[];
    };
    expect(app).toMatchObject({
      slug: 'gradual',
      name: 'Gradual',
      owner: { login: 'alice' },
      permissions: { checks: 'write', contents: 'read', metadata: 'read' },
      events: ['pull_request', 'push'],
    });
    expect(app.id).not.toBe(1);
    expect(app.pem).toContain('PRIVATE KEY');
    expect(app.webhook_secret.length).toBeGreaterThanOrEqual(20);
    expect(JSON.stringify(server.state())).not.toContain(app.webhook_secret);

    const asApp = new Octokit({ baseUrl: server.url, authStrategy: createAppAuth, auth: { appId: app.id, privateKey: app.pem } });
    expect((await asApp.rest.apps.getAuthenticated()).data?.id).toBe(app.id);
    // The previous app's key no longer authenticates.
    const previous = new Octokit({ baseUrl: server.url, authStrategy: createAppAuth, auth: { appId: 1, privateKey: previousKey } });
    await expect(previous.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });

    await server.install({ account: 'acme', sender: 'alice' });
    const delivery = deliveries.at(-1);
    expect(delivery?.event).toBe('installation');
    expect(delivery?.signature).toBe(
      `sha256=${createHmac('sha256', app.webhook_secret)
        .update(delivery?.body ?? '')
        .digest('hex')}`,
    );

    // One use only.
    expect((await convert(code)).status).toBe(404);
    expect(violations).toEqual([]);
  });

  it('refuses an unknown code and one older than an hour with 404', async () => {
    expect((await convert('0'.repeat(40))).status).toBe(404);
    const code = await confirmedCode(
      { manifest: JSON.stringify(manifest({ name: 'Late' })) },
      '/organizations/acme/settings/apps/new?as=alice',
    );
    clock = new Date(clock.getTime() + 3600 * 1000 + 1);
    expect((await convert(code)).status).toBe(404);
    expect(violations).toEqual([]);
  });

  it('an organization’s form creates the app for the organization', async () => {
    const code = await confirmedCode(
      { manifest: JSON.stringify(manifest({ name: 'Org app' })) },
      '/organizations/acme/settings/apps/new?as=alice',
    );
    const app = (await (await convert(code)).json()) as { owner: { login: string }; slug: string };
    expect(app).toMatchObject({ owner: { login: 'acme' }, slug: 'org-app' });
  });

  it('refuses a manifest without its required url, or that is not JSON, and makes no code', async () => {
    const before = server.state().pendingManifests?.length ?? 0;
    const noUrl = await postForm('/settings/apps/new?as=alice', { manifest: JSON.stringify(manifest({ url: undefined })), confirm: '1' });
    expect(noUrl.status).toBe(422);
    expect(await noUrl.text()).toContain('url');
    expect((await postForm('/settings/apps/new?as=alice', { manifest: '{not json', confirm: '1' })).status).toBe(422);
    expect(server.state().pendingManifests?.length ?? 0).toBe(before);
  });

  it('escapes the manifest on the confirmation page (a hostile name is text, not markup)', async () => {
    const page = await postForm('/settings/apps/new?as=alice', { manifest: JSON.stringify(manifest({ name: '<script>x</script>' })) });
    const html = await page.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
  });
});
