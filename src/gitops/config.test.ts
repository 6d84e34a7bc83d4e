import { describe, expect, it } from 'vitest';
import { clusterFor, parseGradualConfig, servesRepository } from './config.js';

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

  it.each([
    ['an unknown field, at its line', `${valid}  - match: acme/x\n    environments: {}\n    typo: 1\n`, /gradual\.yaml:9: repositories\.1: Unrecognized key: "typo"/u],
    ['a cluster that is not defined', valid.replace("'*': staging", "'*': nowhere"), /clusters that are not defined: nowhere/u],
    ['a YAML error, at its line', 'clusters: {\n', /gradual\.yaml:\d+: /u],
    ['no repositories', 'clusters: { a: {} }\nrepositories: []\n', /repositories/u],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseGradualConfig(text, 'gradual.yaml')).toThrow(message);
  });
});
