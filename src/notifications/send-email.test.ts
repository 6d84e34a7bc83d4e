import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outboundPolicy, systemConnect } from '../providers/outbound/outbound-request.js';
import type { RenderedNotification } from './plan-notifications.js';
import { sendNotification } from './send-notification.js';

// The email service against a real SMTP server (smtp-server, on loopback), each message parsed with mailparser. The
// server's name is resolved by an injected lookup to 127.0.0.1, as the outbound rules resolve it before connecting.
let server: SMTPServer;
let port = 0;
const mails: { envelopeTo: string[]; mail: ParsedMail; user: string | undefined; secure: boolean }[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    // Offers STARTTLS (its built-in self-signed certificate) and AUTH after it, as a mail relay does.
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'argo' && auth.password === 'smtp-secret-pw') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push({
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            mail,
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: session.secure,
          });
          callback();
        })
        .catch((cause: unknown) => {
          callback(cause as Error);
        });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(resolve);
  });
});

const notification: RenderedNotification = {
  message: 'Rollout web has been aborted.',
  slack: undefined,
  webhook: {},
  sections: { email: { subject: 'Rollout web has been aborted.' } },
};

function send(connect = vi.fn(systemConnect)): { policy: ReturnType<typeof outboundPolicy>; timeoutMs: number } {
  return {
    policy: outboundPolicy({ lookup: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]), connect }),
    timeoutMs: 5000,
  };
}

describe('the email service (SMTP)', () => {
  it('delivers the subject and the message (or email.body) to every recipient, over STARTTLS, authenticated', async () => {
    mails.length = 0;
    const service = {
      type: 'email' as const,
      name: 'email',
      options: {
        host: 'smtp.example.test',
        port,
        from: 'rollouts@example.test',
        username: 'argo',
        password: 'smtp-secret-pw',
        // smtp-server's certificate is self-signed.
        insecure_skip_verify: true,
      },
    };
    const result = await sendNotification(
      service,
      { service: 'email', recipient: 'ops@example.test, dev@example.test' },
      notification,
      send(),
    );
    expect(result).toEqual({ ok: true });
    const [received] = mails;
    expect(received?.envelopeTo).toEqual(['ops@example.test', 'dev@example.test']);
    expect(received?.user).toBe('argo');
    expect(received?.secure).toBe(true);
    expect(received?.mail.from?.text).toBe('rollouts@example.test');
    expect(Array.isArray(received?.mail.to) ? undefined : received?.mail.to?.value.map((to) => to.address)).toEqual([
      'ops@example.test',
      'dev@example.test',
    ]);
    expect(received?.mail.subject).toBe('Rollout web has been aborted.');
    expect(received?.mail.text?.trim()).toBe('Rollout web has been aborted.');

    // email.body wins over the message; html: true sends it as HTML.
    await sendNotification(
      { ...service, options: { ...service.options, html: true } },
      { service: 'email', recipient: 'ops@example.test' },
      { ...notification, sections: { email: { subject: 'S', body: '<b>aborted</b>' } } },
      send(),
    );
    expect(mails[1]?.mail.html).toContain('<b>aborted</b>');
    expect(mails[1]?.mail.subject).toBe('S');
  });

  it('a refused login is a failure that never repeats the password', async () => {
    const result = await sendNotification(
      {
        type: 'email',
        name: 'email',
        options: {
          host: 'smtp.example.test',
          port,
          from: 'a@example.test',
          username: 'argo',
          password: 'wrong-pw-9876',
          insecure_skip_verify: true,
        },
      },
      { service: 'email', recipient: 'ops@example.test' },
      notification,
      send(),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('email email: smtp.example.test:');
      expect(result.message).not.toContain('wrong-pw-9876');
    }
  });

  it("verifies the server's certificate unless insecure_skip_verify: a self-signed one fails the send", async () => {
    const result = await sendNotification(
      {
        type: 'email',
        name: 'email',
        options: { host: 'smtp.example.test', port, from: 'a@example.test', username: 'argo', password: 'smtp-secret-pw' },
      },
      { service: 'email', recipient: 'ops@example.test' },
      notification,
      send(),
    );
    expect(result.ok).toBe(false);
  });
});
