import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseKustomization } from '../../src/local/apply-manifests.js';

const deploy = fileURLToPath(new URL('../../deploy/', import.meta.url));

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Role {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  rules: Rule[];
}

const roles = parseAllDocuments(readFileSync(`${deploy}aggregate-roles.yaml`, 'utf8')).map((document) => document.toJS() as Role);

/** Every CRD Gradual ships: its plural and its subresources. */
const crds = readdirSync(`${deploy}crds`)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => {
    type Crd = { kind: string; spec: { group: string; names: { plural: string }; versions: { subresources?: Record<string, unknown> }[] } };
    const crd = parseAllDocuments(readFileSync(`${deploy}crds/${file}`, 'utf8'))
      .map((document) => document.toJS() as Crd | null)
      .find((object) => object?.kind === 'CustomResourceDefinition');
    if (crd === undefined || crd === null) throw new Error(`deploy/crds/${file} holds no CustomResourceDefinition`);
    const subresources = [...new Set(crd.spec.versions.flatMap((version) => Object.keys(version.subresources ?? {})))];
    return { group: crd.spec.group, plural: crd.spec.names.plural, subresources };
  });

// Argo Rollouts v1.9.1, manifests/base/argo-rollouts-aggregate-roles.yaml.
const argoVerbs = {
  view: ['get', 'list', 'watch'],
  edit: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  admin: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
};
const argoResources = {
  view: ['rollouts', 'rollouts/scale', 'experiments', 'analysistemplates', 'clusteranalysistemplates', 'analysisruns'],
  edit: ['rollouts', 'rollouts/scale', 'rollouts/status', 'experiments', 'analysistemplates', 'clusteranalysistemplates', 'analysisruns'],
  admin: ['rollouts', 'rollouts/scale', 'rollouts/status', 'experiments', 'analysistemplates', 'clusteranalysistemplates', 'analysisruns'],
};

describe('the aggregated view / edit / admin roles (deploy/aggregate-roles.yaml)', () => {
  it.each(['view', 'edit', 'admin'] as const)(
    "%s: aggregated into the built-in role, with Argo's verbs and Argo's resources that Gradual serves",
    (name) => {
      const role = roles.find((candidate) => candidate.metadata.labels[`rbac.authorization.k8s.io/aggregate-to-${name}`] === 'true');
      expect(role?.kind).toBe('ClusterRole');
      // Not Argo's names: applying deploy/ beside Argo must not replace Argo's roles.
      expect(role?.metadata.name).toBe(`gradual-aggregate-to-${name}`);
      expect(role?.rules).toHaveLength(1);
      const [rule] = role?.rules ?? [];
      expect(rule?.apiGroups).toEqual(['argoproj.io']);
      expect([...(rule?.verbs ?? [])].sort()).toEqual([...argoVerbs[name]].sort());
      const served = new Set(crds.flatMap((crd) => [crd.plural, ...crd.subresources.map((sub) => `${crd.plural}/${sub}`)]));
      expect([...(rule?.resources ?? [])].sort()).toEqual(argoResources[name].filter((resource) => served.has(resource)).sort());
    },
  );

  it('covers every kind Gradual ships, so a new CRD cannot be left out of them', () => {
    for (const crd of crds) {
      expect(crd.group).toBe('argoproj.io');
      for (const role of roles) expect(role.rules[0]?.resources, `${role.metadata.name} ${crd.plural}`).toContain(crd.plural);
    }
  });

  it('grants no wildcard and nothing outside argoproj.io', () => {
    for (const rule of roles.flatMap((role) => role.rules)) {
      for (const value of [...rule.apiGroups, ...rule.resources, ...rule.verbs]) expect(value).not.toContain('*');
      expect(rule.apiGroups).toEqual(['argoproj.io']);
    }
  });

  it('is installed by `kubectl apply -k deploy/`', () => {
    expect(parseKustomization(readFileSync(`${deploy}kustomization.yaml`, 'utf8'), 'deploy/kustomization.yaml')).toContain(
      'aggregate-roles.yaml',
    );
  });
});
