import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { influxdbModule, influxdbVersion, influxdbWrapperDir, influxLines, renderInfluxdbConf } from './influxdb.js';

describe('influxd configuration', () => {
  test('HTTP and RPC on 127.0.0.1, Flux and authentication on, no reporting, no unix socket', () => {
    const text = renderInfluxdbConf({ dir: '/tmp/i', httpPort: 8086, rpcPort: 8088 });
    expect(text).toContain('reporting-disabled = true\nbind-address = "127.0.0.1:8088"\n');
    expect(text).toContain('  bind-address = "127.0.0.1:8086"\n  auth-enabled = true\n  flux-enabled = true\n');
    expect(text).toContain('  unix-socket-enabled = false\n');
    expect(text).toContain('  dir = "/tmp/i/meta"\n');
    for (const line of text.split('\n').filter((l) => l.includes('bind-address'))) expect(line).toMatch(/"127\.0\.0\.1:\d+"$/u);
  });

  test.each([
    ['a quote that would end the TOML string', { dir: '/tmp/i"\nauth-enabled = false' }],
    ['a relative folder', { dir: 'data' }],
    ['port 0', { httpPort: 0 }],
  ])('refuses %s', (_name, change) => {
    expect(() => renderInfluxdbConf({ dir: '/tmp/i', httpPort: 8086, rpcPort: 8088, ...change })).toThrow(/InfluxDB/u);
  });

  test('the wrapper module requires the pinned InfluxDB', async () => {
    const goMod = await readFile(join(influxdbWrapperDir, 'go.mod'), 'utf8');
    expect(goMod).toMatch(new RegExp(`^\\s*${influxdbModule.replaceAll('.', '\\.')} ${influxdbVersion.replaceAll('.', '\\.')}\\b`, 'mu'));
  });
});

describe('line protocol', () => {
  test('a float field per point, tags, seconds', () => {
    expect(
      influxLines([
        { measurement: 'latency', tags: { app: 'shop' }, value: 12.5, timestamp: 1796644500 },
        { measurement: 'errors', value: 3, timestamp: 1796644501 },
      ]),
    ).toBe('latency,app=shop value=12.5 1796644500\nerrors value=3.0 1796644501');
  });

  test.each([
    ['a newline smuggling another point', { measurement: 'a value=1 1\nb', value: 1, timestamp: 1 }],
    ['a comma adding a tag', { measurement: 'a', tags: { app: 'x,admin=true' }, value: 1, timestamp: 1 }],
    ['NaN', { measurement: 'a', value: Number.NaN, timestamp: 1 }],
    ['a fractional timestamp', { measurement: 'a', value: 1, timestamp: 1.5 }],
  ])('refuses %s', (_name, point) => {
    expect(() => influxLines([point])).toThrow(/InfluxDB/u);
  });
});
