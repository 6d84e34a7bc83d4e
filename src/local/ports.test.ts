import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupError } from './errors.js';
import { allocatePorts } from './ports.js';

const servers: Server[] = [];

async function holdPort(port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, resolve);
  });
  return (server.address() as AddressInfo).port;
}

/** A port that was free a moment ago: bound by the kernel, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** Whether a port can be bound on loopback right now: proves allocatePorts released what it held. */
async function canBind(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1' }, () =>
      server.close(() => {
        resolve(true);
      }),
    );
  });
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        ),
    ),
  );
});

describe('allocatePorts', () => {
  it('gives every undefined entry a distinct, bindable port and releases them all', async () => {
    const ports = await allocatePorts({
      apiServer: undefined,
      etcd: undefined,
      etcdPeer: undefined,
      prometheus: undefined,
      git: undefined,
    });

    const values = Object.values(ports);
    expect(Object.keys(ports).sort()).toEqual(['apiServer', 'etcd', 'etcdPeer', 'git', 'prometheus']);
    expect(new Set(values).size).toBe(values.length);
    for (const port of values) {
      expect(port).toBeGreaterThan(0);
      expect(await canBind(port)).toBe(true);
    }
  });

  it('returns a requested free port as-is, next to kernel-chosen ones', async () => {
    const wanted = await freePort();

    const ports = await allocatePorts({ apiServer: wanted, etcd: undefined });

    expect(ports.apiServer).toBe(wanted);
    expect(ports.etcd).not.toBe(wanted);
    expect(await canBind(wanted)).toBe(true);
  });

  it('rejects an occupied requested port with PORT_IN_USE naming the port and the entry, and releases the others', async () => {
    const occupied = await holdPort();
    const before = await freePort();

    const error: unknown = await allocatePorts({ etcd: before, prometheus: occupied }).catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'PORT_IN_USE', retryable: false });
    const message = (error as SetupError).message;
    expect(message).toContain(String(occupied));
    expect(message).toContain('prometheus');
    expect(message).toContain('EADDRINUSE');
    // The entry before the failing one was held while choosing; it must be free again afterwards.
    expect(await canBind(before)).toBe(true);
  });

  it('rejects the same port requested for two entries with PORT_IN_USE naming the second entry', async () => {
    const wanted = await freePort();

    await expect(allocatePorts({ first: wanted, second: wanted })).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringMatching(new RegExp(`Port ${String(wanted)} asked for second`)) as unknown,
    });
  });
});
