import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../log/index.js';
import { infraModulesDir } from './binaries.js';
import { SetupError } from './errors.js';
import { ensureGoBuild } from './go-build.js';
import { allocatePorts } from './ports.js';
import { startProcess } from './process-supervisor.js';
import type { ManagedProcess } from './types.js';
import { waitUntil } from './wait-until.js';

/*
 * A real InfluxDB that answers Flux for the `influxdb` metric provider's tests (issue 26:
 * "Graphite and InfluxDB run for real"). Debian ships influxdb 1.6.7, which has no
 * /api/v2/query (it answers 404: Flux reached the 1.x server in 1.8). InfluxDB 1.8 builds
 * from Go modules alone: its Flux (v0.65) parses in Go unless built with the `libflux` tag,
 * so no Rust is needed. Built once into the Go build cache like the control plane, and
 * started on demand by the tests that need it, not by `local up`.
 */

export const influxdbVersion = 'v1.8.10';
export const influxdbModule = 'github.com/influxdata/influxdb';
export const influxdbWrapperDir = join(infraModulesDir, 'influxdb');

/** Builds (once, cached under the build lock) `influxd` at the pinned version and returns its path. */
export async function ensureInfluxdbBinary(options: { cacheRoot: string; logger: Logger }): Promise<string> {
  const binDir = await ensureGoBuild(
    {
      name: 'influxdb',
      version: influxdbVersion,
      moduleDir: influxdbWrapperDir,
      packages: [`${influxdbModule}/cmd/influxd`],
      ldflags: ['-s', '-w', `-X main.version=${influxdbVersion.replace(/^v/u, '')}`],
    },
    options,
  );
  return join(binDir, 'influxd');
}

const safePath = /^\/[A-Za-z0-9_./-]*$/u;

function checkPort(what: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SetupError('INVALID_INPUT', `InfluxDB ${what} must be a port from 1 to 65535, got ${String(port)}`);
}

/**
 * influxd's TOML: its data in `dir`, HTTP and the RPC bind on 127.0.0.1, Flux on, authentication
 * on (the provider's token is `user:password` there), no usage reporting, no other listeners.
 */
export function renderInfluxdbConf(options: { dir: string; httpPort: number; rpcPort: number }): string {
  if (!safePath.test(options.dir))
    throw new SetupError(
      'INVALID_INPUT',
      `InfluxDB folder must be an absolute path of letters, digits and . _ / - only, got ${JSON.stringify(options.dir)}`,
    );
  checkPort('HTTP port', options.httpPort);
  checkPort('RPC port', options.rpcPort);
  const dir = options.dir.replace(/\/+$/u, '');
  return [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${String(options.rpcPort)}"`,
    '',
    '[meta]',
    `  dir = "${dir}/meta"`,
    '',
    '[data]',
    `  dir = "${dir}/data"`,
    `  wal-dir = "${dir}/wal"`,
    '  query-log-enabled = false',
    '',
    '[monitor]',
    '  store-enabled = false',
    '',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${String(options.httpPort)}"`,
    '  auth-enabled = true',
    '  flux-enabled = true',
    '  log-enabled = false',
    '  unix-socket-enabled = false',
    '',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
}

export interface LocalInfluxdb {
  /** The HTTP base URL: the `address` of the provider's Secret. */
  url: string;
  /** The `X-Influxdb-Version` header of /ping, e.g. `1.8.10`. */
  version: string;
  /** An admin's `user:password`: the `authToken` InfluxDB 1.8's v2 API takes. */
  token: string;
  /** A database made at start-up, with its default retention policy: Flux's bucket `<database>/autogen`. */
  database: string;
}

export interface StartInfluxdbOptions {
  dir: string;
  cacheRoot: string;
  logger: Logger;
  /** The process is pushed here as it starts, so the caller can stop it (also when start-up fails). */
  started: ManagedProcess[];
  /** For influxd to answer /ping once built; generous, the machine is shared. */
  timeoutMs?: number;
}

const adminUser = 'gradual';
const database = 'gradual';

/** Builds (first time) and starts influxd on loopback ports, makes an admin and a database. */
export async function startInfluxdb(options: StartInfluxdbOptions): Promise<LocalInfluxdb> {
  const { logger, started } = options;
  const dir = resolve(options.dir);
  const binary = await ensureInfluxdbBinary({ cacheRoot: options.cacheRoot, logger });
  await mkdir(join(dir, 'logs'), { recursive: true });
  const ports = await allocatePorts({ http: undefined, rpc: undefined });
  const configFile = join(dir, 'influxdb.conf');
  await writeFile(configFile, renderInfluxdbConf({ dir, httpPort: ports.http, rpcPort: ports.rpc }));
  const process = startProcess({
    name: 'influxd',
    command: binary,
    args: ['run', '-config', configFile],
    logFile: join(dir, 'logs', 'influxd.log'),
    cwd: dir,
  });
  started.push(process.record);
  const url = `http://127.0.0.1:${String(ports.http)}`;
  let version = '';
  await waitUntil(
    async () => {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`/ping answered HTTP ${String(response.status)}`);
      version = response.headers.get('x-influxdb-version') ?? '';
      return true;
    },
    { what: `influxd at ${url} (log: ${process.record.logFile})`, timeoutMs: options.timeoutMs ?? 180_000, abortOn: [process.exited] },
  );
  // A fresh password per start: the token never outlives the environment's folder.
  const password = randomBytes(18).toString('hex');
  const token = `${adminUser}:${password}`;
  // With no user yet, InfluxDB 1.x takes one admin creation without credentials; everything after needs them.
  await influxql(url, undefined, `CREATE USER ${adminUser} WITH PASSWORD '${password}' WITH ALL PRIVILEGES`);
  await influxql(url, token, `CREATE DATABASE ${database}`);
  logger.info({ component: 'influxdb', url, version }, 'ready');
  return { url, version, token, database };
}

async function influxql(url: string, token: string | undefined, statement: string): Promise<void> {
  const response = await fetch(`${url}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token === undefined ? {} : { authorization: `Token ${token}` }) },
    body: new URLSearchParams({ q: statement }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  // The statement may hold the password: name only its first words.
  const what = statement.split(' ').slice(0, 2).join(' ');
  if (response.status !== 200 || body.includes('"error"'))
    throw new SetupError(
      'NOT_READY',
      `InfluxDB ${what} failed: HTTP ${String(response.status)} ${body.replaceAll(/'[^']*'/gu, "'*****'").slice(0, 300)}`,
    );
}

/** One point of InfluxDB's line protocol, `<measurement>,<tags> value=<v> <seconds>`. */
export interface InfluxPoint {
  measurement: string;
  tags?: Record<string, string>;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/u;

/** The line protocol text (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/). Pure. */
export function influxLines(points: readonly InfluxPoint[]): string {
  return points
    .map(({ measurement, tags = {}, value, timestamp }) => {
      // Names and tag values are plain identifiers: no space, comma, equals or newline can start another field or line.
      for (const name of [measurement, ...Object.keys(tags), ...Object.values(tags)])
        if (!identifier.test(name))
          throw new SetupError('INVALID_INPUT', `InfluxDB names and tag values must be plain identifiers, got ${JSON.stringify(name)}`);
      if (!Number.isFinite(value))
        throw new SetupError('INVALID_INPUT', `InfluxDB value for ${measurement} must be finite, got ${String(value)}`);
      if (!Number.isInteger(timestamp) || timestamp <= 0)
        throw new SetupError('INVALID_INPUT', `InfluxDB timestamp for ${measurement} must be whole seconds, got ${String(timestamp)}`);
      const tagText = Object.entries(tags)
        .map(([key, tagValue]) => `,${key}=${tagValue}`)
        .join('');
      // A float field whatever the number: a whole number written as `1` would be a float too, but `1i` an integer; keep one type per field.
      return `${measurement}${tagText} value=${Number.isInteger(value) ? `${String(value)}.0` : String(value)} ${String(timestamp)}`;
    })
    .join('\n');
}

/** Writes points into the environment's database (precision seconds). */
export async function writeInfluxPoints(influx: LocalInfluxdb, points: readonly InfluxPoint[]): Promise<void> {
  const response = await fetch(`${influx.url}/write?db=${influx.database}&precision=s`, {
    method: 'POST',
    headers: { authorization: `Token ${influx.token}`, 'content-type': 'text/plain' },
    body: influxLines(points),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (response.status !== 204) throw new SetupError('NOT_READY', `InfluxDB write: HTTP ${String(response.status)} ${body.slice(0, 300)}`);
}
