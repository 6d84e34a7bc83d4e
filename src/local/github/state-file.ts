import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { GithubState } from './types.js';

export const stateFileName = 'github-state.json';

/** Only the envelope is checked: the records were written by this server, and a wrong version must not be half-read. */
const envelope = z.looseObject({ version: z.literal(1), nextId: z.number().int().positive() });

/** Reads the persisted state, or undefined when the folder has none yet. */
export async function readStateFile(dir: string): Promise<GithubState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, stateFileName), 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
  const parsed: unknown = JSON.parse(text);
  const checked = envelope.safeParse(parsed);
  if (!checked.success) throw new Error(`${join(dir, stateFileName)} is not a local GitHub state file: ${checked.error.message}`);
  return parsed as GithubState;
}

/** Writes the whole state atomically: a temporary file in the same folder, then a rename over the old one. */
export async function writeStateFile(dir: string, state: GithubState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, stateFileName);
  const temporary = `${target}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(temporary, target);
}
