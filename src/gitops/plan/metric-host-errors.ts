import { metricHostAllowed } from '../../policies/metric-hosts.js';
import type { ManifestError, ManifestObject } from '../manifests/index.js';

/*
 * The environment's `metricHosts` checked on the pull request's analysis: every web metric's
 * url and prometheus metric's address in an AnalysisTemplate, ClusterAnalysisTemplate or
 * AnalysisRun must name an allowed host, or the plan has an error at that field. A host
 * written as a template (`http://{{args.host}}/`) cannot be checked before it runs, so with
 * an allowlist it is an error too: the host must be written out. Pure.
 */

const analysisKinds = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun']);

/** The host of a URL as written, lower-cased; `{{` in it means a template. */
function hostOf(url: string): { kind: 'host'; host: string } | { kind: 'templated'; authority: string } | { kind: 'invalid' } {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/iu.exec(url.trim())?.[1];
  if (authority === undefined) return { kind: 'invalid' };
  if (authority.includes('{{')) return { kind: 'templated', authority };
  try {
    // Templates elsewhere in the URL do not change its host.
    return { kind: 'host', host: new URL(url.trim().replace(/\{\{[^}]*\}\}/gu, 'x')).hostname.toLowerCase() };
  } catch {
    return { kind: 'invalid' };
  }
}

function metricsOf(object: ManifestObject): unknown[] {
  const spec = (object.object as { spec?: { metrics?: unknown } }).spec;
  return Array.isArray(spec?.metrics) ? spec.metrics : [];
}

export function metricHostErrors(
  objects: readonly ManifestObject[],
  allowed: readonly string[] | undefined,
  environment: string,
): ManifestError[] {
  if (allowed === undefined) return [];
  const errors: ManifestError[] = [];
  const list = allowed.length === 0 ? 'none' : allowed.map((host) => `"${host}"`).join(', ');
  for (const object of objects) {
    if (!analysisKinds.has(object.ref.kind) || !object.ref.apiVersion.startsWith('argoproj.io/')) continue;
    for (const [index, metric] of metricsOf(object).entries()) {
      const { name, provider } = (metric ?? {}) as {
        name?: unknown;
        provider?: { web?: { url?: unknown }; prometheus?: { address?: unknown } };
      };
      const fields = [
        ['web', 'url', provider?.web?.url],
        ['prometheus', 'address', provider?.prometheus?.address],
      ] as const;
      for (const [type, field, url] of fields) {
        if (typeof url !== 'string') continue;
        const path = ['spec', 'metrics', index, 'provider', type, field];
        const fail = (message: string): void => {
          errors.push({
            file: object.file,
            ...object.locate(path),
            path: `spec.metrics[${String(index)}].provider.${type}.${field}`,
            message: `metric ${JSON.stringify(typeof name === 'string' ? name : String(index))}: ${message}`,
          });
        };
        const host = hostOf(url);
        if (host.kind === 'invalid')
          fail(
            `${field} ${JSON.stringify(url)} is not a URL, so its host cannot be checked against the metric hosts environment "${environment}" allows (${list})`,
          );
        else if (host.kind === 'templated')
          fail(
            `the host of ${field} is a template (${host.authority}), which cannot be checked before the metric runs; environment "${environment}" allows only metric hosts ${list}, so write the host out`,
          );
        else if (!metricHostAllowed(host.host, allowed))
          fail(`host "${host.host}" is not among the metric hosts environment "${environment}" allows (${list})`);
      }
    }
  }
  return errors;
}
