import { createServer, type Server } from 'node:net';
import { SetupError } from './errors.js';

const loopback = '127.0.0.1';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: loopback, exclusive: true }, () => {
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/**
 * Ports for every part of one environment. A port the user asked for must be
 * free (PORT_IN_USE otherwise, before anything starts); the rest are chosen by
 * the kernel. All are held open together while choosing so they are distinct.
 */
export async function allocatePorts<Name extends string>(requested: Record<Name, number | undefined>): Promise<Record<Name, number>> {
  const held: Server[] = [];
  const chosen: Partial<Record<Name, number>> = {};
  try {
    // Requested ports first, so a port the kernel picks for another part can never take one a person asked for.
    const names = (Object.keys(requested) as Name[]).sort(
      (a, b) => Number(requested[a] === undefined) - Number(requested[b] === undefined),
    );
    for (const name of names) {
      const want = requested[name];
      let server: Server;
      try {
        server = await listen(want ?? 0);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
        throw new SetupError(
          'PORT_IN_USE',
          `Port ${String(want)} asked for ${name} on ${loopback} cannot be used (${code}). Choose another port or leave it out to get a free one.`,
          { cause },
        );
      }
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error(`no TCP address for ${name}`);
      chosen[name] = address.port;
    }
  } finally {
    await Promise.all(held.map(close));
  }
  return chosen as Record<Name, number>;
}
