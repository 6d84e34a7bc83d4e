import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Logger } from '../log/index.js';
import { SetupError } from './errors.js';
import { waitUntil } from './wait-until.js';

export const defaultCrdDir = fileURLToPath(new URL('../../deploy/crds/', import.meta.url));

/**
 * Minimal CRDs of the traffic routers' kinds (Istio, SMI, Gateway API): the local environment has no mesh,
 * but tests and the demo need the API server to store the objects Gradual writes for them.
 * The path goes through the repository root so it holds from dist/local as from src/local (tsc copies no YAML).
 */
export const trafficCrdDir = fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url));

/** Reads every CustomResourceDefinition in `dir` (*.yaml, multi-document allowed); a YAML error names its file and line. */
export async function readCrds(dir: string): Promise<V1CustomResourceDefinition[]> {
  // A kustomization.yaml beside the CRDs (Argo's manifests/crds has one) lists them; it is not one.
  const files = (await readdir(dir).catch(() => []))
    .filter((file) => (file.endsWith('.yaml') || file.endsWith('.yml')) && !/^kustomization\.ya?ml$/.test(file))
    .sort();
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of files) {
    const path = join(dir, file);
    for (const document of parseAllDocuments(await readFile(path, 'utf8'))) {
      const [problem] = document.errors;
      if (problem !== undefined) {
        const line = problem.linePos?.[0].line ?? 0;
        throw new SetupError('INVALID_INPUT', `${path}:${String(line)}: ${problem.message}`);
      }
      const object = document.toJS() as unknown;
      if (object === null || object === undefined) continue;
      if (typeof object !== 'object' || (object as KubernetesObject).kind !== 'CustomResourceDefinition') {
        throw new SetupError('INVALID_INPUT', `${path}: expected only CustomResourceDefinition documents in the CRD folder`);
      }
      // Through the client's own model: its serializer would otherwise drop the `x-kubernetes-*` keys of a plain
      // object (int-or-string, preserve-unknown-fields), and the API server would refuse the schema.
      crds.push(loadYaml<V1CustomResourceDefinition>(JSON.stringify(object)));
    }
  }
  return crds;
}

/** Server-side applies the CRDs and waits until each is Established, so objects of its kinds can be created at once. */
export async function installCrds(options: { kubeconfig: string; dir?: string; logger: Logger }): Promise<string[]> {
  const crds = await readCrds(options.dir ?? defaultCrdDir);
  if (crds.length === 0) return [];
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await objects.patch(crd, undefined, undefined, 'gradual', true, 'application/apply-patch+yaml');
    names.push(name);
  }
  await waitUntil(
    async () => {
      for (const name of names) {
        const crd = await extensions.readCustomResourceDefinition({ name });
        if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') !== true) return false;
      }
      return true;
    },
    { what: `CRDs ${names.join(', ')} to be Established`, timeoutMs: 120_000 },
  );
  options.logger.info({ crds: names }, 'CRDs installed');
  return names;
}
