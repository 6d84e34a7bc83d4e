import { describe, expect, it } from 'vitest';
import { clusterFor, impersonatedUser, parseGradualConfig, servesRepository, stateLocation, unimpersonatedEnvironments } from './config.js';

const valid = `clusters:
  prod: { kubeconfig: /etc/gradual/prod.kubeconfig, context: prod }
  staging: {}
repositories:
  - match: acme/*
    environments: { production: prod, '*': staging }
`;

describe('the Gradual config', () => {
  it('maps a repository and an environment to a cluster, with * as the fallback', () => {
    const config = parseGradualConfig(valid, 'gradual.yaml');
    expect(clusterFor(config, 'acme/deploys', 'production')?.name).toBe('prod');
    expect(clusterFor(config, 'acme/deploys', 'preview')?.name).toBe('staging');
    expect(clusterFor(config, 'other/deploys', 'production')).toBeUndefined();
    expect(servesRepository(config, 'ACME/Deploys')).toBe(true);
  });

  it('keeps the bot’s own records where `state` says, else in the first cluster’s namespace default', () => {
    expect(stateLocation(parseGradualConfig(valid, 'gradual.yaml'))).toEqual({ cluster: 'prod', namespace: 'default' });
    expect(stateLocation(parseGradualConfig(`${valid}state: { cluster: staging, namespace: gradual }\n`, 'gradual.yaml'))).toEqual({
      cluster: 'staging',
      namespace: 'gradual',
    });
  });

  it.each([
    [
      'an unknown field, at its line',
      `${valid}  - match: acme/x\n    environments: {}\n    typo: 1\n`,
      /gradual\.yaml:9: repositories\.1: Unrecognized key: "typo"/u,
    ],
    ['a cluster that is not defined', valid.replace("'*': staging", "'*': nowhere"), /clusters that are not defined: nowhere/u],
    ['a YAML error, at its line', 'clusters: {\n', /gradual\.yaml:\d+: /u],
    ['no repositories', 'clusters: { a: {} }\nrepositories: []\n', /repositories/u],
    [
      'a state cluster that is not defined',
      `${valid}state: { cluster: nowhere, namespace: gradual }\n`,
      /state\.cluster names a cluster that is not defined: nowhere/u,
    ],
    [
      'a state namespace that is no namespace name',
      `${valid}state: { cluster: prod, namespace: ../x }\n`,
      /gradual\.yaml:7: state\.namespace: a namespace name/u,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseGradualConfig(text, 'gradual.yaml')).toThrow(message);
  });
});

describe('impersonated identities in the Gradual config', () => {
  const text = `clusters:
  prod: {}
repositories:
  - match: acme/*
    environments:
      production: { cluster: prod, impersonate: { serviceAccount: app-prod/gradual-deployer } }
      staging: { cluster: prod, impersonate: { user: deployer@example.test } }
      preview: prod
`;

  it('names, per environment, the identity its clients impersonate, and keys the clients by cluster and identity', () => {
    const config = parseGradualConfig(text, 'gradual.yaml');
    expect(clusterFor(config, 'acme/web', 'production')).toMatchObject({
      name: 'prod as system:serviceaccount:app-prod:gradual-deployer',
      clusterName: 'prod',
      identity: { serviceAccount: 'app-prod/gradual-deployer' },
    });
    expect(clusterFor(config, 'acme/web', 'staging')).toMatchObject({ name: 'prod as deployer@example.test', clusterName: 'prod' });
    // The plain form is still read: the bot's own identity, which the bot warns about at start.
    expect(clusterFor(config, 'acme/web', 'preview')).toMatchObject({ name: 'prod', clusterName: 'prod', identity: undefined });
    expect(unimpersonatedEnvironments(config)).toEqual(['acme/* preview → prod']);
    expect(impersonatedUser({ serviceAccount: 'app-prod/gradual-deployer' })).toBe('system:serviceaccount:app-prod:gradual-deployer');
  });

  it.each([
    ['a ServiceAccount without its namespace', 'serviceAccount: gradual-deployer'],
    ['a ServiceAccount with a path', 'serviceAccount: a/b/c'],
    ['a ServiceAccount in upper case', 'serviceAccount: App/deployer'],
    ['a ServiceAccount spelled as a user', "user: 'system:serviceaccount:app:deployer'"],
    ['groups (not offered)', 'user: alice, groups: [admins]'],
    ['no identity', ''],
  ])('refuses %s', (_name, identity) => {
    expect(() => parseGradualConfig(text.replace('serviceAccount: app-prod/gradual-deployer', identity), 'gradual.yaml')).toThrow(
      /gradual\.yaml:6: /u,
    );
  });

  it('refuses an impersonating environment on a cluster that is not defined', () => {
    expect(() =>
      parseGradualConfig(text.replace('{ cluster: prod, impersonate: { user', '{ cluster: nowhere, impersonate: { user'), 'gradual.yaml'),
    ).toThrow(/not defined: nowhere/u);
  });
});
