import { outboundRequest, redactUrl, type OutboundPolicy } from '../providers/outbound/outbound-request.js';
import type { ServiceConfig, SlackServiceOptions, WebhookServiceOptions } from './config.js';
import type { RenderedNotification } from './plan-notifications.js';
import type { Destination } from './subscriptions.js';

/*
 * The services, as notifications-engine's webhook and Slack services send (pkg/services/webhook.go,
 * slack.go), through the controller's outbound rules (src/providers/outbound): the host's
 * addresses checked before any socket (no link-local or cloud-metadata address unless the
 * operator allows them), redirects only within the origin, responses capped. A rendered body is
 * capped too: a template ranging over a hostile Rollout must not make the controller post
 * megabytes. Errors name the service and the URL without its query, never the token.
 */

export type SendResult = { ok: true } | { ok: false; message: string };

/** The largest request body sent (a Slack message is at most 40,000 characters of text). */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Slack's Web API base, as slack-go's APIURL. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export interface SendOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
}

function tooLarge(body: string): boolean {
  return Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES;
}

/** The webhook request: the message as body by GET, unless the template's webhook.<service> says otherwise. */
export function webhookRequest(
  serviceName: string,
  options: WebhookServiceOptions,
  notification: RenderedNotification,
): { url: string; method: string; headers: Record<string, string>; body: string } {
  let url = options.url;
  let method = 'GET';
  let body = notification.message ?? '';
  const override = notification.webhook[serviceName];
  if (override !== undefined) {
    body = override.body;
    if (override.method !== undefined && override.method !== '') method = override.method;
    if (override.path !== undefined && override.path !== '') url = `${url.replace(/\/+$/, '')}/${override.path.replace(/^\/+/, '')}`;
  }
  const headers: Record<string, string> = {};
  for (const header of options.headers ?? []) headers[header.name] = header.value;
  if (options.basicAuth !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  return { url, method, headers, body };
}

async function sendWebhook(
  serviceName: string,
  options: WebhookServiceOptions,
  notification: RenderedNotification,
  send: SendOptions,
): Promise<SendResult> {
  const request = webhookRequest(serviceName, options, notification);
  if (tooLarge(request.body))
    return { ok: false, message: `webhook ${serviceName}: the rendered body is larger than ${String(MAX_REQUEST_BYTES)} bytes` };
  const result = await outboundRequest(
    request.url,
    { method: request.method, headers: request.headers, body: request.body, insecure: options.insecureSkipVerify },
    send.timeoutMs,
    send.policy,
  );
  if (!result.ok) return { ok: false, message: `webhook ${serviceName}: ${result.message}` };
  if (result.status < 200 || result.status > 299)
    return {
      ok: false,
      message: `webhook ${serviceName}: ${request.method} ${redactUrl(request.url)} answered HTTP ${String(result.status)}`,
    };
  return { ok: true };
}

/** chat.postMessage's JSON body, as slack-go builds it from the notification. */
export function slackMessage(options: SlackServiceOptions, notification: RenderedNotification, channel: string): Record<string, unknown> {
  const body: Record<string, unknown> = { channel, text: notification.message ?? '' };
  const attachments = notification.slack?.attachments?.trim();
  const blocks = notification.slack?.blocks?.trim();
  // notifications-engine unmarshals the rendered JSON and fails the send when it is not JSON.
  if (attachments !== undefined && attachments !== '') body.attachments = JSON.parse(attachments) as unknown;
  if (blocks !== undefined && blocks !== '') body.blocks = JSON.parse(blocks) as unknown;
  const username = notification.slack?.username ?? options.username;
  const icon = notification.slack?.icon ?? options.icon;
  if (username !== undefined && username !== '') body.username = username;
  if (icon !== undefined && icon !== '') {
    if (/^:.+:$/.test(icon)) body.icon_emoji = icon;
    else body.icon_url = icon;
  }
  if (options.disableUnfurl === true) {
    body.unfurl_links = false;
    body.unfurl_media = false;
  }
  return body;
}

async function sendSlack(
  serviceName: string,
  options: SlackServiceOptions,
  notification: RenderedNotification,
  channel: string,
  send: SendOptions,
): Promise<SendResult> {
  let message: Record<string, unknown>;
  try {
    message = slackMessage(options, notification, channel);
  } catch (cause) {
    return {
      ok: false,
      message: `slack ${serviceName}: the rendered attachments or blocks are not JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
    };
  }
  const body = JSON.stringify(message);
  if (tooLarge(body)) return { ok: false, message: `slack ${serviceName}: the message is larger than ${String(MAX_REQUEST_BYTES)} bytes` };
  const base = options.apiURL ?? DEFAULT_SLACK_API_URL;
  const url = `${base.endsWith('/') ? base : `${base}/`}chat.postMessage`;
  const result = await outboundRequest(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${options.token}` },
      body,
      insecure: options.insecureSkipVerify,
    },
    send.timeoutMs,
    send.policy,
  );
  if (!result.ok) return { ok: false, message: `slack ${serviceName}: ${result.message}` };
  if (result.status < 200 || result.status > 299)
    return { ok: false, message: `slack ${serviceName}: POST ${redactUrl(url)} answered HTTP ${String(result.status)}` };
  // Slack answers 200 with {"ok": false, "error": "channel_not_found"} for a refused message.
  let answer: unknown;
  try {
    answer = JSON.parse(result.body);
  } catch {
    return { ok: false, message: `slack ${serviceName}: POST ${redactUrl(url)} answered something that is not JSON` };
  }
  if (typeof answer !== 'object' || answer === null || (answer as { ok?: unknown }).ok !== true) {
    const error = (answer as { error?: unknown } | null)?.error;
    return {
      ok: false,
      message: `slack ${serviceName}: chat.postMessage failed: ${typeof error === 'string' ? error.slice(0, 200) : 'no error given'}`,
    };
  }
  return { ok: true };
}

/** Sends one notification to one destination. Never throws. */
export async function sendNotification(
  service: ServiceConfig,
  destination: Destination,
  notification: RenderedNotification,
  send: SendOptions,
): Promise<SendResult> {
  try {
    if (service.type === 'webhook') return await sendWebhook(service.name, service.options, notification, send);
    return await sendSlack(service.name, service.options, notification, destination.recipient, send);
  } catch (cause) {
    return { ok: false, message: `${service.type} ${service.name}: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
}
