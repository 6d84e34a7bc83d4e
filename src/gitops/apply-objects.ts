import { KubernetesObjectApi, loadYaml, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log/index.js';
import { describeFailure } from '../cli/rollout-verbs/kube-context.js';
import type { ManifestObject } from './manifests/index.js';
import { originAnnotations, type DeploymentOrigin } from './annotations.js';

export const fieldManager = 'gradual';

export class ApplyError extends Error {
  constructor(
    message: string,
    readonly place: { file: string; line: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApplyError';
  }
}

/** The object as sent: the manifest's fields plus the annotations that tie it to where it came from. */
export function withOrigin(object: KubernetesObject, origin: DeploymentOrigin): KubernetesObject {
  const copy = structuredClone(object);
  copy.metadata ??= {};
  copy.metadata.annotations = { ...copy.metadata.annotations, ...originAnnotations(origin) };
  return copy;
}

/**
 * Server-side applies a commit's objects with field manager `gradual`. Every object
 * is first sent as a server-side dry run: the API server checks them all (schemas,
 * admission, immutable fields) and only when every one passes are they applied for
 * real, so a refused object leaves the cluster as it was (no half-applied release).
 */
export async function applyObjects(kubeConfig: KubeConfig, objects: readonly ManifestObject[], origin: DeploymentOrigin, logger: Logger): Promise<number> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  // Through the client's own model, as local/apply-manifests does: its serializer keeps int-or-string and
  // preserve-unknown-fields values intact.
  const bodies = objects.map((manifest) => ({ manifest, body: loadYaml<KubernetesObject>(JSON.stringify(withOrigin(manifest.object, origin))) }));
  for (const dryRun of ['All', undefined] as const) {
    for (const { manifest, body } of bodies) {
      try {
        await client.patch(body, undefined, dryRun, fieldManager, true, PatchStrategy.ServerSideApply);
      } catch (cause) {
        const where = `${manifest.ref.kind} ${manifest.ref.namespace === undefined ? '' : `${manifest.ref.namespace}/`}${manifest.ref.name}`;
        throw new ApplyError(`${manifest.file}:${String(manifest.line)}: ${where} was refused by the API server${dryRun === undefined ? '' : ' (dry run; nothing was applied)'}: ${describeFailure(cause)}`, { file: manifest.file, line: manifest.line }, { cause });
      }
    }
  }
  logger.info({ objects: objects.length, headSha: origin.headSha }, 'applied');
  return objects.length;
}
