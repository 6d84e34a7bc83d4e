import { describeRef } from './parse-manifests.js';
import type { ManifestError, ManifestObject } from './types.js';

/** The ServiceAccount an environment deploys as (config.ts `impersonate: { serviceAccount }`). */
export interface DeployerAccount {
  namespace: string;
  name: string;
}

/** The annotation that makes the control plane mint a long-lived token for a ServiceAccount into a Secret. */
const serviceAccountNameAnnotation = 'kubernetes.io/service-account.name';

/**
 * The errors of objects that would hand the deployer's credential to a workload: the bot deploys as a
 * ServiceAccount in the application's own namespace, so a pod template running as it (its pods get its
 * token), a `kubernetes.io/service-account-token` Secret naming it (the control plane fills in a token that
 * never expires), or the ServiceAccount itself (re-applied, taken over) would give whoever controls the
 * workload the deployer's rights outside the bot: no plan, approvals, lock or freeze, and the Rollout
 * status writes that make a later pull request's check pass. Each at its file:line. Pure.
 */
export function deployerCredentialErrors(objects: readonly ManifestObject[], deployer: DeployerAccount | undefined): ManifestError[] {
  if (deployer === undefined) return [];
  const who = `${deployer.namespace}/${deployer.name}`;
  const errors: ManifestError[] = [];
  const refuse = (object: ManifestObject, path: (string | number)[], shown: string, what: string): void => {
    errors.push({
      file: object.file,
      ...object.locate(path),
      path: shown,
      message: `${describeRef(object.ref)}: ${what} ${who}, the identity Gradual deploys this environment as; a workload holding its token could deploy and report outside the bot`,
    });
  };
  for (const object of objects) {
    if (object.ref.namespace !== deployer.namespace) continue;
    const body = object.object as Record<string, unknown>;
    const core = !object.ref.apiVersion.includes('/');
    if (core && object.ref.kind === 'ServiceAccount' && object.ref.name === deployer.name) {
      refuse(object, ['metadata', 'name'], 'metadata.name', 'it is the ServiceAccount');
      continue;
    }
    if (core && object.ref.kind === 'Secret' && body['type'] === 'kubernetes.io/service-account-token') {
      const annotations = recordAt(body, ['metadata', 'annotations']);
      if (annotations?.[serviceAccountNameAnnotation] === deployer.name)
        refuse(
          object,
          ['metadata', 'annotations', serviceAccountNameAnnotation],
          `metadata.annotations["${serviceAccountNameAnnotation}"]`,
          'it asks for a token of',
        );
      continue;
    }
    const podSpec = recordAt(body, ['spec', 'template', 'spec']);
    for (const field of ['serviceAccountName', 'serviceAccount']) {
      if (podSpec?.[field] === deployer.name)
        refuse(object, ['spec', 'template', 'spec', field], `spec.template.spec.${field}`, 'its pods would run as');
    }
  }
  return errors;
}

function recordAt(value: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>) : undefined;
}
