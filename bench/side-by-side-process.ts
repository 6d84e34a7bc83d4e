// What the side-by-side benches read of a controller process: resident memory and CPU seconds from
// /proc (the same for Gradual's Node process and Argo's Go binary), and a wait until it has settled.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { rssMiB } from './local-environment.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const ticksPerSecond = 100;

/** User + system CPU seconds the process has used since it started. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name may hold spaces; the fields after its closing parenthesis start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 overall.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export interface ProcessSample {
  rssMiB: number;
  cpuSeconds: number;
}

export async function sampleProcess(pid: number): Promise<ProcessSample> {
  return { rssMiB: await rssMiB(pid), cpuSeconds: await cpuSeconds(pid) };
}

/**
 * Waits until the process used less than `idleCpuFraction` of a core over one `windowMs` (its start-up
 * syncs and trailing writes are done), at most `timeoutMs`; returns whether it settled.
 */
export async function waitSettled(
  pid: number,
  options: { windowMs?: number; idleCpuFraction?: number; timeoutMs?: number } = {},
): Promise<boolean> {
  const windowMs = options.windowMs ?? 5_000;
  const fraction = options.idleCpuFraction ?? 0.05;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let before = await cpuSeconds(pid);
  while (Date.now() < deadline) {
    await delay(windowMs);
    const after = await cpuSeconds(pid);
    if (after - before < (fraction * windowMs) / 1000) return true;
    before = after;
  }
  return false;
}

/** CPU seconds used over an idle window of `idleMs`, and the RSS at its end. */
export async function measureIdleWindow(pid: number, idleMs: number): Promise<ProcessSample> {
  const before = await cpuSeconds(pid);
  await delay(idleMs);
  const after = await sampleProcess(pid);
  return { rssMiB: after.rssMiB, cpuSeconds: after.cpuSeconds - before };
}
