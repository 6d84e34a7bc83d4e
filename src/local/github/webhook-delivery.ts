import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

export interface WebhookRequest {
  url: string;
  secret: string;
  event: string;
  guid: string;
  hookId: number;
  appId: number;
  /** The exact bytes to send and sign. */
  body: string;
}

export interface WebhookOutcome {
  statusCode: number;
  outcome: string;
}

/** Delivery gives up after this long, as GitHub's does (10 s). */
const timeoutMs = 10_000;

/**
 * POSTs one webhook with GitHub's headers: the event, the delivery GUID, and
 * HMAC signatures of the exact body (SHA-256, and the legacy SHA-1). A
 * failure is an outcome to record, never an exception.
 */
export async function deliverWebhook(request: WebhookRequest): Promise<WebhookOutcome> {
  const headers = {
    accept: '*/*',
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/local',
    'x-github-event': request.event,
    'x-github-delivery': request.guid,
    'x-github-hook-id': String(request.hookId),
    'x-github-hook-installation-target-id': String(request.appId),
    'x-github-hook-installation-target-type': 'integration',
    'x-hub-signature': `sha1=${createHmac('sha1', request.secret).update(request.body).digest('hex')}`,
    'x-hub-signature-256': await sign(request.secret, request.body),
  };
  try {
    const response = await fetch(request.url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return { statusCode: response.status, outcome: response.ok ? 'OK' : `HTTP ${String(response.status)}` };
  } catch (error) {
    return { statusCode: 0, outcome: error instanceof Error ? error.message : String(error) };
  }
}
