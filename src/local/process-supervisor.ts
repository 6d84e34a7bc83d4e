import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { SetupError } from './errors.js';
import type { ManagedProcess } from './types.js';

export interface StartProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** A started process plus a way to notice that it died while we wait for it to become ready. */
export interface StartedProcess {
  record: ManagedProcess;
  /** Rejects with PROCESS_EXITED (and the tail of its log) if the process exits. */
  exited: Promise<never>;
}

/**
 * Starts a long-lived part of the environment detached from the caller, with
 * its output in its own log file, so `gradual local up` can return while the
 * environment keeps running and `down` (from any process) can stop it by pid.
 */
export function startProcess(options: StartProcessOptions): StartedProcess {
  const fd = openSync(options.logFile, 'a');
  let child;
  try {
    child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (cause) => {
      reject(new SetupError('PROCESS_EXITED', `${options.name} (${options.command}) could not start: ${cause.message}`, { cause }));
    });
    child.once('exit', (code, signal) => {
      void logTail(options.logFile).then((tail) => {
        reject(new SetupError('PROCESS_EXITED', `${options.name} exited (${signal ?? `code ${String(code)}`}) before it was ready. Last lines of ${options.logFile}:\n${tail}`));
      });
    });
  });
  // Callers race `exited` against readiness; a process that dies later must not become an unhandled rejection.
  exited.catch(() => undefined);
  if (child.pid === undefined) {
    return { record: { name: options.name, pid: 0, command: options.command, logFile: options.logFile }, exited };
  }
  return { record: { name: options.name, pid: child.pid, command: options.command, logFile: options.logFile }, exited };
}

export async function logTail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Whether the recorded process is still alive *and* still ours: a pid is
 * only trusted when /proc shows the same executable (pids are reused), and a
 * zombie counts as gone.
 */
export async function isRunning(record: ManagedProcess): Promise<boolean> {
  if (record.pid <= 0) return false;
  const [cmdline, stat] = await Promise.all([
    readFile(`/proc/${String(record.pid)}/cmdline`, 'utf8').catch(() => ''),
    readFile(`/proc/${String(record.pid)}/stat`, 'utf8').catch(() => ''),
  ]);
  if (cmdline === '' || stat === '') return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  const argv = cmdline.split('\0');
  return argv.includes(record.command);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(record: ManagedProcess, graceMs = 10_000): Promise<void> {
  if (!(await isRunning(record))) return;
  signal(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(record))) return;
    await delay(50);
  }
  signal(record.pid, 'SIGKILL');
  while (await isRunning(record)) await delay(50);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ESRCH') throw cause;
  }
}
