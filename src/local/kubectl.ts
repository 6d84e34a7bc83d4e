import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import { infraModulesDir } from './binaries.js';
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
  const minor = /^v1\.(\d+)\./u.exec(kubernetes)?.[1] ?? '0';
  const binDir = await ensureGoBuild(
    {
      name: 'kubectl',
      version: kubernetes,
      moduleDir: join(infraModulesDir, 'kubectl'),
      packages: ['k8s.io/kubernetes/cmd/kubectl'],
      // As for the control plane: without these, `kubectl version` says v0.0.0-master and warns of skew.
      ldflags: [
        '-s',
        '-w',
        `-X k8s.io/component-base/version.gitVersion=${kubernetes}`,
        '-X k8s.io/component-base/version.gitMajor=1',
        `-X k8s.io/component-base/version.gitMinor=${minor}`,
        '-X k8s.io/component-base/version.gitTreeState=clean',
      ],
    },
    options,
  );
  return join(binDir, 'kubectl');
}
