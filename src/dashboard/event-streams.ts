import type { ServerResponse } from 'node:http';
import { formatSseEvent, formatSseRetry } from './sse.js';
import type { DashboardEvent } from './types.js';

/** One open EventSource: what it watches, and the last payload sent (nothing unchanged is sent twice). */
interface Subscriber {
  response: ServerResponse;
  /** Computes what this subscriber should see now. */
  current: () => DashboardEvent;
  lastSent: string | undefined;
}

export interface EventStreams {
  open(response: ServerResponse, current: () => DashboardEvent): void;
  /** Recomputes every subscriber's event and sends those that changed. */
  publish(): void;
  count(): number;
  closeAll(): void;
}

export function createEventStreams(): EventStreams {
  const subscribers = new Set<Subscriber>();
  let sequence = 0;

  function send(subscriber: Subscriber): void {
    const event = subscriber.current();
    const payload = JSON.stringify([event.event, event.data]);
    if (payload === subscriber.lastSent) return;
    subscriber.lastSent = payload;
    sequence += 1;
    subscriber.response.write(formatSseEvent({ ...event, id: String(sequence) }));
  }

  return {
    open(response, current) {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write(formatSseRetry(2000));
      const subscriber: Subscriber = { response, current, lastSent: undefined };
      subscribers.add(subscriber);
      response.on('close', () => subscribers.delete(subscriber));
      send(subscriber);
    },
    publish() {
      for (const subscriber of subscribers) send(subscriber);
    },
    count: () => subscribers.size,
    closeAll() {
      for (const subscriber of subscribers) subscriber.response.end();
      subscribers.clear();
    },
  };
}
