import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedRolloutFixture } from './testing/signed-origin.js';
import type { DeploymentOrigin } from './annotations.js';
import { reportableOrigin } from './reportable-origin.js';

const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const { key, origin, object, signed } = signedRolloutFixture(pem);
/** The Gradual config of the test: acme/deploys' production goes to cluster "prod-eu", nothing else anywhere. */
const deploysTo =
  (cluster: string) =>
  (claimed: DeploymentOrigin): boolean =>
    claimed.repository === 'acme/deploys' && claimed.environment === 'production' && cluster === 'prod-eu';

describe('reportableOrigin', () => {
  it('believes a signed Rollout in the cluster its environment deploys to', () => {
    expect(reportableOrigin(key, signed, object, 'prod-eu', deploysTo('prod-eu'))).toEqual({ kind: 'verified', origin });
  });

  it('refuses the same signed annotations copied onto a Rollout of the same namespace and name in another watched cluster', () => {
    const check = reportableOrigin(key, signed, object, 'sandbox', deploysTo('sandbox'));
    expect(check).toEqual({
      kind: 'refused',
      claimed: origin,
      reason: expect.stringContaining('does not deploy to cluster "sandbox"') as string,
    });
  });

  it('still refuses what is not signed, and says nothing of what claims no origin, whatever the cluster', () => {
    expect(reportableOrigin(key, { ...signed, 'gradual.dev/pull-request': '8' }, object, 'prod-eu', deploysTo('prod-eu')).kind).toBe(
      'refused',
    );
    expect(reportableOrigin(key, undefined, object, 'sandbox', deploysTo('sandbox'))).toEqual({ kind: 'none' });
  });
});
