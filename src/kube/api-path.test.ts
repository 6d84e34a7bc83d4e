import { describe, expect, it } from 'vitest';
import { apiPath } from './api-path.js';

describe('apiPath', () => {
  it('encodes a name and a namespace as one segment each', () => {
    expect(apiPath({ version: 'v1', resource: 'configmaps', namespace: 'prod', name: 'a/b%c' })).toBe(
      '/api/v1/namespaces/prod/configmaps/a%2Fb%25c',
    );
    expect(
      apiPath({ group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', namespace: 'prod', name: 'web', subresource: 'status' }),
    ).toBe('/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web/status');
  });

  // encodeURIComponent leaves '.' and '..' as they are, and every HTTP client normalises them away: a Secret named
  // '..' in a metric's secretKeyRef would GET the Namespace, one named '.' would LIST every Secret of the namespace.
  it.each([
    ['a name', { name: '..' }],
    ['a name', { name: '.' }],
    ['a namespace', { namespace: '..', name: 'db' }],
  ])('refuses %s that would leave its path segment: %j', (_, ref) => {
    expect(() => apiPath({ version: 'v1', resource: 'secrets', namespace: 'prod', ...ref })).toThrow(/cannot be a path segment/u);
  });
});
