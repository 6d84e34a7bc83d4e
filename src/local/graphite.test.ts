import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { carbonPlaintextLines, renderCarbonConf, renderGraphiteWebSettings, renderStorageSchemas, sendToCarbon } from './graphite.js';

const conf = {
  storageDir: '/tmp/g/storage',
  confDir: '/tmp/g/conf',
  lineReceiverPort: 2003,
  pickleReceiverPort: 2004,
  cacheQueryPort: 7002,
};
const web = { storageDir: '/tmp/g/storage', confDir: '/tmp/g/conf', carbonlinkPort: 7002, secretKey: 'ab'.repeat(32) };

describe('carbon.conf', () => {
  test('every listener on 127.0.0.1, the folders given, no UDP, no manhole', () => {
    const text = renderCarbonConf(conf);
    expect(text).toContain('LINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = 2003\n');
    expect(text).toContain('PICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = 2004\n');
    expect(text).toContain('CACHE_QUERY_INTERFACE = 127.0.0.1\nCACHE_QUERY_PORT = 7002\n');
    expect(text).toContain('LOCAL_DATA_DIR = /tmp/g/storage/whisper/\n');
    expect(text).toContain('ENABLE_UDP_LISTENER = False\n');
    expect(text).toContain('ENABLE_MANHOLE = False\n');
    // Every interface line names loopback: nothing listens on 0.0.0.0.
    for (const line of text.split('\n').filter((l) => l.includes('_INTERFACE'))) expect(line).toMatch(/= 127\.0\.0\.1$/u);
  });

  test.each([
    ['a relative folder', { storageDir: 'storage' }],
    ['a newline that would add a setting', { storageDir: '/tmp/g\nUSER = root' }],
    ['a space', { confDir: '/tmp/my conf' }],
    ['port 0', { lineReceiverPort: 0 }],
    ['a port past 65535', { cacheQueryPort: 70000 }],
  ])('refuses %s', (_name, change) => {
    expect(() => renderCarbonConf({ ...conf, ...change })).toThrow(/Graphite (storage|configuration) folder|port/u);
  });

  test('one 1-second archive', () => {
    expect(renderStorageSchemas()).toBe('[default]\npattern = .*\nretentions = 1s:1h\n');
  });
});

describe("graphite-web's settings module", () => {
  test('its storage, carbonlink on loopback, loopback hosts only', () => {
    const text = renderGraphiteWebSettings(web);
    expect(text).toContain("STORAGE_DIR = '/tmp/g/storage'\n");
    expect(text).toContain("WHISPER_DIR = '/tmp/g/storage/whisper/'\n");
    expect(text).toContain("CARBONLINK_HOSTS = ['127.0.0.1:7002']\n");
    expect(text).toContain("ALLOWED_HOSTS = ['127.0.0.1', 'localhost']\n");
    expect(text).toContain('CLUSTER_SERVERS = []\n');
  });

  test.each([
    ['a quote that would end the Python string', { storageDir: "/tmp/g'; import os; os.system('x')#" }],
    ['a backslash', { confDir: '/tmp/g\\n' }],
    ['a secret key that is not hex', { secretKey: "x'; DEBUG = True; '" }],
  ])('refuses %s', (_name, change) => {
    expect(() => renderGraphiteWebSettings({ ...web, ...change })).toThrow(/Graphite/u);
  });
});

describe("carbon's plaintext protocol", () => {
  test('one line per point', () => {
    expect(
      carbonPlaintextLines([
        { path: 'stats.checkout.ok', value: 99.5, timestamp: 1796644500 },
        { path: 'stats.checkout-2.total_count', value: -1, timestamp: 1796644501 },
      ]),
    ).toBe('stats.checkout.ok 99.5 1796644500\nstats.checkout-2.total_count -1 1796644501\n');
  });

  test.each([
    ['a newline smuggling a second point', { path: 'a.b 1 1\nevil.metric', value: 1, timestamp: 1 }],
    ['a space', { path: 'a b', value: 1, timestamp: 1 }],
    ['an empty node', { path: 'a..b', value: 1, timestamp: 1 }],
    ['NaN', { path: 'a', value: Number.NaN, timestamp: 1 }],
    ['Infinity', { path: 'a', value: Number.POSITIVE_INFINITY, timestamp: 1 }],
    ['a fractional timestamp', { path: 'a', value: 1, timestamp: 1.5 }],
    ['a timestamp in milliseconds that is negative', { path: 'a', value: 1, timestamp: -1000 }],
  ])('refuses %s, sending nothing', (_name, point) => {
    expect(() => carbonPlaintextLines([{ path: 'ok.first', value: 1, timestamp: 1 }, point])).toThrow(/Carbon/u);
  });

  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  test('sendToCarbon writes the lines and resolves when the receiver closes', async () => {
    let received = '';
    const closed = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        socket.on('end', () => {
          socket.end();
          resolve();
        });
      });
    });
    const port = await new Promise<number>((resolve) => {
      server?.listen(0, '127.0.0.1', () => {
        const address = server?.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    await sendToCarbon(port, [{ path: 'a.b', value: 2, timestamp: 1796644500 }]);
    await closed;
    expect(received).toBe('a.b 2 1796644500\n');
  });

  test('a closed port is a NOT_READY error naming it', async () => {
    await expect(sendToCarbon(9, [{ path: 'a', value: 1, timestamp: 1 }])).rejects.toThrow(/carbon at 127\.0\.0\.1:9: .*ECONNREFUSED/u);
  });
});
