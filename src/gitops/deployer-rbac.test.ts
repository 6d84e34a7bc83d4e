import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applicationKinds } from '../policies/confinement.js';
import { deployerObjects, deployerRules, deployerYaml } from './deployer-rbac.js';

describe("an environment's deployer RBAC", () => {
  it('is shipped as deploy/environment/deployer.yaml, rendered for my-app', () => {
    const shipped = readFileSync(fileURLToPath(new URL('../../deploy/environment/deployer.yaml', import.meta.url)), 'utf8');
    expect(shipped).toBe(deployerYaml('my-app'));
  });

  it('grants no wildcard, no cluster-scoped kind, nothing of RBAC and no impersonation to the deployer', () => {
    for (const rule of deployerRules) {
      for (const value of [...rule.apiGroups, ...rule.resources, ...rule.verbs]) expect(value).not.toContain('*');
      expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
      expect(rule.apiGroups).not.toContain('apiextensions.k8s.io');
      expect(rule.apiGroups).not.toContain('admissionregistration.k8s.io');
      expect(rule.verbs).not.toContain('impersonate');
      expect(rule.verbs).not.toContain('escalate');
      expect(rule.verbs).not.toContain('bind');
      expect(rule.resources).not.toContain('namespaces');
    }
  });

  it("lets the bot impersonate this namespace's deployer by name, and nobody else", () => {
    const objects = deployerObjects('shop');
    expect(objects.every((object) => (object['metadata'] as { namespace: string }).namespace === 'shop')).toBe(true);
    const impersonate = objects.find(
      (object) => object['kind'] === 'Role' && (object['metadata'] as { name: string }).name === 'gradual-bot-impersonate',
    );
    expect(impersonate?.['rules']).toEqual([
      { apiGroups: [''], resources: ['serviceaccounts'], resourceNames: ['gradual-deployer'], verbs: ['impersonate'] },
    ]);
  });

  it('grants every kind the shipped policy allows, so a kind the policy lets through is not refused by the API server instead', () => {
    const granted = new Set(
      deployerRules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${resource}.${group}`))),
    );
    const resourceOf = (kind: string): string => {
      const [name = '', ...group] = kind.split('.');
      const lower = name.toLowerCase();
      return `${lower.endsWith('s') ? `${lower}es` : `${lower}s`}.${group.join('.')}`;
    };
    expect(applicationKinds.map(resourceOf).filter((resource) => !granted.has(resource))).toEqual([]);
  });
});
