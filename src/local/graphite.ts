import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import { ensureDebianPackages } from './debian-packages.js';
import { SetupError } from './errors.js';
import { allocatePorts } from './ports.js';
import { startProcess } from './process-supervisor.js';
import type { ManagedProcess } from './types.js';
import { waitUntil } from './wait-until.js';

/*
 * A real Graphite for the `graphite` metric provider's tests (issue 26: "Graphite and InfluxDB
 * run for real"): Debian's graphite-carbon (carbon-cache, fed through its plaintext protocol)
 * and graphite-web (the Django app that answers /render), both on loopback ports with their
 * own configuration and storage in one folder, nothing read from /etc/carbon or /etc/graphite.
 * Started on demand by the tests that need it, not by `local up`: the two Python processes cost
 * seconds and memory that no other test needs.
 */

/** Debian packages the local Graphite runs: carbon-cache, and graphite-web with Django and whisper. */
export const graphitePackages = ['graphite-carbon', 'graphite-web'] as const;

/**
 * Debian's interpreter, by full path: the PATH may lead to another Python without Django
 * (pyenv does here). It is also argv[0] of both processes, which `isRunning` checks.
 */
export const debianPython = '/usr/bin/python3';
export const debianCarbonCache = '/usr/bin/carbon-cache';

// Letters, digits and . _ / - only: the paths go into an INI file and a Python literal, where a
// newline, quote or backslash would change what is configured.
const safePath = /^\/[A-Za-z0-9_./-]*$/u;

function checkPath(what: string, value: string): void {
  if (!path.isAbsolute(value) || !safePath.test(value)) {
    throw new SetupError(
      'INVALID_INPUT',
      `Graphite ${what} must be an absolute path of letters, digits and . _ / - only, got ${JSON.stringify(value)}`,
    );
  }
}

function checkPort(what: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SetupError('INVALID_INPUT', `Graphite ${what} must be a port from 1 to 65535, got ${String(port)}`);
}

export interface CarbonConfOptions {
  storageDir: string;
  confDir: string;
  lineReceiverPort: number;
  pickleReceiverPort: number;
  /** carbonlink: graphite-web asks it for points still in carbon's cache, not yet written to whisper. */
  cacheQueryPort: number;
}

/** carbon.conf's [cache] section: every listener on 127.0.0.1, no UDP, no manhole, no user switch. */
export function renderCarbonConf(options: CarbonConfOptions): string {
  checkPath('storage folder', options.storageDir);
  checkPath('configuration folder', options.confDir);
  checkPort('line receiver port', options.lineReceiverPort);
  checkPort('pickle receiver port', options.pickleReceiverPort);
  checkPort('cache query port', options.cacheQueryPort);
  const storage = options.storageDir.replace(/\/+$/u, '');
  return [
    '[cache]',
    `STORAGE_DIR = ${storage}/`,
    `LOCAL_DATA_DIR = ${storage}/whisper/`,
    `CONF_DIR = ${options.confDir.replace(/\/+$/u, '')}/`,
    `LOG_DIR = ${storage}/log/carbon/`,
    `PID_DIR = ${storage}/`,
    'DATABASE = whisper',
    'ENABLE_LOGROTATION = False',
    // Empty: run as whoever starts it (Debian's file says _graphite, which needs root and that user's folders).
    'USER =',
    'LINE_RECEIVER_INTERFACE = 127.0.0.1',
    `LINE_RECEIVER_PORT = ${String(options.lineReceiverPort)}`,
    'ENABLE_UDP_LISTENER = False',
    'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
    `PICKLE_RECEIVER_PORT = ${String(options.pickleReceiverPort)}`,
    'USE_INSECURE_UNPICKLER = False',
    'CACHE_QUERY_INTERFACE = 127.0.0.1',
    `CACHE_QUERY_PORT = ${String(options.cacheQueryPort)}`,
    'ENABLE_MANHOLE = False',
    'LOG_UPDATES = False',
    '',
  ].join('\n');
}

/**
 * One archive, 1-second points kept an hour: a test writes points a few seconds apart and reads
 * them back unaggregated. Whisper refuses points older than the longest retention.
 */
export function renderStorageSchemas(): string {
  return ['[default]', 'pattern = .*', 'retentions = 1s:1h', ''].join('\n');
}

export interface GraphiteWebSettingsOptions {
  storageDir: string;
  confDir: string;
  carbonlinkPort: number;
  secretKey: string;
}

/** graphite-web's local settings module (GRAPHITE_SETTINGS_MODULE): its storage, carbonlink and host checks. */
export function renderGraphiteWebSettings(options: GraphiteWebSettingsOptions): string {
  checkPath('storage folder', options.storageDir);
  checkPath('configuration folder', options.confDir);
  checkPort('carbonlink port', options.carbonlinkPort);
  if (!/^[0-9a-f]{32,128}$/u.test(options.secretKey))
    throw new SetupError('INVALID_INPUT', 'Graphite secret key must be 32 to 128 hex digits');
  const storage = options.storageDir.replace(/\/+$/u, '');
  const literal = (value: string): string => `'${value}'`;
  return [
    '# Written by gradual local (src/local/graphite.ts); read by graphite.settings.',
    `SECRET_KEY = ${literal(options.secretKey)}`,
    `STORAGE_DIR = ${literal(storage)}`,
    `WHISPER_DIR = ${literal(`${storage}/whisper/`)}`,
    `LOG_DIR = ${literal(`${storage}/log/webapp`)}`,
    `INDEX_FILE = ${literal(`${storage}/index`)}`,
    `CONF_DIR = ${literal(options.confDir.replace(/\/+$/u, ''))}`,
    `CARBONLINK_HOSTS = [${literal(`127.0.0.1:${String(options.carbonlinkPort)}`)}]`,
    // No cluster, no memcached: graphite-web reads this machine's whisper files and carbon only.
    'CLUSTER_SERVERS = []',
    'MEMCACHE_HOSTS = []',
    "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']",
    'LOG_ROTATION = False',
    'DEBUG = False',
    '',
  ].join('\n');
}

/** One datapoint for carbon's plaintext protocol: `<path> <value> <timestamp>\n`. */
export interface CarbonPoint {
  path: string;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

// Graphite's plain metric names: dot-separated nodes. No whitespace, so a name cannot end its line early and smuggle in another datapoint.
const metricPath = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/u;

/** The plaintext protocol's lines (https://graphite.readthedocs.io/en/1.1.8/feeding-carbon.html#the-plaintext-protocol). Pure. */
export function carbonPlaintextLines(points: readonly CarbonPoint[]): string {
  return points
    .map(({ path: name, value, timestamp }) => {
      if (!metricPath.test(name))
        throw new SetupError(
          'INVALID_INPUT',
          `Carbon metric path must be dot-separated letters, digits, _ and -, got ${JSON.stringify(name)}`,
        );
      if (!Number.isFinite(value))
        throw new SetupError('INVALID_INPUT', `Carbon value for ${name} must be a finite number, got ${String(value)}`);
      if (!Number.isInteger(timestamp) || timestamp <= 0)
        throw new SetupError(
          'INVALID_INPUT',
          `Carbon timestamp for ${name} must be whole seconds since the epoch, got ${String(timestamp)}`,
        );
      return `${name} ${String(value)} ${String(timestamp)}\n`;
    })
    .join('');
}

/** Sends points to carbon's plaintext receiver on 127.0.0.1 and resolves once carbon has closed the connection's other side. */
export async function sendToCarbon(port: number, points: readonly CarbonPoint[]): Promise<void> {
  checkPort('line receiver port', port);
  const text = carbonPlaintextLines(points);
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end(text);
    });
    socket.setTimeout(10_000, () => {
      socket.destroy(new SetupError('NOT_READY', `carbon at 127.0.0.1:${String(port)} did not take the points in 10 s`));
    });
    socket.on('error', (cause) => {
      reject(new SetupError('NOT_READY', `sending to carbon at 127.0.0.1:${String(port)}: ${cause.message}`, { cause }));
    });
    socket.on('close', (hadError) => {
      if (!hadError) resolve();
    });
    // Carbon sends nothing back; reading lets the socket see the server's end.
    socket.resume();
  });
}

export interface LocalGraphite {
  /** graphite-web's base URL: the `address` of a graphite metric. */
  url: string;
  /** graphite-web's own `/version/` answer, e.g. `1.1.8`. */
  version: string;
  /** carbon-cache's plaintext receiver (127.0.0.1). */
  carbonPlaintextPort: number;
  dir: string;
}

export interface StartGraphiteOptions {
  /** An empty or new folder for the configuration, whisper files and logs. */
  dir: string;
  logger: Logger;
  /** Each process is pushed here as it starts, so the caller can stop them (also when start-up fails). */
  started: ManagedProcess[];
  /** For each of the two processes to answer; generous, the machine is shared. */
  timeoutMs?: number;
}

/** Starts carbon-cache and graphite-web on loopback ports; installs Debian's packages first when missing. */
export async function startGraphite(options: StartGraphiteOptions): Promise<LocalGraphite> {
  const { logger, started } = options;
  const timeoutMs = options.timeoutMs ?? 180_000;
  const dir = path.resolve(options.dir);
  await ensureDebianPackages(graphitePackages, logger);
  const confDir = path.join(dir, 'conf');
  const storageDir = path.join(dir, 'storage');
  const logsDir = path.join(dir, 'logs');
  for (const folder of [confDir, path.join(storageDir, 'whisper'), path.join(storageDir, 'log', 'webapp'), logsDir])
    await mkdir(folder, { recursive: true });
  const ports = await allocatePorts({ line: undefined, pickle: undefined, cacheQuery: undefined, web: undefined });

  const carbonConf = path.join(confDir, 'carbon.conf');
  await writeFile(
    carbonConf,
    renderCarbonConf({
      storageDir,
      confDir,
      lineReceiverPort: ports.line,
      pickleReceiverPort: ports.pickle,
      cacheQueryPort: ports.cacheQuery,
    }),
  );
  await writeFile(path.join(confDir, 'storage-schemas.conf'), renderStorageSchemas());
  const settingsModule = 'gradual_graphite_settings';
  await writeFile(
    path.join(confDir, `${settingsModule}.py`),
    renderGraphiteWebSettings({ storageDir, confDir, carbonlinkPort: ports.cacheQuery, secretKey: randomBytes(32).toString('hex') }),
  );

  const carbon = startProcess({
    name: 'carbon-cache',
    command: debianPython,
    args: [
      debianCarbonCache,
      `--config=${carbonConf}`,
      `--pidfile=${path.join(storageDir, 'carbon-cache.pid')}`,
      '--nodaemon',
      '--logfile=-',
      'start',
    ],
    logFile: path.join(logsDir, 'carbon-cache.log'),
    cwd: dir,
  });
  started.push(carbon.record);
  await waitUntil(() => canConnect(ports.line), {
    what: `carbon-cache's plaintext receiver on 127.0.0.1:${String(ports.line)} (log: ${carbon.record.logFile})`,
    timeoutMs,
    abortOn: [carbon.exited],
  });

  const web = startProcess({
    name: 'graphite-web',
    command: debianPython,
    // Django's own server: graphite-web's /render needs no more, and Debian ships it with python3-django.
    args: ['-m', 'django', 'runserver', '--noreload', `127.0.0.1:${String(ports.web)}`],
    logFile: path.join(logsDir, 'graphite-web.log'),
    cwd: dir,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      // Only our settings folder: PYTHONPATH and PYTHONHOME from the caller could lead to another Django.
      PYTHONPATH: confDir,
      DJANGO_SETTINGS_MODULE: 'graphite.settings',
      GRAPHITE_SETTINGS_MODULE: settingsModule,
    },
  });
  started.push(web.record);
  const url = `http://127.0.0.1:${String(ports.web)}`;
  let version = '';
  await waitUntil(
    async () => {
      const response = await fetch(`${url}/version/`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.text()).trim();
      if (response.status !== 200) throw new Error(`HTTP ${String(response.status)} ${body.slice(0, 200)}`);
      version = body;
      return true;
    },
    { what: `graphite-web at ${url} (log: ${web.record.logFile})`, timeoutMs, abortOn: [web.exited, carbon.exited] },
  );
  logger.info({ component: 'graphite', url, version, carbonPlaintextPort: ports.line }, 'ready');
  return { url, version, carbonPlaintextPort: ports.line, dir };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', reject);
  });
}
