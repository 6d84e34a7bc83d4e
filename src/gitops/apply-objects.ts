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
    /** The objects not applied (the refused one first), as `Kind namespace/name`; all of them when the dry run refused. */
    readonly pending: readonly string[] = [],
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
export async function applyObjects(
  kubeConfig: KubeConfig,
  objects: readonly ManifestObject[],
  origin: DeploymentOrigin,
  logger: Logger,
  key: ProvenanceKey,
): Promise<number> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  // Through the client's own model, as local/apply-manifests does: its serializer keeps int-or-string and
  // preserve-unknown-fields values intact.
  const bodies = objects.map((manifest) => ({
    manifest,
    body: loadYaml<KubernetesObject>(JSON.stringify(withOrigin(manifest.object, origin, key))),
  }));
  const named = (manifest: ManifestObject): string =>
    `${manifest.ref.kind} ${manifest.ref.namespace === undefined ? '' : `${manifest.ref.namespace}/`}${manifest.ref.name}`;
  for (const dryRun of ['All', undefined] as const) {
    for (const [index, { manifest, body }] of bodies.entries()) {
      try {
        await client.patch(body, undefined, dryRun, fieldManager, true, PatchStrategy.ServerSideApply);
      } catch (cause) {
        // After a refused dry run nothing was applied; after a refusal for real, this object and the ones after it are pending.
        const pending = (dryRun === undefined ? bodies.slice(index) : bodies).map(({ manifest: object }) => named(object));
        throw new ApplyError(
          `${manifest.file}:${String(manifest.line)}: ${named(manifest)} was refused by the API server${dryRun === undefined ? '' : ' (dry run; nothing was applied)'}: ${describeFailure(cause)}`,
          { file: manifest.file, line: manifest.line },
          { cause },
          pending,
        );
      }
    }
  }
  logger.info({ objects: objects.length, headSha: origin.headSha }, 'applied');
  return objects.length;
}

/**
 * Pure: the deploy check's summary for an apply that did not converge: why, and which objects are
 * still pending; the pull request's reconcile applies it again (with backoff) until every one is applied.
 */
export function renderPendingApply(message: string, pending: readonly string[], total: number): string {
  const list =
    pending.length === 0
      ? ''
      : `\n\nPending (${String(pending.length)} of ${String(total)}):\n${pending.map((object) => `- ${object}`).join('\n')}`;
  return `${message}${list}\n\nGradual applies it again until every object is applied (retried with backoff, from 1 s up to 5 min); a new push or \`/deploy\` retries at once.`;
}
