import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ownCliInvocation } from '../../../src/local/own-cli.js';
import { isRunning } from '../../../src/local/process-supervisor.js';
import { managedProcessSchema } from '../../../src/local/types.js';
import { waitUntil } from '../../../src/local/wait-until.js';

/** `demo.json`, as the demo writes it once it is ready. */
export const demoStateSchema = z.object({
  urls: z.object({ pullRequest: z.string(), app: z.string(), dashboard: z.string(), github: z.string(), prometheus: z.string() }),
  kubeconfig: z.string(),
  demoPid: z.number().int(),
  processes: z.array(managedProcessSchema),
});
export type DemoState = z.infer<typeof demoStateSchema>;

export interface DemoProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/** The demo as a person starts it (`npm run demo -- ARGS` runs this same CLI), with free ports and its own folder. */
export function startDemoProcess(dir: string, args: string[] = []): DemoProcess {
  const cli = ownCliInvocation();
  const child = spawn(cli.command, [...cli.args, 'demo', '--dir', dir, '--dashboard-port', '0', '--app-port', '0', ...args], {
    cwd: cli.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GRADUAL_LOG_LEVEL: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' },
  });
  const chunks: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, output: () => chunks.join(''), exited };
}

/** Waits for the demo's "ready" line, then reads its demo.json. */
export async function untilDemoReady(demo: DemoProcess, stateFile: string, timeoutMs: number): Promise<DemoState> {
  await waitUntil(() => Promise.resolve(/\] ready in /u.test(demo.output()) || demo.child.exitCode !== null), {
    what: 'the demo to be ready',
    timeoutMs,
    intervalMs: 250,
  });
  if (demo.child.exitCode !== null)
    throw new Error(`the demo exited (${String(demo.child.exitCode)}) before it was ready:\n${demo.output()}`);
  return demoStateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8')));
}

/** Every process of the demo still alive: those it recorded (pid, executable and start time all matching), and any whose command line names its folder. */
export async function demoProcessesAlive(state: DemoState, dir: string): Promise<string[]> {
  const alive: string[] = [];
  for (const record of state.processes) if (await isRunning(record)) alive.push(`${record.name} (${String(record.pid)})`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/u.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(dir) && !/\) [ZX] /u.test(stat)) alive.push(`${cmdline.split('\0').join(' ').slice(0, 160)} (${entry})`);
  }
  return alive;
}
