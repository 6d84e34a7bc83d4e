import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runCommand } from './run-command.js';
import { pinnedVersions } from './versions.js';

/** Argo CD's Go module: only read (its Lua health checks), never built. */
export const argoCdModule = 'github.com/argoproj/argo-cd/v3';

const downloadSchema = z.object({ Dir: z.string().optional(), Error: z.string().optional() });

/**
 * The pinned Argo CD module's source folder in the Go module cache, downloaded through the Go
 * module proxy on first use (as the Go-built parts are), so tests read Argo CD's own files
 * instead of a committed copy.
 */
export async function argoCdModuleDir(): Promise<string> {
  const target = `${argoCdModule}@${pinnedVersions.argoCd}`;
  // Outside any module: `go mod download` of an explicit version needs no go.mod.
  const result = await runCommand('go', ['mod', 'download', '-json', target], {
    cwd: tmpdir(),
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  });
  const parsed = downloadSchema.safeParse(JSON.parse(result.stdout === '' ? '{}' : result.stdout));
  const dir = parsed.success ? parsed.data.Dir : undefined;
  if (result.code !== 0 || dir === undefined)
    throw new Error(
      `go mod download ${target} failed (exit code ${String(result.code)}): ${parsed.success ? (parsed.data.Error ?? '') : ''} ${result.stderr.trim()}`,
    );
  return dir;
}

/** Argo CD's health check for Argo Rollouts' Rollout, as its module ships it. */
export function argoCdRolloutHealthLua(moduleDir: string): string {
  return join(moduleDir, 'resource_customizations', 'argoproj.io', 'Rollout', 'health.lua');
}
