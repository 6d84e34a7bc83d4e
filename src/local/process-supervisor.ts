import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
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
        reject(
          new SetupError(
            'PROCESS_EXITED',
            `${options.name} exited (${signal ?? `code ${String(code)}`}) before it was ready. Last lines of ${options.logFile}:\n${tail}`,
          ),
        );
      });
    });
  });
  // Callers race `exited` against readiness; a process that dies later must not become an unhandled rejection.
  exited.catch(() => undefined);
  const pid = child.pid ?? 0;
  // Read at once: the start time is fixed at fork, before the child even execs.
  const startTime = pid > 0 ? (startTimeOf(readProcStat(pid)) ?? '') : '';
  return { record: { name: options.name, pid, command: options.command, startTime, logFile: options.logFile }, exited };
}

function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return '';
  }
}

/** The fields after the command name, which may itself contain spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function startTimeOf(stat: string): string | undefined {
  // Field 22 overall; the slice starts at field 3 (state).
  return stat === '' ? undefined : statFields(stat)[19];
}

export async function logTail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Whether the recorded process is still alive *and* still ours: pids are
 * reused, so a pid is only trusted when /proc shows the same executable as
 * argv[0] and the same start time; a zombie counts as gone.
 */
export async function isRunning(record: ManagedProcess): Promise<boolean> {
  if (record.pid <= 0) return false;
  const [cmdline, stat] = await Promise.all([
    readFile(`/proc/${String(record.pid)}/cmdline`, 'utf8').catch(() => ''),
    readFile(`/proc/${String(record.pid)}/stat`, 'utf8').catch(() => ''),
  ]);
  if (cmdline === '' || stat === '') return false;
  const state = statFields(stat)[0];
  if (state === 'Z' || state === 'X') return false;
  return cmdline.split('\0')[0] === record.command && startTimeOf(stat) === record.startTime;
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
