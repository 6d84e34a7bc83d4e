import type { DashboardEvent } from './types.js';

/**
 * One server-sent event as the EventSource parser reads it (WHATWG HTML,
 * "event stream interpretation"): `id:` and `event:` lines, the JSON data on
 * `data:` lines (a line break inside would end the field, so every line of
 * it gets its own `data:`), and a blank line that dispatches it. Names and
 * ids must be single lines; a break in them could forge a second event.
 */
export function formatSseEvent(message: DashboardEvent): string {
  for (const [field, value] of [
    ['event', message.event],
    ['id', message.id],
  ] as const) {
    if (value !== undefined && /[\r\n]/u.test(value)) throw new Error(`An SSE ${field} must be one line: ${JSON.stringify(value)}`);
  }
  const lines: string[] = [];
  if (message.id !== undefined) lines.push(`id: ${message.id}`);
  lines.push(`event: ${message.event}`);
  for (const line of JSON.stringify(message.data).split(/\r\n|\r|\n/u)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by EventSource, it keeps proxies from closing an idle stream. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/gu, ' ')}\n\n`;
}

/** How long EventSource waits before reconnecting after the stream ends. */
export function formatSseRetry(ms: number): string {
  return `retry: ${String(Math.max(0, Math.trunc(ms)))}\n\n`;
}
