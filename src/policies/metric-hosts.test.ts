import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostCoveredBy } from './metric-hosts.js';
import { parseDefaultPolicy, parseRepositoryPolicy } from './parse-policy.js';
import type { RepositoryPolicy } from './types.js';

const shippedText = readFileSync(new URL('../../policies/default.yml', import.meta.url), 'utf8');

function defaults(extra = ''): RepositoryPolicy {
  const parsed = parseDefaultPolicy(`${shippedText}\n${extra}`, 'policies/default.yml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('hostCoveredBy', () => {
  it.each([
    ['prometheus.monitoring', 'prometheus.monitoring', true],
    ['Prometheus.Monitoring', 'prometheus.monitoring', true],
    ['a.example.com', '*.example.com', true],
    ['a.b.example.com', '*.example.com', true],
    ['*.b.example.com', '*.example.com', true],
    ['*.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['evilexample.com', '*.example.com', false],
    ['*.com', '*.example.com', false],
    ['example.com', 'a.example.com', false],
  ])('%s within %s: %s', (pattern, by, covered) => {
    expect(hostCoveredBy(pattern, by)).toBe(covered);
  });
});

describe('metricHosts in policies', () => {
  it('the shipped defaults allow any host (no list)', () => {
    expect(defaults().rules.metricHosts).toBeUndefined();
    expect(defaults().environments[0]?.metricHosts).toBeUndefined();
  });

  it('a repository sets a list for all its environments and narrows it per environment, lower-cased', () => {
    const text = yaml('metricHosts: ["*.Example.com", prometheus.monitoring]', 'environments:', '  - name: prod', '    paths: ["prod/**"]', '    metricHosts: [metrics.example.com]', '  - name: staging', '    paths: ["staging/**"]');
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', defaults());
    expect(parsed.ok).toBe(true);
    expect(parsed.policy.rules.metricHosts).toEqual(['*.example.com', 'prometheus.monitoring']);
    expect(parsed.policy.environments.map((environment) => [environment.name, environment.metricHosts])).toEqual([
      ['prod', ['metrics.example.com']],
      ['staging', ['*.example.com', 'prometheus.monitoring']],
    ]);
  });

  it('an environment may not widen the repository list, nor a repository the defaults\' list: an error at the entry', () => {
    const base = defaults('metricHosts: ["*.corp.example"]');
    const text = yaml('metricHosts: ["*.corp.example"]', 'environments:', '  - name: prod', '    paths: ["prod/**"]', '    metricHosts: [prom.corp.example, 169.254.169.254]');
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', base);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { file: '.gradual.yml', line: 5, column: 38, message: 'metric host "169.254.169.254" is not among "*.corp.example"; a repository may only narrow the repository-wide rules (and so the defaults)' },
    ]);
    const widened = parseRepositoryPolicy(yaml('metricHosts: [evil.test]'), '.gradual.yml', base);
    expect(widened.ok ? [] : widened.errors.map((error) => [error.line, error.message])).toEqual([[1, 'metric host "evil.test" is not among "*.corp.example"; a repository may only narrow the defaults']]);
    // Without its own list, a repository keeps the defaults' one.
    expect(parseRepositoryPolicy(yaml('trigger: merge'), '.gradual.yml', base).policy.environments[0]?.metricHosts).toEqual(['*.corp.example']);
  });

  it('an entry that is not a host is an error at its place', () => {
    const parsed = parseRepositoryPolicy(yaml('metricHosts: ["http://x.example/"]'), '.gradual.yml', defaults());
    expect(parsed.ok ? [] : parsed.errors.map((error) => [error.line, error.message])).toEqual([[1, expect.stringContaining('expected a host name such as "prometheus.monitoring"')]]);
  });

  it('the defaults state metricHosts at the top level only', () => {
    const parsed = parseDefaultPolicy(shippedText.replace("paths: ['**/*.yaml', '**/*.yml']", "paths: ['**/*.yaml', '**/*.yml']\n    metricHosts: [a.example]"), 'policies/default.yml');
    expect(parsed.ok ? [] : parsed.errors.map((error) => error.message)).toEqual(['"metricHosts" belongs at the top level of the defaults: an environment here names only its paths and namespace']);
  });
});
