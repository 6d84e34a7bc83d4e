import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { infraModulesDir } from '../../../src/local/binaries.js';
import { ensureGoBuild } from '../../../src/local/go-build.js';
import { pinnedVersions } from '../../../src/local/versions.js';
import type { Logger } from '../../../src/log/index.js';

/** The wrapper module of the reference renderer: Argo Rollouts' and notifications-engine's own template code. */
export const argoNotificationsWrapperDir = join(infraModulesDir, 'argo-notifications');

/**
 * Builds (once, cached in ~/.cache/gradual like the other Go tools) the program that renders
 * notification templates with Argo's code. The build key hashes go.mod and go.sum only, so the
 * program's own source is hashed into the version: an edited main.go is rebuilt.
 */
export async function ensureArgoNotificationsRender(options: { cacheRoot: string; logger: Logger }): Promise<string> {
  const source = await readFile(join(argoNotificationsWrapperDir, 'main.go'));
  const version = `${pinnedVersions.argoRollouts}-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`;
  const binDir = await ensureGoBuild(
    { name: 'argo-notifications-render', version, moduleDir: argoNotificationsWrapperDir, packages: ['.'], ldflags: ['-s', '-w'] },
    options,
  );
  return join(binDir, 'argo-notifications');
}

export interface ArgoRenderInput {
  /** name → the ConfigMap value of template.<name> (YAML). */
  templates: Record<string, string>;
  rollout: unknown;
  secrets: Record<string, string>;
  /** RFC3339; Argo's time.Now returns this instant. */
  now: string;
  service: string;
  recipient: string;
}

/** notifications-engine's services.Notification as JSON (the fields the parity test compares). */
export type ArgoNotification = Record<string, unknown>;

export type ArgoRenderResult = Record<string, { notification?: ArgoNotification; error?: string }>;

export async function renderWithArgo(binary: string, input: ArgoRenderInput): Promise<ArgoRenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${binary} exited with ${String(code)}: ${Buffer.concat(stderr).toString('utf8')}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(stdout).toString('utf8')) as ArgoRenderResult);
    });
    child.stdin.end(JSON.stringify(input));
  });
}
