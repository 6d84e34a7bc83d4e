import { KubernetesObjectApi, loadYaml, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../log/index.js';
import { describeFailure } from '../rollout-actions/kube-client.js';
import type { ManifestObject } from './manifests/index.js';
import type { DeploymentOrigin } from './annotations.js';
import { signedOriginAnnotations, type ProvenanceKey } from './provenance.js';
import { GradualError } from '../errors/gradual-error.js';

export const fieldManager = 'gradual';

export class ApplyError extends GradualError {
  constructor(
    message: string,
    readonly place: { file: string; line: number },
    options?: ErrorOptions,
  ) {
    super('APPLY_FAILED', message, { cause: options?.cause });
  }
}

/**
 * The object as sent: the manifest's fields plus the annotations that tie it to where it came from,
 * signed for this object's namespace, kind and name (a manifest's own gradual.dev/* annotations are overwritten).
 */
export function withOrigin(object: KubernetesObject, origin: DeploymentOrigin, key: ProvenanceKey): KubernetesObject {
  const copy = structuredClone(object);
  copy.metadata ??= {};
  const identity = { namespace: copy.metadata.namespace, kind: copy.kind ?? '', name: copy.metadata.name ?? '' };
  copy.metadata.annotations = { ...copy.metadata.annotations, ...signedOriginAnnotations(key, origin, identity) };
  return copy;
}

/**
 * Server-side applies a commit's objects with field manager `gradual`. Every object
 * is first sent as a server-side dry run: the API server checks them all (schemas,
 * admission, immutable fields) and only when every one passes are they applied for
 * real, so a refused object leaves the cluster as it was (no half-applied release).
 * `kubeConfig` is the environment's (clusters.ts): it impersonates the environment's identity, so the
 * API server refuses with 403 whatever that identity may not do, whatever the manifests say.
 */
export async function applyObjects(kubeConfig: KubeConfig, objects: readonly ManifestObject[], origin: DeploymentOrigin, logger: Logger, key: ProvenanceKey): Promise<number> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  // Through the client's own model, as local/apply-manifests does: its serializer keeps int-or-string and
  // preserve-unknown-fields values intact.
  const bodies = objects.map((manifest) => ({ manifest, body: loadYaml<KubernetesObject>(JSON.stringify(withOrigin(manifest.object, origin, key))) }));
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
