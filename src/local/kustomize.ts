import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { infraModulesDir } from './binaries.js';
import { ensureGoBuild } from './go-build.js';
import { pinnedVersions } from './versions.js';

/**
 * Builds (once, cached like the control plane) kustomize at the pinned version, the executable
 * the bot renders kustomize directories with (GRADUAL_KUSTOMIZE); returns its path.
 */
export async function ensureKustomizeBinary(options: { cacheRoot: string; logger: Logger }): Promise<string> {
  const version = pinnedVersions.kustomize;
  const binDir = await ensureGoBuild(
    {
      name: 'kustomize',
      version,
      moduleDir: join(infraModulesDir, 'kustomize'),
      packages: ['sigs.k8s.io/kustomize/kustomize/v5'],
      // kustomize's `version` reads this; without it, it reports (devel).
      ldflags: ['-s', '-w', `-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/${version}`],
    },
    options,
  );
  // go names the binary after the path element before the major-version suffix.
  return join(binDir, 'kustomize');
}
