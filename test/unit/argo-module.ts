import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedVersions as versions } from '../../src/local/versions.js';

/**
 * Argo Rollouts' module in the Go module cache (`go env GOMODCACHE`), which the local environment's
 * set-up downloads: tests read Argo's own manifests from it instead of copies in this repository.
 * Throws, saying how to get it, when it is absent.
 */
export function argoRolloutsModuleDir(): string {
  let cache: string;
  try {
    cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  } catch (cause) {
    throw new Error(`go env GOMODCACHE failed (is Go installed?): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const dir = join(cache, 'github.com', 'argoproj', `argo-rollouts@${versions.argoRollouts}`);
  if (!existsSync(dir))
    throw new Error(
      `Argo Rollouts ${versions.argoRollouts} is not in the Go module cache (${dir}); ` +
        `fetch it with: go mod download github.com/argoproj/argo-rollouts@${versions.argoRollouts}`,
    );
  return dir;
}
