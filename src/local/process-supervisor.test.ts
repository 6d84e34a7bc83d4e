import { watch } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SetupError } from './errors.js';
import { isRunning, logTail, startProcess, stopProcess, type StartedProcess } from './process-supervisor.js';

let dir: string;
const started: StartedProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradual-supervisor-'));
});

afterEach(() => {
  // A failed assertion must not leave a sleeper behind.
  for (const { record } of started.splice(0)) {
    try {
      if (record.pid > 0) process.kill(record.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(name: string, command: string, args: readonly string[]): StartedProcess {
  const child = startProcess({ name, command, args, logFile: join(dir, `${name}.log`) });
  started.push(child);
  return child;
}

/** The process state letter from /proc/<pid>/stat, or undefined when /proc has no entry. */
async function procState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('startProcess, isRunning and stopProcess', () => {
  it('runs a detached process, sees it running, stops it, and then sees it gone', async () => {
    const sleeper = start('sleeper', '/bin/sleep', ['30']);
    const { pid } = sleeper.record;

    expect(sleeper.record).toEqual({
      name: 'sleeper',
      pid,
      command: '/bin/sleep',
      startTime: expect.stringMatching(/^\d+$/) as unknown,
      logFile: join(dir, 'sleeper.log'),
    });
    expect(pid).toBeGreaterThan(0);
    expect(await isRunning(sleeper.record)).toBe(true);
    expect(await readFile(`/proc/${String(pid)}/cmdline`, 'utf8')).toBe('/bin/sleep\u000030\u0000');

    await stopProcess(sleeper.record, 5_000);

    expect(await isRunning(sleeper.record)).toBe(false);
    expect([undefined, 'Z']).toContain(await procState(pid));
    await expect(sleeper.exited).rejects.toMatchObject({ code: 'PROCESS_EXITED', message: expect.stringContaining('SIGTERM') as unknown });
  });

  it('kills with SIGKILL a process that ignores SIGTERM once the grace period is over', async () => {
    // The child logs "trapped" only after installing its handler, so the test knows the TERM will be ignored.
    const stubborn = start('stubborn', process.execPath, [
      '-e',
      "process.on('SIGTERM', () => {}); console.log('trapped'); setInterval(() => {}, 1000);",
    ]);
    const logFile = stubborn.record.logFile;
    await waitForLog(logFile, 'trapped');

    await stopProcess(stubborn.record, 200);

    expect(await isRunning(stubborn.record)).toBe(false);
    await expect(stubborn.exited).rejects.toMatchObject({ code: 'PROCESS_EXITED', message: expect.stringContaining('SIGKILL') as unknown });
  });

  it.each([
    { case: 'another executable', command: '/usr/bin/other-program' },
    { case: 'a prefix of the real executable', command: '/bin/slee' },
    { case: 'the bare name of the real executable', command: 'sleep' },
  ])('does not trust a pid whose /proc cmdline does not match the record ($case)', async ({ command }) => {
    const sleeper = start('reused', '/bin/sleep', ['30']);
    const impostor = { ...sleeper.record, command };

    expect(await isRunning(sleeper.record)).toBe(true);
    expect(await isRunning(impostor)).toBe(false);

    // Stopping the impostor record must leave the real process alone.
    await stopProcess(impostor, 100);
    expect(await isRunning(sleeper.record)).toBe(true);
  });

  it('does not trust a pid whose start time differs from the record (the pid was reused)', async () => {
    const sleeper = start('restarted', '/bin/sleep', ['30']);
    const reused = { ...sleeper.record, startTime: String(Number(sleeper.record.startTime) - 1) };
    expect(await isRunning(reused)).toBe(false);
    await stopProcess(reused, 100);
    expect(await isRunning(sleeper.record)).toBe(true);
  });

  it.each([
    { case: 'pid 0', pid: 0 },
    { case: 'a pid that does not exist', pid: 2 ** 22 + 1 },
  ])('is not running for $case', async ({ pid }) => {
    expect(await isRunning({ name: 'ghost', pid, command: '/bin/sleep', startTime: '1', logFile: join(dir, 'ghost.log') })).toBe(false);
  });
});

describe('exited', () => {
  it('rejects with PROCESS_EXITED, the exit code and the tail of the log when the process exits at once', async () => {
    const failing = start('boomer', '/bin/sh', ['-c', 'echo starting; echo boom >&2; exit 3']);

    const error: unknown = await failing.exited.catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'PROCESS_EXITED' });
    const message = (error as SetupError).message;
    expect(message).toContain('boomer');
    expect(message).toContain('code 3');
    expect(message).toContain('boom');
    expect(message).toContain(failing.record.logFile);
    expect(await isRunning(failing.record)).toBe(false);
  });

  it('rejects with PROCESS_EXITED when the executable does not exist', async () => {
    const missing = start('missing', join(dir, 'no-such-binary'), []);

    const error: unknown = await missing.exited.catch((cause: unknown) => cause);

    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code: 'PROCESS_EXITED' });
    expect((error as SetupError).message).toContain(join(dir, 'no-such-binary'));
    expect((error as SetupError).message).toContain('ENOENT');
    expect(missing.record.pid).toBe(0);
    expect(await isRunning(missing.record)).toBe(false);
  });
});

describe('logTail', () => {
  it.each([
    { lines: 2, expected: 'c\nd' },
    { lines: 20, expected: 'a\nb\nc\nd' },
  ])('keeps the last $lines lines', async ({ lines, expected }) => {
    const file = join(dir, `tail-${String(lines)}.log`);
    await writeFile(file, 'a\nb\nc\nd\n\n');

    expect(await logTail(file, lines)).toBe(expected);
  });

  it('is empty for a missing file', async () => {
    expect(await logTail(join(dir, 'never-written.log'))).toBe('');
  });
});

/** Bounded wait for a line the child writes to its log: the child's own signal that it reached a point. */
async function waitForLog(file: string, text: string, timeoutMs = 5_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // Watch first, then look: a line written in between still triggers a look.
    const watcher = watch(file, () => {
      look();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} did not show "${text}" within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    function look(): void {
      void readFile(file, 'utf8').then((content) => {
        if (!content.includes(text)) return;
        clearTimeout(timer);
        watcher.close();
        resolve();
      });
    }
    look();
  });
}
