import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseEvent, formatSseRetry } from './sse.js';

/** The event stream interpretation of the HTML standard, reduced to what the dashboard sends: how a browser reads the bytes. */
function parse(stream: string): { event: string; data: string; id: string | undefined }[] {
  const events: { event: string; data: string; id: string | undefined }[] = [];
  let data: string[] = [];
  let event = 'message';
  let id: string | undefined;
  for (const line of stream.split(/\r\n|\r|\n/u)) {
    if (line === '') {
      if (data.length > 0) events.push({ event, data: data.join('\n'), id });
      data = [];
      event = 'message';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /u, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  return events;
}

describe('formatSseEvent', () => {
  it('writes the event name, the id and the JSON data, ended by a blank line', () => {
    expect(formatSseEvent({ event: 'rollout', id: '7', data: { name: 'web', step: '1/7' } })).toBe(
      'id: 7\nevent: rollout\ndata: {"name":"web","step":"1/7"}\n\n',
    );
  });

  it.each([
    ['plain', { a: 1 }],
    ['a string with line breaks', 'one\ntwo\r\nthree\rfour'],
    ['nested breaks and colons', { message: 'RolloutAborted: x\n\ndata: forged', list: ['a\n', ':b'] }],
    ['null', null],
  ])('round-trips %s through the browser parser as one event', (_name, data) => {
    const stream = formatSseEvent({ event: 'rollouts', data }) + formatSseEvent({ event: 'gone', data: 'next' });
    const events = parse(stream);
    expect(events.map((e) => e.event)).toEqual(['rollouts', 'gone']);
    expect(JSON.parse(events[0]?.data ?? '')).toEqual(data);
  });

  it.each([[{ event: 'rollout' as const, id: '1\nevent: gone', data: {} }], [{ event: 'rollout\ndata: x' as 'rollout', data: {} }]])(
    'refuses a multi-line name or id: %j',
    (message) => {
      expect(() => formatSseEvent(message)).toThrow(/must be one line/u);
    },
  );
});

describe('formatSseComment and formatSseRetry', () => {
  it('are ignored by the parser, and set the reconnection delay', () => {
    expect(formatSseComment('keep\nalive')).toBe(': keep alive\n\n');
    expect(parse(formatSseComment('x'))).toEqual([]);
    expect(formatSseRetry(1500.7)).toBe('retry: 1500\n\n');
  });
});
