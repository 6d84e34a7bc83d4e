import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SetupError } from './errors.js';

const execFileAsync = promisify(execFile);

/** Where Debian's `prometheus` package puts the server. */
export const debianPrometheusBinary = '/usr/bin/prometheus';

/** Matches `*.json` in the targets folder; kept in one place so the temp-file name can be chosen not to match it. */
const targetFileSuffix = '.json';

// Prometheus watches the folder with inotify; the periodic re-read is only the
// fallback for events it misses (some overlay filesystems drop them).
const fileSdRefreshInterval = '1s';

const hostPortSchema = z.string().regex(/^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'expected host:port without a scheme');

function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
}

/** Prometheus durations: whole seconds stay readable, fractions go to milliseconds. */
function promDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/**
 * The prometheus.yml of the local environment: Prometheus scrapes itself and
 * every target listed in `targetsDir/*.json`, so tests and the demo add
 * backends by dropping a file, without a restart or reload.
 */
export function renderPrometheusConfig(options: { targetsDir: string; scrapeIntervalSeconds: number; selfTarget: string }): string {
  const { targetsDir, scrapeIntervalSeconds, selfTarget } = options;
  if (!Number.isFinite(scrapeIntervalSeconds) || scrapeIntervalSeconds < 0.001) {
    throw new SetupError(
      'INVALID_INPUT',
      `scrape interval must be a positive number of seconds (at least 1 ms), got ${String(scrapeIntervalSeconds)}`,
    );
  }
  // Relative paths would be resolved against the config file's folder, not the caller's cwd.
  if (!path.isAbsolute(targetsDir)) {
    throw new SetupError('INVALID_INPUT', `targets folder must be an absolute path, got "${targetsDir}"`);
  }
  // file_sd only allows a glob in the last path element; metacharacters earlier would silently match nothing.
  if (/[*?[\]]/.test(targetsDir)) {
    throw new SetupError('INVALID_INPUT', `targets folder must not contain glob characters (* ? [ ]), got "${targetsDir}"`);
  }
  const self = hostPortSchema.safeParse(selfTarget);
  if (!self.success || portOf(selfTarget) < 1 || portOf(selfTarget) > 65535) {
    throw new SetupError('INVALID_INPUT', `self target must be host:port (no scheme, port 1-65535), got "${selfTarget}"`);
  }

  const interval = promDuration(scrapeIntervalSeconds);
  const config = {
    global: {
      scrape_interval: interval,
      // A scrape must finish before the next one starts; Prometheus would clamp its 10s default to the interval, but stating it keeps the file self-explanatory.
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    scrape_configs: [
      {
        job_name: 'prometheus',
        static_configs: [{ targets: [selfTarget] }],
      },
      {
        job_name: 'local-targets',
        file_sd_configs: [{ files: [path.join(targetsDir, `*${targetFileSuffix}`)], refresh_interval: fileSdRefreshInterval }],
      },
    ],
  };
  return stringify(config);
}

const targetNameSchema = z
  .string()
  // No separators or leading dot: the file must land directly in the folder, and dot-files are reserved for temp files.
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, "_", "-", "." only; must not start with "."');

const labelNameSchema = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'Prometheus label names match [a-zA-Z_][a-zA-Z0-9_]*');

const targetGroupsSchema = z.array(
  z.object({
    targets: z.array(hostPortSchema),
    labels: z.record(labelNameSchema, z.string()).optional(),
  }),
);

export type ScrapeTargetGroup = { targets: string[]; labels?: Record<string, string> };

/**
 * Writes `targetsDir/name.json` in file_sd format and returns its path.
 * Prometheus watches the folder and may read at any moment, so the content is
 * written to a temp file that does not match `*.json` and renamed into place:
 * it never sees a half-written file.
 */
export async function writeScrapeTargets(targetsDir: string, name: string, targets: ScrapeTargetGroup[]): Promise<string> {
  const parsedName = targetNameSchema.safeParse(name);
  if (!parsedName.success) {
    throw new SetupError('INVALID_INPUT', `invalid scrape target file name "${name}": ${z.prettifyError(parsedName.error)}`);
  }
  const parsedTargets = targetGroupsSchema.safeParse(targets);
  if (!parsedTargets.success) {
    throw new SetupError('INVALID_INPUT', `invalid scrape targets for "${name}": ${z.prettifyError(parsedTargets.error)}`);
  }

  const file = path.join(targetsDir, `${name}${targetFileSuffix}`);
  const temp = path.join(targetsDir, `.${name}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(parsedTargets.data, null, 2)}\n`, { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new SetupError('ENVIRONMENT_MISSING', `scrape targets folder ${targetsDir} does not exist; is the local environment up?`, {
        cause: error,
      });
    }
    throw error;
  }
  return file;
}

/**
 * Arguments for Debian's `/usr/bin/prometheus`. Debian builds the web UI as
 * separate files (`--web.local-assets` defaults to /usr/share/prometheus/web/)
 * and its console defaults point at /etc/prometheus, all shipped by the
 * package, so no asset paths are needed here.
 */
export function prometheusArgs(options: { configFile: string; dataDir: string; listenAddress: string }): string[] {
  const { configFile, dataDir, listenAddress } = options;
  // Loopback only: the environment must never expose an unauthenticated Prometheus, and port 0 would leave the URL unknown.
  const match = /^(127\.0\.0\.1|\[::1\]|localhost):(\d{1,5})$/.exec(listenAddress);
  const port = match?.[2] === undefined ? Number.NaN : Number(match[2]);
  if (!(port >= 1 && port <= 65535)) {
    throw new SetupError(
      'INVALID_INPUT',
      `Prometheus listen address must be a loopback host:port (e.g. 127.0.0.1:9090), got "${listenAddress}"`,
    );
  }
  for (const [what, value] of [
    ['config file', configFile],
    ['data folder', dataDir],
  ] as const) {
    // The server's cwd is the spawner's business; relative paths would depend on it.
    if (!path.isAbsolute(value)) throw new SetupError('INVALID_INPUT', `Prometheus ${what} must be an absolute path, got "${value}"`);
  }
  return [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    // The environment is disposable; a short retention keeps the data folder small in a long-running demo.
    '--storage.tsdb.retention.time=1d',
    `--web.listen-address=${listenAddress}`,
    // Allows POST /-/reload after a config change and a clean POST /-/quit.
    '--web.enable-lifecycle',
    // One event per line, like our own pino logs, so the process log can be read by the same tools.
    '--log.format=json',
  ];
}

const versionLineSchema = z
  .string()
  .transform((output) => /^prometheus, version (\d+\.\d+\.\d+)\S*/m.exec(output)?.[1])
  .pipe(z.string());

/** The `x.y.z` of `prometheus --version` output; Debian appends `+ds`, which is dropped. */
export function parsePrometheusVersion(output: string): string {
  const parsed = versionLineSchema.safeParse(output);
  if (!parsed.success) {
    const firstLine = output.split('\n', 1)[0] ?? '';
    throw new SetupError('PACKAGE_UNAVAILABLE', `unrecognised "prometheus --version" output: "${firstLine.slice(0, 200)}"`);
  }
  return parsed.data;
}

export async function readPrometheusVersion(binary = debianPrometheusBinary): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000, encoding: 'utf8' }));
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES');
    const message = missing
      ? `${binary} not found or not executable; install Debian's "prometheus" package`
      : `${binary} --version failed: ${error instanceof Error ? error.message : String(error)}`;
    throw new SetupError('PACKAGE_UNAVAILABLE', message, { cause: error });
  }
  try {
    return parsePrometheusVersion(stdout);
  } catch (error) {
    throw new SetupError('PACKAGE_UNAVAILABLE', `${binary}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const readyPollDelayMs = 100;
// One hung connection must not eat the whole budget.
const readyRequestTimeoutMs = 2_000;

/**
 * Resolves once `${url}/-/ready` answers 200. Prometheus answers 503 while it
 * replays its write-ahead log, and refuses connections before it listens; both
 * are retried until `timeoutMs`.
 */
export async function waitForPrometheusReady(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const readyUrl = `${url.replace(/\/+$/, '')}/-/ready`;
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no attempt made';
  let lastCause: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    const requestSignals = [AbortSignal.timeout(Math.max(1, Math.min(readyRequestTimeoutMs, remaining)))];
    if (options.signal) requestSignals.push(options.signal);
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.any(requestSignals) });
      // Read the body so the connection is released before the next attempt.
      const body = await response.text();
      if (response.status === 200) return;
      last = `HTTP ${String(response.status)} ${body.trim().slice(0, 200)}`;
      lastCause = undefined;
    } catch (error) {
      options.signal?.throwIfAborted();
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      last = cause instanceof Error ? cause.message : String(cause);
      lastCause = error;
    }
    if (Date.now() + readyPollDelayMs >= deadline) break;
    try {
      await delay(readyPollDelayMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      // Surface the caller's abort reason, as the checks above do, rather than the timer's AbortError.
      options.signal?.throwIfAborted();
      throw error;
    }
  }
  throw new SetupError('NOT_READY', `Prometheus at ${readyUrl} not ready after ${String(options.timeoutMs)} ms; last: ${last}`, {
    cause: lastCause,
    retryable: true,
  });
}
