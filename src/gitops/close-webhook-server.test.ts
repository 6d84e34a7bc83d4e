import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../kube/index.js';
import { closeWebhookServer } from './close-webhook-server.js';

// A stopped bot must stop listening even while a sender keeps a keep-alive connection busy (a load balancer,
// GitHub redelivering): plain server.close() waited for it for as long as it sent, the bot acting meanwhile.

const servers: Server[] = [];
const agents: Agent[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  for (const agent of agents.splice(0)) agent.destroy();
});

async function listening(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** One POST on the agent's connection; its answer's status, or undefined when the connection was cut. */
function postDelivery(port: number, agent: Agent): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sent = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/github/webhooks', agent }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(response.statusCode);
      });
    });
    sent.on('error', () => {
      resolve(undefined);
    });
    sent.end('{}');
  });
}

/** POSTs on one keep-alive connection, back to back, until told to stop or the server goes; returns the answers' statuses. */
function busySender(port: number): { stop: () => void; statuses: number[]; done: Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  const statuses: number[] = [];
  const state = { stopped: false };
  const done = (async () => {
    while (!state.stopped) {
      const status = await postDelivery(port, agent);
      if (status === undefined) return;
      statuses.push(status);
    }
  })();
  return {
    stop: () => {
      state.stopped = true;
    },
    statuses,
    done,
  };
}

describe('closeWebhookServer', () => {
  it('closes while a sender keeps its keep-alive connection busy, well before the grace is over', async () => {
    // Each answer takes a little while, so the connection is busy, not idle, when close() is called.
    const { server, port } = await listening((_request, response) => {
      setTimeout(() => response.writeHead(503).end('not the leader\n'), 30);
    });
    const sender = busySender(port);
    await delay(50);
    const clock = createFakeClock();
    // An object, not a let: TypeScript cannot see the promise flip it across the awaits.
    const state = { closed: false };
    const closing = closeWebhookServer(server, { clock, graceMs: 10_000, pollMs: 100 }).then(() => {
      state.closed = true;
    });
    // Each poll closes the connection the sender left idle between two answers; 2 s of the clock's time, not the grace's 10.
    for (let step = 0; step < 20 && !state.closed; step += 1) {
      await delay(20);
      await clock.advance(100);
    }
    await sender.done;
    expect(state.closed).toBe(true);
    await closing;
    expect(sender.statuses.length).toBeGreaterThan(0);
    expect(server.listening).toBe(false);
  });

  it('cuts a delivery that does not finish within the grace, and not before', async () => {
    const { server, port } = await listening(() => {
      // A handler stuck on a slow call: never answers.
    });
    const sender = busySender(port);
    await delay(50);
    const clock = createFakeClock();
    // An object, not a let: TypeScript cannot see the promise flip it across the awaits.
    const state = { closed: false };
    const closing = closeWebhookServer(server, { clock, graceMs: 10_000, pollMs: 100 }).then(() => {
      state.closed = true;
    });
    for (let step = 0; step < 99; step += 1) await clock.advance(100);
    await delay(50);
    expect(state.closed).toBe(false);
    await clock.advance(200);
    await closing;
    await sender.done;
    expect(state.closed).toBe(true);
    expect(sender.statuses).toEqual([]);
  });

  it('closes the connection a delivery in flight at close() leaves idle, at the next poll', async () => {
    // The answer of a request already being handled at close() keeps its connection alive (the close header is set only
    // for requests from then on); a long keep-alive timeout, so only the poll can close it within the test.
    const { server, port } = await listening((_request, response) => {
      setTimeout(() => response.writeHead(200).end('done\n'), 50);
    });
    server.keepAliveTimeout = 60_000;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const answered = postDelivery(port, agent);
    await delay(20);
    const clock = createFakeClock();
    const state = { closed: false };
    const closing = closeWebhookServer(server, { clock, graceMs: 10_000, pollMs: 100 }).then(() => {
      state.closed = true;
    });
    expect(await answered).toBe(200);
    await delay(20);
    // The sender sends nothing more: without the poll the idle connection would hold the server open for a minute.
    for (let step = 0; step < 50 && !state.closed; step += 1) {
      await clock.advance(100);
      await delay(20);
    }
    expect(state.closed).toBe(true);
    await closing;
    expect(server.listening).toBe(false);
  });
});
