import type { DeploymentOrigin } from './annotations.js';
import { verifyProvenance, type ProvenanceCheck, type ProvenanceKey, type SignedObject } from './provenance.js';

/**
 * Whether the reporter may believe a Rollout's origin where it found it: the bot signed that origin for this
 * very object (verifyProvenance), and the Gradual config deploys the signed repository's environment to the
 * cluster the object was found in. The signature binds the namespace, kind and name but not the cluster, so
 * without the second test a cluster user who can read a signed Rollout in one watched cluster (production)
 * and write Rollouts in another (a sandbox the bot also watches) could copy it there, same namespace and name,
 * and have the bot post that copy's outcome on the production pull request's head (the same check run name).
 * `deploysTo` says whether the config maps the origin's repository and environment to the cluster searched. Pure.
 */
export function reportableOrigin(
  key: ProvenanceKey,
  annotations: Readonly<Record<string, string>> | undefined,
  object: SignedObject,
  foundIn: string,
  deploysTo: (origin: DeploymentOrigin) => boolean,
): ProvenanceCheck {
  const check = verifyProvenance(key, annotations, object);
  if (check.kind !== 'verified' || deploysTo(check.origin)) return check;
  return {
    kind: 'refused',
    reason: `it was signed for environment "${check.origin.environment}" of ${check.origin.repository}, which the Gradual config does not deploy to cluster "${foundIn}" (a copy of a signed object from another cluster)`,
    claimed: check.origin,
  };
}
