import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { infraModulesDir, kubernetesLdflags } from './binaries.js';
import { ensureGoBuild } from './go-build.js';
import { pinnedVersions } from './versions.js';

/**
 * Builds (once, cached and locked like the control plane) `kubectl` at the control plane's version, from
 * its own wrapper module (test/infra/kubectl: the control plane's go.mod, and go.sum with kubectl's few
 * more modules, so the control plane's module and cache key stay as they are). Tests run it as an
 * operator would: `kubectl apply -k deploy/`, `kubectl kustomize`, `kubectl create secret --from-env-file`.
 */
export async function ensureKubectl(options: { cacheRoot: string; logger: Logger }): Promise<string> {
  const { kubernetes } = pinnedVersions;
  const binDir = await ensureGoBuild(
    {
      name: 'kubectl',
      version: kubernetes,
      moduleDir: join(infraModulesDir, 'kubectl'),
      packages: ['k8s.io/kubernetes/cmd/kubectl'],
      ldflags: kubernetesLdflags(kubernetes),
    },
    options,
  );
  return join(binDir, 'kubectl');
}
