import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/index.js';
import { ensureGoBuild } from './go-build.js';
import { runCommand } from './run-command.js';
import { pinnedVersions } from './versions.js';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** KWOK's own default node and pod stages, taken from its module at build time. */
  kwokStages: string;
}

/** The wrapper modules live in the repository; their builds live in the cache. */
export const infraModulesDir = fileURLToPath(new URL('../../test/infra/', import.meta.url));

/**
 * The link flags of every Kubernetes binary built here: without the version stamps the binaries report
 * v0.0.0-master, clients negotiate features by version, and `kubectl version` warns of skew.
 */
export function kubernetesLdflags(kubernetes: string): string[] {
  const minor = /^v1\.(\d+)\./u.exec(kubernetes)?.[1] ?? '0';
  return [
    '-s',
    '-w',
    `-X k8s.io/component-base/version.gitVersion=${kubernetes}`,
    '-X k8s.io/component-base/version.gitMajor=1',
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ];
}

/**
 * Builds (once) and locates every binary of the local control plane. The
 * builds run one after another: on two cores, parallel Go builds only thrash.
 */
export async function ensureControlPlaneBinaries(options: { cacheRoot: string; logger: Logger }): Promise<ControlPlaneBinaries> {
  const { kubernetes, etcd, kwok } = pinnedVersions;
  const etcdBin = await ensureGoBuild(
    { name: 'etcd', version: etcd, moduleDir: join(infraModulesDir, 'etcd'), packages: ['.'], ldflags: ['-s', '-w'] },
    options,
  );
  const kubeBin = await ensureGoBuild(
    {
      name: 'kubernetes',
      version: kubernetes,
      moduleDir: join(infraModulesDir, 'kubernetes'),
      packages: [
        'k8s.io/kubernetes/cmd/kube-apiserver',
        'k8s.io/kubernetes/cmd/kube-controller-manager',
        'k8s.io/kubernetes/cmd/kube-scheduler',
      ],
      ldflags: kubernetesLdflags(kubernetes),
    },
    options,
  );
  const kwokDir = join(infraModulesDir, 'kwok');
  const kwokBin = await ensureGoBuild(
    {
      name: 'kwok',
      version: kwok,
      moduleDir: kwokDir,
      packages: ['sigs.k8s.io/kwok/cmd/kwok'],
      ldflags: ['-s', '-w'],
      afterBuild: (binDir) => writeKwokStages(kwokDir, join(binDir, 'kwok-stages.yaml')),
    },
    options,
  );
  return {
    etcd: join(etcdBin, 'etcd'),
    kubeApiserver: join(kubeBin, 'kube-apiserver'),
    kubeControllerManager: join(kubeBin, 'kube-controller-manager'),
    kubeScheduler: join(kubeBin, 'kube-scheduler'),
    kwok: join(kwokBin, 'kwok'),
    kwokStages: join(kwokBin, 'kwok-stages.yaml'),
  };
}

/**
 * The kwok binary has no stages unless given some (kwokctl passes its
 * defaults); these are the same defaults, read from the pinned module: nodes
 * become Ready and keep their leases, pods become Running and Ready, finish
 * when they are Job pods, and really go away when deleted.
 */
const kwokStageFiles = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

async function writeKwokStages(moduleDir: string, target: string): Promise<void> {
  const listed = await runCommand('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
    cwd: moduleDir,
    env: { ...process.env, GOTOOLCHAIN: 'local' },
  });
  if (listed.code !== 0) throw new Error(`go list -m sigs.k8s.io/kwok in ${moduleDir} failed: ${listed.stderr.trim()}`);
  const kwokSource = listed.stdout.trim();
  const documents = await Promise.all(kwokStageFiles.map((file) => readFile(join(kwokSource, file), 'utf8')));
  await writeFile(target, documents.map((doc) => doc.trim()).join('\n---\n') + '\n');
}
