import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
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
    await makeDirectories(dir);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SetupError(
      'CACHE_NOT_WRITABLE',
      `The ${what} ${dir} is not writable (${code}). Set GRADUAL_CACHE_DIR to a writable folder.`,
      { cause },
    );
  }
}

/**
 * `mkdir -p` one level at a time. Node 20's recursive mkdir never settles for
 * a path under /proc (it loops between ENOENT and EEXIST), which would hang
 * set-up instead of reporting an unusable cache folder.
 */
async function makeDirectories(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw cause;
    await makeDirectories(dirname(dir));
    await mkdir(dir).catch((again: unknown) => {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    });
  }
}
