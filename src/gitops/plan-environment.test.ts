import { describe, expect, it } from 'vitest';
import { applicationKinds } from '../policies/confinement.js';
import { testEnvironment } from '../policies/testing/test-environment.js';
import { planEnvironment } from './deploy-pull-request.js';
import { memoryTree as treeOf } from './manifests/testing/memory-tree.js';
import type { BotServices } from './services.js';

/** The config maps acme/* to cluster `local` as shop's deployer; no client is loaded, so nothing can read a cluster. */
function services(impersonate: boolean): BotServices {
  const target = impersonate ? { cluster: 'local', impersonate: { serviceAccount: 'shop/gradual-deployer' } } : 'local';
  return {
    config: { clusters: { local: { kubeconfig: '/nonexistent' } }, repositories: [{ match: 'acme/*', environments: { '*': target } }] },
    clusters: new Map(),
  } as unknown as BotServices;
}

const tokenSecret =
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  annotations: { kubernetes.io/service-account.name: gradual-deployer }\ntype: kubernetes.io/service-account-token\n';

describe('planEnvironment', () => {
  it("refuses, at its line, a token Secret for the environment's impersonated deployer", async () => {
    const planned = await planEnvironment(
      services(true),
      'acme/shop',
      testEnvironment({ kinds: [...applicationKinds] }),
      treeOf({ 'deploy/prod/token.yaml': tokenSecret }),
    );
    expect(planned.plan.errors.filter((error) => error.file === 'deploy/prod/token.yaml')).toEqual([
      expect.objectContaining({ line: 5, message: expect.stringContaining('shop/gradual-deployer') as string }),
    ]);
  });

  it('has no deployer to protect when the environment is not impersonated', async () => {
    const planned = await planEnvironment(
      services(false),
      'acme/shop',
      testEnvironment({ kinds: [...applicationKinds] }),
      treeOf({ 'deploy/prod/token.yaml': tokenSecret }),
    );
    expect(planned.plan.errors.filter((error) => error.file === 'deploy/prod/token.yaml')).toEqual([]);
  });
});
