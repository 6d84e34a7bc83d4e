import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Clock } from '../kube/index.js';
import { systemClock } from '../kube/index.js';

/** How long deliveries being handled get to finish once the bot stops, before their connections are cut. */
export const webhookCloseGraceMs = 10_000;

/**
 * Closes the webhook server of a bot that stops. Node's server.close() waits for every connection to end
 * and closes idle keep-alive connections only once, when it is called: a sender that keeps one connection
 * busy (a load balancer, a redelivering proxy) kept a stopped bot listening, acting on deliveries and
 * holding its Lease for as long as it sent. Here every answer from then on closes its connection
 * (the caller has already made new deliveries get a 503), idle connections are closed every `pollMs`,
 * and after `graceMs` every connection is cut. The sender sees a failed delivery: GitHub records it failed
 * and does not redeliver by itself (a person or the API may), and the leader's reconcile heals what it carried.
 */
export async function closeWebhookServer(
  server: Server,
  options: { graceMs?: number; pollMs?: number; clock?: Clock } = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  // Every answer from now ends its connection (before the handler writes a byte: prepended).
  const last = (_request: IncomingMessage, response: ServerResponse): void => {
    response.setHeader('connection', 'close');
  };
  server.prependListener('request', last);
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  let poll: ReturnType<Clock['setTimeout']> | undefined;
  const idle = (): void => {
    server.closeIdleConnections();
    poll = clock.setTimeout(idle, options.pollMs ?? 100);
  };
  idle();
  const cut = clock.setTimeout(() => {
    server.closeAllConnections();
  }, options.graceMs ?? webhookCloseGraceMs);
  try {
    await closed;
  } finally {
    if (poll !== undefined) clock.clearTimeout(poll);
    clock.clearTimeout(cut);
    server.off('request', last);
  }
}
