import { describe, expect, it } from 'vitest';
import { classifyRequest, createRequestCounter } from './request-counter.js';

const server = 'https://127.0.0.1:6443';

describe('classifyRequest', () => {
  it.each([
    {
      method: 'GET',
      path: '/api/v1/namespaces/ns/configmaps/web',
      expected: { kind: 'configmaps', namespace: 'ns', name: 'web', verb: 'get', subresource: '' },
    },
    {
      method: 'GET',
      path: '/api/v1/namespaces/ns/configmaps?labelSelector=a%3Db',
      expected: { kind: 'configmaps', namespace: 'ns', name: '', verb: 'list' },
    },
    {
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/rollouts?watch=true',
      expected: { kind: 'rollouts', namespace: '', name: '', verb: 'watch' },
    },
    {
      method: 'PUT',
      path: '/apis/argoproj.io/v1alpha1/namespaces/ns/rollouts/web/status',
      expected: { kind: 'rollouts', name: 'web', verb: 'update', subresource: 'status' },
    },
    {
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/ns/replicasets/web-abc',
      expected: { kind: 'replicasets', name: 'web-abc', verb: 'patch' },
    },
    { method: 'DELETE', path: '/apis/apps/v1/namespaces/ns/replicasets/web-abc', expected: { verb: 'delete' } },
    { method: 'DELETE', path: '/apis/apps/v1/namespaces/ns/replicasets', expected: { verb: 'deletecollection', name: '' } },
    { method: 'GET', path: '/api/v1/namespaces/ns', expected: { kind: 'namespaces', namespace: '', name: 'ns', verb: 'get' } },
    { method: 'GET', path: '/version', expected: { kind: '/version', verb: 'get' } },
  ])('$method $path', ({ method, path, expected }) => {
    expect(classifyRequest(method, server + path, '200')).toMatchObject({ statusCode: '200', ...expected });
  });

  it('reads the name of a created object from the request body', () => {
    const body = JSON.stringify({ metadata: { name: 'web' } });
    expect(classifyRequest('POST', `${server}/api/v1/namespaces/ns/configmaps`, '201', body)).toMatchObject({
      verb: 'create',
      name: 'web',
    });
    expect(classifyRequest('POST', `${server}/api/v1/namespaces/ns/configmaps`, '201', 'not json')).toMatchObject({ name: '' });
  });
});

describe('createRequestCounter', () => {
  it('counts by label set and separates writes from reads', () => {
    const counter = createRequestCounter();
    const get = classifyRequest('GET', `${server}/api/v1/namespaces/ns/configmaps/a`, '200');
    for (let i = 0; i < 3; i += 1) counter.record(get);
    counter.record(classifyRequest('PATCH', `${server}/api/v1/namespaces/ns/configmaps/a`, '409'));
    expect(counter.total()).toBe(4);
    expect(counter.total({ verb: 'get' })).toBe(3);
    expect(counter.writes()).toBe(1);
    expect(counter.writes({ statusCode: '200' })).toBe(0);
    expect(counter.counts()).toHaveLength(2);
    counter.reset();
    expect(counter.counts()).toEqual([]);
  });
});
