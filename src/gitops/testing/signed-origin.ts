import type { DeploymentOrigin } from '../annotations.js';
import { provenanceKeyFrom, signedOriginAnnotations, type ProvenanceKey, type SignedObject } from '../provenance.js';

/** A Rollout signed by the bot of installation 42 for acme/deploys#7 (production), with the private key given (PEM). */
export function signedRolloutFixture(pem: string): {
  key: ProvenanceKey;
  origin: DeploymentOrigin;
  object: SignedObject;
  signed: Record<string, string>;
} {
  const key = provenanceKeyFrom(pem, 42);
  const origin: DeploymentOrigin = {
    repository: 'acme/deploys',
    pullRequest: 7,
    headSha: 'a'.repeat(40),
    installationId: 3,
    environment: 'production',
  };
  const object: SignedObject = { namespace: 'prod', kind: 'Rollout', name: 'web' };
  return { key, origin, object, signed: signedOriginAnnotations(key, origin, object) };
}
