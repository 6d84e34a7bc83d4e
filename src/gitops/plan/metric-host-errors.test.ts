import { describe, expect, it } from 'vitest';
import { parseManifests } from '../manifests/index.js';
import { metricHostErrors } from './metric-host-errors.js';

const template = (...metrics: string[]): string =>
  [
    'apiVersion: argoproj.io/v1alpha1', //   1
    'kind: AnalysisTemplate', //              2
    'metadata:', //                           3
    '  name: success-rate', //                4
    'spec:', //                               5
    '  args: [{ name: host }]', //            6
    '  metrics:', //                          7
    ...metrics,
  ].join('\n');

const web = (name: string, url: string): string =>
  `    - name: ${name}\n      provider:\n        web:\n          url: ${JSON.stringify(url)}`;
const prometheus = (name: string, address: string): string =>
  `    - name: ${name}\n      provider:\n        prometheus:\n          address: ${JSON.stringify(address)}\n          query: up`;

function errorsFor(text: string, allowed: string[] | undefined): string[] {
  const parsed = parseManifests([{ path: 'analysis.yaml', text }], { namespace: 'prod' });
  expect(parsed.errors).toEqual([]);
  return metricHostErrors(parsed.objects, allowed, 'prod').map(
    (error) => `${error.file}:${String(error.line)}:${String(error.column)} ${error.path ?? ''}: ${error.message}`,
  );
}

describe("metricHostErrors: the environment's metricHosts on the pull request's analysis", () => {
  it('without an allowlist, any host', () => {
    expect(errorsFor(template(web('a', 'http://169.254.169.254/'), web('b', 'http://{{args.host}}/')), undefined)).toEqual([]);
  });

  it('allowed hosts, by name and by wildcard, case-insensitively, with templates outside the host', () => {
    const text = template(
      web('a', 'https://metrics.example.com/q?service={{args.service}}'),
      prometheus('b', 'http://Prometheus.Monitoring:9090'),
      web('c', 'http://canary.svc.example.com:8080/{{args.path}}'),
    );
    expect(errorsFor(text, ['metrics.example.com', 'prometheus.monitoring', '*.example.com'])).toEqual([]);
  });

  it('a host outside the list, a templated host and a URL that is not one: each an error at its field', () => {
    const text = template(
      web('metadata', 'http://169.254.169.254/latest/meta-data/'),
      web('templated', 'http://{{args.host}}/x'),
      prometheus('elsewhere', 'http://prometheus.evil.test'),
      web('broken', 'not a url'),
      web('apex', 'https://example.com/'),
    );
    expect(errorsFor(text, ['*.example.com'])).toEqual([
      'analysis.yaml:11:16 spec.metrics[0].provider.web.url: metric "metadata": host "169.254.169.254" is not among the metric hosts environment "prod" allows ("*.example.com")',
      'analysis.yaml:15:16 spec.metrics[1].provider.web.url: metric "templated": the host of url is a template ({{args.host}}), which cannot be checked before the metric runs; environment "prod" allows only metric hosts "*.example.com", so write the host out',
      'analysis.yaml:19:20 spec.metrics[2].provider.prometheus.address: metric "elsewhere": host "prometheus.evil.test" is not among the metric hosts environment "prod" allows ("*.example.com")',
      'analysis.yaml:24:16 spec.metrics[3].provider.web.url: metric "broken": url "not a url" is not a URL, so its host cannot be checked against the metric hosts environment "prod" allows ("*.example.com")',
      'analysis.yaml:28:16 spec.metrics[4].provider.web.url: metric "apex": host "example.com" is not among the metric hosts environment "prod" allows ("*.example.com")',
    ]);
  });

  it('an empty list allows no metric host', () => {
    expect(errorsFor(template(web('a', 'http://metrics.example.com/')), [])).toEqual([
      'analysis.yaml:11:16 spec.metrics[0].provider.web.url: metric "a": host "metrics.example.com" is not among the metric hosts environment "prod" allows (none)',
    ]);
  });

  it('a hostile host spelling is read as the URL parser reads it (userinfo, trailing dot, case)', () => {
    const text = template(web('a', 'http://metrics.example.com@169.254.169.254/'), web('b', 'http://METRICS.example.com/'));
    expect(errorsFor(text, ['metrics.example.com'])).toEqual([
      'analysis.yaml:11:16 spec.metrics[0].provider.web.url: metric "a": host "169.254.169.254" is not among the metric hosts environment "prod" allows ("metrics.example.com")',
    ]);
  });
});
