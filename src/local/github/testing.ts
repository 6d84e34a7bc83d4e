import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../log/index.js';
import { createGitServer } from '../git-server.js';
import { startGithubServer, type GithubServer, type Violation } from './server.js';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the receiver had the whole delivery (performance.now(), ms): benchmarks time from here. */
  receivedAt: number;
}

export interface TestGithub {
  server: GithubServer;
  dir: string;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** Every webhook the server sent, in order. */
  received: ReceivedWebhook[];
  /** Responses or webhooks that broke their schema; a test helper asserts this stays empty. */
  violations: Violation[];
  /** The in-process git server (when started with `git: true`): its URL and bare repositories' root. */
  git: { url: string; root: string } | undefined;
  /** Called with every delivery as it is recorded (before it is passed on); returns the unsubscribe. */
  onWebhook: (listener: (webhook: ReceivedWebhook) => void) => () => void;
  /** Every webhook is passed on to this URL too (the app under test), after it is recorded. */
  setWebhookUrl: (url: string | undefined) => void;
  /** Starts the server again on the same folder (a restart). */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * A local GitHub for tests: a fresh folder, a fresh RSA app key, and a
 * webhook receiver on loopback that records every delivery. Violations are
 * collected so the test can fail on them (`expect(github.violations).toEqual([])`).
 */
export async function startTestGithub(options: { dir?: string; appId?: number; git?: boolean } = {}): Promise<TestGithub> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'gradual-github-')));
  const appId = options.appId ?? 4242;
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const webhookSecret = 'local-github-test-secret';
  const received: ReceivedWebhook[] = [];
  const violations: Violation[] = [];
  let forwardTo: string | undefined;
  const listeners = new Set<(webhook: ReceivedWebhook) => void>();
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const webhook: ReceivedWebhook = { headers: req.headers, body, receivedAt: performance.now() };
      received.push(webhook);
      for (const listener of listeners) listener(webhook);
      if (forwardTo === undefined) {
        res.writeHead(202).end();
        return;
      }
      // Passed on to the app under test as GitHub sent it (signature and delivery id included); its answer goes back.
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host' && entry[0] !== 'content-length',
        ),
      );
      fetch(forwardTo, { method: 'POST', headers, body })
        .then(async (answer) => {
          res.writeHead(answer.status).end(await answer.text());
        })
        .catch(() => {
          res.writeHead(502).end();
        });
    });
  });
  await new Promise<void>((resolve) => receiver.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const webhookUrl = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/api/github/webhooks`;
  const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });
  // The git server tells the GitHub server about pushes in-process, as `local up`'s does over HTTP.
  let current: GithubServer | undefined;
  const gitServer =
    options.git === true
      ? createGitServer({
          root: join(dir, 'git'),
          logger,
          onPush: (push) =>
            current?.syncGit({ repository: push.repository, ...(push.pusher !== undefined && { pusher: push.pusher }) }) ??
            Promise.resolve(),
        })
      : undefined;
  if (gitServer !== undefined) await new Promise<void>((resolve) => gitServer.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const git =
    gitServer === undefined
      ? undefined
      : { url: `http://127.0.0.1:${String((gitServer.address() as AddressInfo).port)}`, root: join(dir, 'git') };
  const start = async (): Promise<GithubServer> => {
    current = await startGithubServer({
      dir,
      appId,
      privateKey,
      webhookUrl,
      webhookSecret,
      logger,
      onViolation: (violation) => violations.push(violation),
      ...(git !== undefined && { git }),
    });
    return current;
  };
  const handle: TestGithub = {
    server: await start(),
    git,
    dir,
    appId,
    privateKey,
    webhookSecret,
    received,
    violations,
    onWebhook: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setWebhookUrl: (url) => {
      forwardTo = url;
    },
    restart: async () => {
      await handle.server.stop();
      handle.server = await start();
    },
    stop: async () => {
      await handle.server.stop();
      await new Promise<void>((resolve) =>
        receiver.close(() => {
          resolve();
        }),
      );
      if (gitServer !== undefined) {
        gitServer.closeAllConnections();
        await new Promise<void>((resolve) =>
          gitServer.close(() => {
            resolve();
          }),
        );
      }
    },
  };
  return handle;
}
