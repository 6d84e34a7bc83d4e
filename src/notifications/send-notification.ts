import type { Socket } from 'node:net';
import { createTransport } from 'nodemailer';
import { outboundRequest, redactUrl, resolveOutbound, type OutboundPolicy } from '../providers/outbound/outbound-request.js';
import {
  DEFAULT_PAGERDUTY_EVENTS_URL,
  type EmailServiceOptions,
  type PagerDutyV2ServiceOptions,
  type ServiceConfig,
  type SlackServiceOptions,
  type TeamsServiceOptions,
  type WebhookServiceOptions,
} from './config.js';
import type { RenderedNotification } from './plan-notifications.js';
import { sendGithub } from './send-github.js';
import type { Destination } from './subscriptions.js';

/*
 * The services, as notifications-engine's webhook, Slack, Teams, email, PagerDuty v2 and GitHub services send
 * (pkg/services/webhook.go, slack.go, teams.go, email.go, pagerdutyv2.go; github.go in send-github.ts), through the controller's outbound rules (src/providers/outbound): the host's
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

/** Microsoft Teams' connector card (the "message card" notifications-engine posts), or the template's own JSON. */
export function teamsMessage(notification: RenderedNotification): string {
  const teams = notification.sections.teams;
  if (teams?.template !== undefined && teams.template !== '') return teams.template;
  const message: Record<string, unknown> = {
    '@type': 'MessageCard',
    context: 'https://schema.org/extensions',
    title: teams?.title ?? '',
    summary: teams?.summary ?? '',
    text: teams?.text ?? notification.message ?? '',
  };
  if (teams?.themeColor !== undefined) message.themeColor = teams.themeColor;
  let sections: unknown[] | undefined;
  if (teams?.sections !== undefined) sections = JSON.parse(teams.sections) as unknown[];
  if (teams?.facts !== undefined) sections = [...(sections ?? []), { facts: JSON.parse(teams.facts) as unknown }];
  if (teams?.potentialAction !== undefined) message.potentialAction = JSON.parse(teams.potentialAction) as unknown;
  if (sections !== undefined) message.sections = sections;
  // Go marshals the struct's fields in declaration order: @type, context, title, summary, text, themeColor, potentialAction, sections.
  const order = ['@type', 'context', 'title', 'summary', 'text', 'themeColor', 'potentialAction', 'sections'];
  return JSON.stringify(Object.fromEntries(order.filter((key) => key in message).map((key) => [key, message[key]])));
}

async function sendTeams(
  serviceName: string,
  options: TeamsServiceOptions,
  notification: RenderedNotification,
  recipient: string,
  send: SendOptions,
): Promise<SendResult> {
  const url = options.recipientUrls[recipient];
  if (url === undefined) return { ok: false, message: `teams ${serviceName}: no teams webhook configured for recipient ${recipient}` };
  let body: string;
  try {
    body = teamsMessage(notification);
  } catch (cause) {
    return {
      ok: false,
      message: `teams ${serviceName}: the rendered sections, facts or potentialAction are not JSON: ${errorText(cause)}`,
    };
  }
  if (tooLarge(body)) return { ok: false, message: `teams ${serviceName}: the message is larger than ${String(MAX_REQUEST_BYTES)} bytes` };
  // The webhook URL's path is its credential: messages name the origin only.
  const where = `POST ${new URL(url).origin}/…`;
  const result = await outboundRequest(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body },
    send.timeoutMs,
    send.policy,
  );
  if (!result.ok)
    return { ok: false, message: `teams ${serviceName}: ${result.message.replaceAll(redactUrl(url), `${new URL(url).origin}/…`)}` };
  // Teams' incoming webhook answers "1" for a card it took; anything else is its error text.
  if (result.body !== '1')
    return { ok: false, message: `teams ${serviceName}: ${where} answered HTTP ${String(result.status)}: ${result.body.slice(0, 200)}` };
  return { ok: true };
}

/** The Events API v2 event notifications-engine's pagerdutyv2 service sends (go-pagerduty's V2Event). */
export function pagerDutyEvent(routingKey: string, notification: RenderedNotification): Record<string, unknown> | undefined {
  const fields = notification.sections.pagerdutyv2;
  if (fields === undefined) return undefined;
  const payload: Record<string, unknown> = { summary: fields.summary ?? '', source: fields.source ?? '', severity: fields.severity ?? '' };
  for (const key of ['component', 'group', 'class'] as const)
    if (fields[key] !== undefined && fields[key] !== '') payload[key] = fields[key];
  const event: Record<string, unknown> = { routing_key: routingKey, event_action: 'trigger', client: 'ArgoCD' };
  if (fields.url !== undefined && fields.url !== '') event.client_url = fields.url;
  event.payload = payload;
  return event;
}

async function sendPagerDutyV2(
  serviceName: string,
  options: PagerDutyV2ServiceOptions,
  notification: RenderedNotification,
  recipient: string,
  send: SendOptions,
): Promise<SendResult> {
  const routingKey = options.serviceKeys[recipient];
  if (routingKey === undefined)
    return { ok: false, message: `pagerdutyv2 ${serviceName}: no API key configured for recipient ${recipient}` };
  const event = pagerDutyEvent(routingKey, notification);
  if (event === undefined)
    return { ok: false, message: `pagerdutyv2 ${serviceName}: no config found for pagerdutyv2 in the templates sent` };
  const body = JSON.stringify(event);
  if (tooLarge(body))
    return { ok: false, message: `pagerdutyv2 ${serviceName}: the event is larger than ${String(MAX_REQUEST_BYTES)} bytes` };
  const url = options.apiURL ?? DEFAULT_PAGERDUTY_EVENTS_URL;
  const result = await outboundRequest(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body },
    send.timeoutMs,
    send.policy,
  );
  if (!result.ok) return { ok: false, message: `pagerdutyv2 ${serviceName}: ${result.message}` };
  // The Events API answers 202 Accepted for an event it queued (go-pagerduty treats anything else as an error).
  if (result.status !== 202)
    return {
      ok: false,
      message: `pagerdutyv2 ${serviceName}: POST ${redactUrl(url)} answered HTTP ${String(result.status)}: ${result.body.slice(0, 200)}`,
    };
  return { ok: true };
}

/** The mail notifications-engine's email service sends: the email template's subject, its body or else the message. */
export function emailMessage(
  options: EmailServiceOptions,
  notification: RenderedNotification,
  recipient: string,
): { from: string; to: string[]; subject: string; text?: string; html?: string } {
  const to = recipient.split(',').map((address) => address.trim());
  const subject = notification.sections.email?.subject ?? '';
  const body = notification.sections.email?.body ?? notification.message ?? '';
  return { from: options.from, to, subject, ...(options.html === true ? { html: body } : { text: body }) };
}

async function sendEmail(
  serviceName: string,
  options: EmailServiceOptions,
  notification: RenderedNotification,
  recipient: string,
  send: SendOptions,
): Promise<SendResult> {
  const mail = emailMessage(options, notification, recipient);
  if (mail.to.some((address) => address === '')) return { ok: false, message: `email ${serviceName}: no recipient` };
  if (tooLarge(mail.html ?? mail.text ?? ''))
    return { ok: false, message: `email ${serviceName}: the body is larger than ${String(MAX_REQUEST_BYTES)} bytes` };
  // The SMTP server's name is resolved and checked as an HTTP request's host is, and the socket goes to the checked address.
  const resolved = await resolveOutbound(options.host, send.policy);
  if (!resolved.ok) return { ok: false, message: `email ${serviceName}: ${options.host}:${String(options.port)}: ${resolved.message}` };
  const [target] = resolved.addresses;
  if (target === undefined) return { ok: false, message: `email ${serviceName}: ${options.host} resolves to no address` };
  const transport = createTransport({
    host: options.host,
    port: options.port,
    // gomodules.xyz/notify/smtp: implicit TLS on 465, else STARTTLS when the server offers it.
    secure: options.port === 465,
    ...(options.username === undefined || options.username === ''
      ? {}
      : { auth: { user: options.username, pass: options.password ?? '' } }),
    tls: { rejectUnauthorized: options.insecure_skip_verify !== true, servername: options.host },
    connectionTimeout: send.timeoutMs,
    greetingTimeout: send.timeoutMs,
    socketTimeout: send.timeoutMs,
    getSocket: (_options, callback) => {
      const connection = send.policy.connect({
        address: target.address,
        port: options.port,
        tls: false,
        servername: undefined,
        rejectUnauthorized: true,
      });
      callback(null, { connection: connection as Socket });
    },
  });
  try {
    await transport.sendMail(mail);
    return { ok: true };
  } catch (cause) {
    return { ok: false, message: `email ${serviceName}: ${options.host}:${String(options.port)}: ${errorText(cause)}` };
  } finally {
    transport.close();
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The credentials a service's options hold (from the Secret or not): never part of a message that leaves the sender. */
function credentialsOf(service: ServiceConfig): string[] {
  switch (service.type) {
    case 'webhook':
      return [
        ...(service.options.headers ?? []).map((header) => header.value),
        service.options.basicAuth?.password ?? '',
        new URL(service.options.url).search,
      ];
    case 'slack':
      return [service.options.token, service.options.signingSecret ?? ''];
    case 'teams':
      return Object.values(service.options.recipientUrls).flatMap((url) => [url, new URL(url).pathname, new URL(url).search]);
    case 'email':
      return [service.options.password ?? ''];
    case 'pagerdutyv2':
      return Object.values(service.options.serviceKeys);
    case 'github':
      // The key, and each of its lines: a message quoting part of a PEM still leaks it.
      return [service.options.privateKey, ...service.options.privateKey.split(/\r?\n/u).filter((line) => line.trim().length >= 16)];
  }
}

/** Replaces every credential in a message (a server may echo one back) with ***. */
function withoutCredentials(message: string, credentials: readonly string[]): string {
  let out = message;
  for (const credential of [...credentials].sort((a, b) => b.length - a.length)) {
    if (credential.length >= 4 && credential !== '/') out = out.replaceAll(credential, '***');
  }
  return out;
}

async function sendTo(
  service: ServiceConfig,
  destination: Destination,
  notification: RenderedNotification,
  send: SendOptions,
): Promise<SendResult> {
  switch (service.type) {
    case 'webhook':
      return sendWebhook(service.name, service.options, notification, send);
    case 'slack':
      return sendSlack(service.name, service.options, notification, destination.recipient, send);
    case 'teams':
      return sendTeams(service.name, service.options, notification, destination.recipient, send);
    case 'email':
      return sendEmail(service.name, service.options, notification, destination.recipient, send);
    case 'pagerdutyv2':
      return sendPagerDutyV2(service.name, service.options, notification, destination.recipient, send);
    case 'github':
      return sendGithub(service.name, service.options, notification, send);
  }
}

/** Sends one notification to one destination. Never throws; a failure's message holds none of the service's credentials. */
export async function sendNotification(
  service: ServiceConfig,
  destination: Destination,
  notification: RenderedNotification,
  send: SendOptions,
): Promise<SendResult> {
  let result: SendResult;
  try {
    result = await sendTo(service, destination, notification, send);
  } catch (cause) {
    result = { ok: false, message: `${service.type} ${service.name}: ${errorText(cause)}` };
  }
  return result.ok ? result : { ok: false, message: withoutCredentials(result.message, credentialsOf(service)) };
}
