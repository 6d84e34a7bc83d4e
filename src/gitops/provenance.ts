import { createHmac, createPrivateKey, hkdfSync, timingSafeEqual } from 'node:crypto';
import { gradualAnnotations, originAnnotations, originOf, type DeploymentOrigin } from './annotations.js';

/**
 * Provenance that cannot be forged: the bot signs the origin annotations it puts on every object it
 * applies, and the reporter believes only a valid signature. Anyone who may write a Rollout in a watched
 * cluster can copy `gradual.dev/*` annotations; without the key they cannot make a signature for another
 * repository, pull request, head, environment or object, so they cannot make the bot post a check.
 *
 * The key is derived (HKDF-SHA256) from the GitHub App's private key: the one secret only the bot holds
 * already, with no second secret to distribute to every replica or to forget to rotate. Whoever has the
 * App's private key can post checks as the App anyway, so the derived key gives nobody more. Rotating the
 * App key changes this key: objects applied before are no longer reported until the next deploy.
 */
export type ProvenanceKey = Buffer & { readonly __provenanceKey: unique symbol };

const version = 'v1';

/** The object a signature is bound to: where it lives and what it is. */
export interface SignedObject {
  namespace: string | undefined;
  kind: string;
  name: string;
}

export function provenanceKeyFrom(privateKeyPem: string, appId: number): ProvenanceKey {
  // The key's DER, not its PEM text: line endings and headers differ between copies of the same key.
  const der = createPrivateKey(privateKeyPem).export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(hkdfSync('sha256', der, 'gradual.dev/provenance', `github-app ${String(appId)}`, 32)) as ProvenanceKey;
}

/** Pure: the bytes signed. Each field is JSON-quoted, so no field can spill into the next. */
export function provenanceMessage(origin: DeploymentOrigin, object: SignedObject): string {
  return JSON.stringify([
    `gradual-provenance-${version}`,
    origin.repository,
    origin.installationId,
    origin.pullRequest ?? null,
    origin.headSha,
    origin.environment,
    object.namespace ?? '',
    object.kind,
    object.name,
  ]);
}

export function signProvenance(key: ProvenanceKey, origin: DeploymentOrigin, object: SignedObject): string {
  return `${version}=${createHmac('sha256', key).update(provenanceMessage(origin, object)).digest('base64url')}`;
}

/** The origin annotations with their signature, as the bot applies them. */
export function signedOriginAnnotations(key: ProvenanceKey, origin: DeploymentOrigin, object: SignedObject): Record<string, string> {
  return { ...originAnnotations(origin), [gradualAnnotations.signature]: signProvenance(key, origin, object) };
}

export type ProvenanceCheck =
  /** No `gradual.dev/*` origin at all: not a Gradual object, nothing to say. */
  | { kind: 'none' }
  | { kind: 'verified'; origin: DeploymentOrigin }
  /** Claims an origin that the bot did not sign (forged, copied, edited, or signed with another key). */
  | { kind: 'refused'; reason: string; claimed: DeploymentOrigin | undefined };

/** Pure: whether an object's origin annotations were signed by this key for this very object. Compared in constant time. */
export function verifyProvenance(
  key: ProvenanceKey,
  annotations: Readonly<Record<string, string>> | undefined,
  object: SignedObject,
): ProvenanceCheck {
  const claims = Object.keys(annotations ?? {}).some(
    (name) => Object.values(gradualAnnotations).includes(name as never) && name !== gradualAnnotations.signature,
  );
  if (!claims) return { kind: 'none' };
  const origin = originOf(annotations);
  if (origin === undefined) return { kind: 'refused', reason: 'its gradual.dev/* origin annotations are incomplete', claimed: undefined };
  const signature = annotations?.[gradualAnnotations.signature];
  if (signature === undefined || signature === '')
    return { kind: 'refused', reason: 'it carries no gradual.dev/signature', claimed: origin };
  const expected = Buffer.from(signProvenance(key, origin, object));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; the length of a signature is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { kind: 'refused', reason: 'its gradual.dev/signature does not match its origin and identity', claimed: origin };
  return { kind: 'verified', origin };
}
