import { describe, expect, it } from 'vitest';
import { deployerCredentialErrors } from './deployer-credential.js';
import { parseManifests } from './parse-manifests.js';

const deployer = { namespace: 'shop', name: 'gradual-deployer' };

function errorsOf(text: string, namespace = 'shop'): { line: number; path?: string; message: string }[] {
  const { objects, errors } = parseManifests([{ path: 'app.yaml', text }], { namespace });
  expect(errors).toEqual([]);
  return deployerCredentialErrors(objects, deployer).map(({ line, path, message }) => ({
    line,
    ...(path === undefined ? {} : { path }),
    message,
  }));
}

const template = (serviceAccount: string, field = 'serviceAccountName'): string =>
  `  template:\n    metadata: { labels: { app: web } }\n    spec:\n      ${field}: ${serviceAccount}\n      containers: [{ name: web, image: web:1 }]\n`;

// The bot deploys as the environment's deployer, a ServiceAccount in the application's own namespace. A workload
// the pull request ships could run as it (its pod gets the deployer's token) or have the control plane mint a
// long-lived token for it (a service-account-token Secret, measured on the local control plane: populated within
// a second, and it lists the namespace's Secrets alone): the deployer's rights outside the bot, without plan,
// approvals, lock or freeze, and the rollouts/status writes that make a later pull request's check pass.
describe('deployerCredentialErrors', () => {
  it.each([
    [
      'a Deployment running as the deployer',
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n${template('gradual-deployer')}`,
      9,
      'spec.template.spec.serviceAccountName',
    ],
    [
      'a Rollout running as the deployer (the deprecated field)',
      `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n${template('gradual-deployer', 'serviceAccount')}  strategy: { canary: { steps: [{ setWeight: 20 }] } }\n`,
      9,
      'spec.template.spec.serviceAccount',
    ],
    [
      'a token Secret for the deployer',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  annotations: { kubernetes.io/service-account.name: gradual-deployer }\ntype: kubernetes.io/service-account-token\n',
      5,
      'metadata.annotations["kubernetes.io/service-account.name"]',
    ],
    [
      'the deployer ServiceAccount itself',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: gradual-deployer }\n',
      3,
      'metadata.name',
    ],
  ])('refuses %s at its line', (_, text, line, path) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line, path, message: expect.stringContaining('shop/gradual-deployer') as string });
  });

  it.each([
    [
      'a Deployment with its own ServiceAccount',
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n${template('web')}`,
    ],
    [
      'a token Secret for another ServiceAccount',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  annotations: { kubernetes.io/service-account.name: web }\ntype: kubernetes.io/service-account-token\n',
    ],
    ['a ServiceAccount of the application', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: web }\n'],
  ])('keeps %s', (_, text) => {
    expect(errorsOf(text)).toEqual([]);
  });

  it('minds only the deployer of the namespace the object is in, and nothing when the environment impersonates no ServiceAccount', () => {
    expect(errorsOf('apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: gradual-deployer }\n', 'other')).toEqual([]);
    const { objects } = parseManifests(
      [{ path: 'app.yaml', text: 'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: gradual-deployer }\n' }],
      { namespace: 'shop' },
    );
    expect(deployerCredentialErrors(objects, undefined)).toEqual([]);
  });
});
