import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../../src/local/run-command.js';

const harness = fileURLToPath(new URL('./argo-cd-health.lua', import.meta.url));

/** A JSON value as a Lua expression: null is nil, arrays are sequences, strings byte-escaped (Lua has no \u escape in 5.1). */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    let out = '"';
    for (const byte of Buffer.from(value, 'utf8'))
      out +=
        byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
    return `${out}"`;
  }
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, entry]) => `[${toLua(key)}] = ${toLua(entry)}`)
    .join(', ')}}`;
}

/** What Argo CD's health.lua says of an object: runs the real script with Debian's lua5.4 through the harness. */
export async function argoCdHealth(object: unknown, healthLua: string): Promise<{ status: string; message: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gradual-argocd-health-'));
  try {
    const objectFile = join(dir, 'object.lua');
    await writeFile(objectFile, `return ${toLua(object)}\n`);
    const result = await runCommand('lua5.4', [harness, objectFile, healthLua]);
    if (result.code !== 0) throw new Error(`lua5.4 ${healthLua} failed (exit code ${String(result.code)}): ${result.stderr.trim()}`);
    const [status = '', message = ''] = result.stdout.split('\n');
    return { status, message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
