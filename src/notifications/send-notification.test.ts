import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outboundPolicy, systemConnect } from '../providers/outbound/outbound-request.js';
import { MAX_REQUEST_BYTES, sendNotification } from './send-notification.js';
import type { RenderedNotification } from './plan-notifications.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url?.startsWith('/api/chat.postMessage') === true) {
        // Slack's documented answers: 200 with ok true, or ok false and an error code.
        const parsed = JSON.parse(body) as { channel?: string };
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify(
            parsed.channel === 'missing' ? { ok: false, error: 'channel_not_found' } : { ok: true, channel: parsed.channel, ts: '1.2' },
          ),
        );
        return;
      }
      if (request.url?.startsWith('/teams/') === true) {
        // Teams' incoming webhook answers 200 with "1" for a card it took, and its error text otherwise.
        response.end(request.url.includes('broken') ? 'Webhook Bad Request - Null or empty event' : '1');
        return;
      }
      if (request.url === '/pagerduty/v2/enqueue') {
        // The Events API v2's documented answers: 202 and status success, or 400 and the errors
        // (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty).
        const event = JSON.parse(body) as { routing_key?: string; payload?: { severity?: string } };
        const valid = ['critical', 'error', 'warning', 'info'].includes(event.payload?.severity ?? '');
        response.statusCode = valid ? 202 : 400;
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify(
            valid
              ? { status: 'success', message: 'Event processed', dedup_key: 'k1' }
              : {
                  status: 'invalid event',
                  message: 'Event object is invalid',
                  errors: [`Invalid severity for ${event.routing_key ?? ''}`],
                },
          ),
        );
        return;
      }
      response.statusCode = request.url?.startsWith('/fail') === true ? 500 : 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const notification: RenderedNotification = {
  message: 'Rollout web has been aborted.',
  slack: { attachments: '[{"title": "web", "color": "#E01E5A"}]', blocks: undefined, username: undefined, icon: undefined },
  webhook: { custom: { method: 'POST', path: '/rollouts/web', body: '{"rollout": "web"}' } },
  sections: {},
};
const send = { policy: outboundPolicy(), timeoutMs: 5000 };

describe('sendNotification', () => {
  it('webhook: the message by GET to the URL, with the headers, unless the template has a webhook.<service> entry', async () => {
    received.length = 0;
    const plain = await sendNotification(
      { type: 'webhook', name: 'receiver', options: { url: `${base}/hook`, headers: [{ name: 'X-Token', value: 'abc' }] } },
      { service: 'receiver', recipient: '' },
      notification,
      send,
    );
    expect(plain).toEqual({ ok: true });
    const custom = await sendNotification(
      { type: 'webhook', name: 'custom', options: { url: `${base}/base/` } },
      { service: 'custom', recipient: '' },
      notification,
      send,
    );
    expect(custom).toEqual({ ok: true });
    expect(received.map((r) => [r.method, r.url, r.body, r.headers['x-token']])).toEqual([
      ['GET', '/hook', 'Rollout web has been aborted.', 'abc'],
      ['POST', '/base/rollouts/web', '{"rollout": "web"}', undefined],
    ]);
  });

  it('webhook: a non-2xx answer is a failure naming the status and the URL without its query', async () => {
    const result = await sendNotification(
      { type: 'webhook', name: 'r', options: { url: `${base}/fail?token=hidden` } },
      { service: 'r', recipient: '' },
      { ...notification, webhook: {} },
      send,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('HTTP 500');
      expect(result.message).not.toContain('hidden');
    }
  });

  it("slack: chat.postMessage with the bearer token, channel, text and parsed attachments; ok:false is a failure with Slack's error", async () => {
    received.length = 0;
    const service = { type: 'slack' as const, name: 'slack', options: { token: 'xoxb-secret', apiURL: `${base}/api/` } };
    expect(await sendNotification(service, { service: 'slack', recipient: 'deploys' }, notification, send)).toEqual({ ok: true });
    const [request] = received;
    expect(request?.headers.authorization).toBe('Bearer xoxb-secret');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      channel: 'deploys',
      text: 'Rollout web has been aborted.',
      attachments: [{ title: 'web', color: '#E01E5A' }],
    });
    const refused = await sendNotification(service, { service: 'slack', recipient: 'missing' }, notification, send);
    expect(refused).toEqual({ ok: false, message: 'slack slack: chat.postMessage failed: channel_not_found' });
    expect(JSON.stringify(refused)).not.toContain('xoxb-secret');
  });

  it('slack: attachments that do not render to JSON fail the send, as notifications-engine does', async () => {
    const result = await sendNotification(
      { type: 'slack', name: 'slack', options: { token: 't', apiURL: `${base}/api/` } },
      { service: 'slack', recipient: 'c' },
      { ...notification, slack: { attachments: '[{', blocks: undefined, username: undefined, icon: undefined } },
      send,
    );
    expect(result.ok).toBe(false);
  });

  it('hostile: a webhook to a cloud metadata address is refused before any socket is opened', async () => {
    const connect = vi.fn(systemConnect);
    const policy = outboundPolicy({ lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]), connect });
    const result = await sendNotification(
      { type: 'webhook', name: 'evil', options: { url: 'http://metadata.google.internal/computeMetadata/v1/' } },
      { service: 'evil', recipient: '' },
      notification,
      { policy, timeoutMs: 1000 },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('cloud metadata');
    expect(connect).not.toHaveBeenCalled();
  });

  it('teams: a MessageCard posted to the recipient\'s webhook URL, as notifications-engine builds it; not "1" is a failure without the URL\'s path', async () => {
    received.length = 0;
    const service = {
      type: 'teams' as const,
      name: 'teams',
      options: { recipientUrls: { ops: `${base}/teams/secret-path-123`, broken: `${base}/teams/broken-secret-456` } },
    };
    const card = {
      ...notification,
      sections: { teams: { title: 'Rollout web', themeColor: '#E01E5A', facts: '[{"name": "Strategy", "value": "Canary"}]' } },
    };
    expect(await sendNotification(service, { service: 'teams', recipient: 'ops' }, card, send)).toEqual({ ok: true });
    expect(received.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', '/teams/secret-path-123', 'application/json'],
    ]);
    expect(received[0]?.body).toBe(
      '{"@type":"MessageCard","context":"https://schema.org/extensions","title":"Rollout web","summary":"","text":"Rollout web has been aborted.","themeColor":"#E01E5A","sections":[{"facts":[{"name":"Strategy","value":"Canary"}]}]}',
    );
    const failed = await sendNotification(service, { service: 'teams', recipient: 'broken' }, card, send);
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.message).toContain('Webhook Bad Request');
      expect(failed.message).not.toContain('broken-secret-456');
    }
    expect(await sendNotification(service, { service: 'teams', recipient: 'nobody' }, card, send)).toEqual({
      ok: false,
      message: 'teams teams: no teams webhook configured for recipient nobody',
    });
  });

  it("pagerdutyv2: an Events API v2 trigger with the recipient's routing key; a refused event is a failure that never repeats the key", async () => {
    received.length = 0;
    const service = {
      type: 'pagerdutyv2' as const,
      name: 'pagerdutyv2',
      options: { serviceKeys: { 'my-service': 'R0UTINGKEY0123456789' }, apiURL: `${base}/pagerduty/v2/enqueue` },
    };
    const incident = {
      ...notification,
      sections: {
        pagerdutyv2: {
          summary: 'Rollout web has been aborted.',
          severity: 'critical',
          source: 'web',
          component: '',
          group: '',
          class: '',
          url: 'https://example.test/web',
        },
      },
    };
    expect(await sendNotification(service, { service: 'pagerdutyv2', recipient: 'my-service' }, incident, send)).toEqual({ ok: true });
    expect(JSON.parse(received[0]?.body ?? '')).toEqual({
      routing_key: 'R0UTINGKEY0123456789',
      event_action: 'trigger',
      client: 'ArgoCD',
      client_url: 'https://example.test/web',
      payload: { summary: 'Rollout web has been aborted.', source: 'web', severity: 'critical' },
    });
    const invalid = await sendNotification(
      service,
      { service: 'pagerdutyv2', recipient: 'my-service' },
      { ...incident, sections: { pagerdutyv2: { ...incident.sections.pagerdutyv2, severity: 'meh' } } },
      send,
    );
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      expect(invalid.message).toContain('HTTP 400');
      expect(invalid.message).not.toContain('R0UTINGKEY0123456789');
    }
    expect(await sendNotification(service, { service: 'pagerdutyv2', recipient: 'my-service' }, notification, send)).toEqual({
      ok: false,
      message: 'pagerdutyv2 pagerdutyv2: no config found for pagerdutyv2 in the templates sent',
    });
  });

  it.each([
    ['webhook', { type: 'webhook' as const, name: 's', options: { url: 'http://metadata.test/hook' } }, ''],
    ['slack', { type: 'slack' as const, name: 's', options: { token: 'xoxb-1', apiURL: 'http://metadata.test/api/' } }, 'c'],
    ['teams', { type: 'teams' as const, name: 's', options: { recipientUrls: { r: 'https://metadata.test/webhook/x' } } }, 'r'],
    [
      'pagerdutyv2',
      { type: 'pagerdutyv2' as const, name: 's', options: { serviceKeys: { r: 'key1' }, apiURL: 'https://metadata.test/v2/enqueue' } },
      'r',
    ],
    [
      'email',
      { type: 'email' as const, name: 's', options: { host: 'metadata.test', port: 587, from: 'a@example.test' } },
      'b@example.test',
    ],
  ])(
    'hostile: %s to a name resolving to a link-local address is refused before any socket is opened',
    async (_type, service, recipient) => {
      const connect = vi.fn(systemConnect);
      const policy = outboundPolicy({ lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]), connect });
      const rendered = {
        ...notification,
        webhook: {},
        sections: { pagerdutyv2: { summary: 's', severity: 'critical', source: 'x' } },
      };
      const result = await sendNotification(service, { service: 's', recipient }, rendered, { policy, timeoutMs: 1000 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/169\.254\.169\.254, a (link-local|cloud metadata) address/);
      expect(connect).not.toHaveBeenCalled();
    },
  );

  it('hostile: a rendered body past the cap is not sent', async () => {
    received.length = 0;
    const huge = { ...notification, message: 'x'.repeat(MAX_REQUEST_BYTES + 1), webhook: {} };
    const result = await sendNotification(
      { type: 'webhook', name: 'r', options: { url: `${base}/hook` } },
      { service: 'r', recipient: '' },
      huge,
      send,
    );
    expect(result.ok).toBe(false);
    expect(received).toEqual([]);
  });
});
