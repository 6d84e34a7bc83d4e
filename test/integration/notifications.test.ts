import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRolloutController, type RolloutController } from '../../src/engine/controller/rollout-controller.js';
import { createLogger } from '../../src/log/index.js';
import {
  BUILTIN_CATALOGUE,
  NOTIFICATION_CONFIGMAP,
  NOTIFICATION_SECRET,
  NOTIFIED_ANNOTATION,
  SENT_LEDGER_CONFIGMAP,
} from '../../src/notifications/index.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { testCluster } from './support/test-cluster.js';

// Notifications end to end on the real control plane: Argo's catalogue in argo-rollouts-notification-configmap, a
// webhook service pointed at a local receiver and a Slack service pointed at a local server shaped as Slack's Web API
// (chat.postMessage: a Bearer token, a JSON body, {"ok": true} back — https://api.slack.com/methods/chat.postMessage).
const cluster = testCluster('notify');
const { core, custom, namespace, rolloutApi } = cluster;

interface Delivery {
  path: string;
  method: string;
  authorization: string | undefined;
  body: string;
}
const webhook: Delivery[] = [];
const slack: Delivery[] = [];
// A real SMTP server (smtp-server) on loopback: STARTTLS with its self-signed certificate, then AUTH; each message parsed.
const mails: { envelopeTo: string[]; mail: ParsedMail; user: unknown }[] = [];
const smtp = new SMTPServer({
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, _session, callback) {
    if (auth.username === 'argo' && auth.password === 'smtp-local-password') callback(null, { user: auth.username });
    else callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        mails.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail, user: session.user });
        callback();
      })
      .catch((cause: unknown) => {
        callback(cause as Error);
      });
  },
  logger: false,
});
let server: Server;
let base = '';
let controller: RolloutController | undefined;

function startController(): Promise<void> {
  controller = createRolloutController({
    kubeConfig: cluster.kubeConfig,
    namespace,
    logger: createLogger({ level: 'warn' }),
    notifications: { namespace, timeoutMs: 5000 },
  });
  return controller.start();
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const delivery = { path: request.url ?? '', method: request.method ?? '', authorization: request.headers.authorization, body };
      if (request.url === '/slack/api/chat.postMessage') {
        slack.push(delivery);
        response.setHeader('content-type', 'application/json');
        response.end('{"ok":true,"ts":"1.1"}');
        return;
      }
      webhook.push(delivery);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  await cluster.setUp();
  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: NOTIFICATION_CONFIGMAP },
      data: {
        ...BUILTIN_CATALOGUE,
        'service.webhook.receiver': `url: ${base}/hook\n`,
        'service.slack': `token: $slack-token\napiURL: ${base}/slack/api/\n`,
        'service.email': `host: 127.0.0.1\nport: ${String(smtpPort)}\nfrom: rollouts@example.test\nusername: argo\npassword: $email-password\ninsecure_skip_verify: true\n`,
      },
    },
  });
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: NOTIFICATION_SECRET },
      stringData: { 'slack-token': 'xoxb-local-token', 'email-password': 'smtp-local-password' },
    },
  });
  await startController();
});

afterAll(async () => {
  await controller?.stop();
  await cluster.tearDown();
  await new Promise((resolve) => server.close(resolve));
  await new Promise<void>((resolve) => {
    smtp.close(resolve);
  });
});

function gradual(...args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
}

describe('notifications configured as Argo Rollouts configures them', () => {
  it('a Rollout subscribed to on-rollout-step-completed (Slack) and on-rollout-aborted (webhook, email over SMTP) gets exactly one rendered message per transition, also after a controller restart', async () => {
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: {
          name: 'web',
          namespace,
          annotations: {
            'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'deploys',
            'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '',
            'notifications.argoproj.io/subscribe.on-rollout-aborted.email': 'ops@example.test',
          },
        },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      },
    });
    await cluster.untilRollout('web', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const setImage = await gradual('set', 'image', 'web', 'app=example.test/web:green');
    expect(setImage.code, setImage.stderr).toBe(0);
    await cluster.untilRollout(
      'web',
      'the canary to pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
    );
    await cluster.untilEventLines('web', 'the Slack notification to be sent', (lines) =>
      lines.some((line) => line.startsWith('NotificationSent: Notification on-rollout-step-completed to slack:deploys sent')),
    );

    const abort = await gradual('abort', 'web');
    expect(abort.code, abort.stderr).toBe(0);
    await cluster.untilRollout('web', 'the abort to be Degraded', (r) => r.status?.phase === 'Degraded');
    await cluster.untilEventLines(
      'web',
      'the webhook notification to be sent',
      (lines) =>
        lines.some((line) => line.startsWith('NotificationSent: Notification on-rollout-aborted to receiver sent')) &&
        lines.some((line) => line.startsWith('NotificationSent: Notification on-rollout-aborted to email:ops@example.test sent')),
    );

    // A restart: a new controller reconciles the aborted Rollout from scratch; the notified annotation holds what was sent.
    await controller?.stop();
    await startController();
    await custom.patchNamespacedCustomObject(
      { ...rolloutApi, name: 'web', body: { metadata: { annotations: { poke: '1' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cluster.untilRollout('web', 'the restarted controller to see the poke', (r) => r.metadata?.annotations?.poke === '1');
    await controller?.stop();
    await startController();

    expect(slack).toHaveLength(1);
    expect(slack[0]?.authorization).toBe('Bearer xoxb-local-token');
    const message = JSON.parse(slack[0]?.body ?? '{}') as {
      channel: string;
      text: string;
      attachments: { title: string; fields: { title: string; value: string }[] }[];
    };
    expect(message.channel).toBe('deploys');
    expect(message.text).toBe('Rollout web step number 1/2 has been completed.');
    expect(message.attachments[0]?.fields.map((field) => [field.title, field.value])).toEqual([
      ['Strategy', 'Canary'],
      ['Step completed', '1/2'],
      ['app', 'example.test/web:green'],
    ]);
    expect(webhook.map((delivery) => [delivery.method, delivery.path, delivery.body])).toEqual([
      ['GET', '/hook', 'Rollout web has been aborted.'],
    ]);
    // The catalogue's rollout-aborted template by SMTP: email.subject, and the message as the body.
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.envelopeTo).toEqual(['ops@example.test']);
    expect(mail?.user).toBe('argo');
    expect(mail?.mail.from?.text).toBe('rollouts@example.test');
    expect(Array.isArray(mail?.mail.to) ? undefined : mail?.mail.to?.text).toBe('ops@example.test');
    expect(mail?.mail.subject).toBe('Rollout web has been aborted.');
    expect(mail?.mail.text?.trim()).toBe('Rollout web has been aborted.');
    // The password came from the Secret and appears in no Event.
    expect((await cluster.eventLines('web')).join('\n')).not.toContain('smtp-local-password');
    // Recorded in the ledger ConfigMap in the controller's namespace (the controller may not patch Rollouts), not on the Rollout.
    const ledger = await core.readNamespacedConfigMap({ name: SENT_LEDGER_CONFIGMAP, namespace });
    const entry = JSON.parse(ledger.data?.[`${namespace}.web`] ?? '{}') as { sent?: object };
    expect(Object.keys(entry.sent ?? {})).toHaveLength(3);
    const rollout = await cluster.readRollout('web');
    expect(rollout.metadata?.annotations?.[NOTIFIED_ANNOTATION]).toBeUndefined();
  });
});
