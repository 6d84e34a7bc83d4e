import { mkdir, writeFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SetupError } from './errors.js';

/**
 * Build products live outside the work tree so a fresh clone reuses them and
 * nothing built is ever committed. GRADUAL_CACHE_DIR overrides the location.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['GRADUAL_CACHE_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'gradual');
}

/** Creates `dir` if needed and proves it writable by writing a probe file; fails with CACHE_NOT_WRITABLE otherwise. */
export async function ensureWritableDir(dir: string, what = 'cache folder'): Promise<void> {
  const probe = join(dir, `.write-probe-${String(process.pid)}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SetupError('CACHE_NOT_WRITABLE', `The ${what} ${dir} is not writable (${code}). Set GRADUAL_CACHE_DIR to a writable folder.`, { cause });
  }
}
