import { describe, expect, it } from 'vitest';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, SetHeaderRoute } from '../types.js';
import { apisixRouteRef, headerExprs, planApisixHeaderRoute, planApisixRemoveRoute, planApisixWeight } from './apisix-route.js';

const uid = '7d0c1f3e-0000-4000-8000-000000000001';
const owner = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  name: 'rollouts-demo',
  uid,
  controller: true,
  blockOwnerDeletion: true,
};
const rollout = testRouterRollout({
  apisix: { route: { name: 'demo-route', rules: ['rule-1'] } },
  managedRoutes: [{ name: 'set-header' }],
});
const routeRef = apisixRouteRef('default', 'demo-route');
const headerRef = apisixRouteRef('default', 'set-header');

const backends = (canary: number, stable: number): JsonObject[] => [
  { serviceName: 'rollouts-demo-stable', servicePort: 80, weight: stable },
  { serviceName: 'rollouts-demo-canary', servicePort: 80, weight: canary },
];

function route(http: JsonObject[], extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apisix.apache.org/v2',
    kind: 'ApisixRoute',
    metadata: { name: 'demo-route', namespace: 'default', resourceVersion: '5', uid: 'route-uid', labels: { app: 'demo' }, ...extra },
    spec: { http },
  };
}

const rule = (canary: number, stable: number): JsonObject => ({
  name: 'rule-1',
  match: { hosts: ['demo.local'], paths: ['/*'] },
  backends: backends(canary, stable),
});

describe('planApisixWeight', () => {
  it.each([
    { weight: 20, to: rule(20, 80) },
    { weight: 100, to: rule(100, 0) },
  ])('sets the canary to $weight in the named rule, the other rules untouched', ({ weight, to }) => {
    const other = { name: 'other', backends: [{ serviceName: 'rollouts-demo-stable', weight: 1 }] };
    expect(planApisixWeight({ rollout, ref: routeRef, object: route([rule(0, 100), other]), desiredWeight: weight })).toEqual({
      ok: true,
      writes: [{ verb: 'patch', ref: routeRef, patch: { spec: { http: [to, other] } }, resourceVersion: '5' }],
      events: [],
    });
  });

  it('writes nothing when the weights are already set', () => {
    expect(planApisixWeight({ rollout, ref: routeRef, object: route([rule(20, 80)]), desiredWeight: 20 })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it('defaults the rule to the route name, as Argo does', () => {
    const plain = testRouterRollout({ apisix: { route: { name: 'demo-route' } } });
    const plan = planApisixWeight({
      rollout: plain,
      ref: routeRef,
      object: route([{ ...rule(0, 100), name: 'demo-route' }]),
      desiredWeight: 40,
    });
    expect(plan.ok && plan.writes.length).toBe(1);
  });

  it.each([
    {
      what: 'a rule missing',
      http: [{ ...rule(0, 100), name: 'rule-2' }],
      field: 'spec.http',
      message: 'Apisix http route rule rule-1 not found',
    },
    {
      what: 'the canary backend missing',
      http: [{ name: 'rule-1', backends: [{ serviceName: 'rollouts-demo-stable', weight: 100 }] }],
      field: 'spec.http[0].backends',
      message: 'apisix route rollouts-demo-canary backend was not found',
    },
    { what: 'no backends', http: [{ name: 'rule-1' }], field: 'spec.http[0].backends', message: 'Apisix http route backends not found' },
  ])('refuses $what, naming the ApisixRoute and field', ({ http, field, message }) => {
    const plan = planApisixWeight({ rollout, ref: routeRef, object: route(http), desiredWeight: 20 });
    expect(plan).toEqual({
      ok: false,
      problem: { code: 'InvalidSpec', kind: 'ApisixRoute', namespace: 'default', name: 'demo-route', field, message },
    });
  });
});

describe('planApisixHeaderRoute', () => {
  const step: SetHeaderRoute = { name: 'set-header', match: [{ headerName: 'trace', headerValue: { exact: 'yes' } }] };

  it('creates the header route from the main route: owned, canary only at 100, priority + 1, the headers matched', () => {
    const plan = planApisixHeaderRoute({ rollout, routeRef, headerRef, route: route([rule(20, 80)]), header: undefined, step });
    expect(plan).toEqual({
      ok: true,
      events: [],
      writes: [
        {
          verb: 'create',
          ref: headerRef,
          object: {
            apiVersion: 'apisix.apache.org/v2',
            kind: 'ApisixRoute',
            metadata: { name: 'set-header', namespace: 'default', labels: { app: 'demo' }, ownerReferences: [owner] },
            spec: {
              http: [
                {
                  name: 'rule-1',
                  priority: 1,
                  match: {
                    hosts: ['demo.local'],
                    paths: ['/*'],
                    exprs: [{ subject: { scope: 'Header', name: 'trace' }, op: 'Equal', value: 'yes' }],
                  },
                  backends: [{ serviceName: 'rollouts-demo-canary', servicePort: 80, weight: 100 }],
                },
              ],
            },
          },
        },
      ],
    });
  });

  it('deletes its own header route when the step has no match, on the version read', () => {
    const header = route([rule(100, 0)], { name: 'set-header', resourceVersion: '9', ownerReferences: [owner] });
    expect(
      planApisixHeaderRoute({ rollout, routeRef, headerRef, route: route([rule(20, 80)]), header, step: { name: 'set-header' } }),
    ).toEqual({
      ok: true,
      writes: [{ verb: 'delete', ref: headerRef, resourceVersion: '9' }],
      events: [],
    });
  });

  it('without match and without the route, nothing to do', () => {
    expect(
      planApisixHeaderRoute({ rollout, routeRef, headerRef, route: undefined, header: undefined, step: { name: 'set-header' } }),
    ).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it("refuses an ApisixRoute of that name the Rollout does not own (hostile: a step must not take over someone's route)", () => {
    const header = route([rule(0, 100)], { name: 'set-header' });
    const plan = planApisixHeaderRoute({ rollout, routeRef, headerRef, route: route([rule(20, 80)]), header, step });
    expect(plan).toEqual({
      ok: false,
      problem: {
        code: 'NotOwned',
        kind: 'ApisixRoute',
        namespace: 'default',
        name: 'set-header',
        field: 'metadata.ownerReferences',
        message: 'duplicate ApisixRoute [set-header] already exists',
      },
    });
  });

  it('a prefix is matched literally (its regular-expression characters escaped)', () => {
    expect(
      headerExprs({
        name: 'h',
        match: [
          { headerName: 'v', headerValue: { prefix: 'a.b(' } },
          { headerName: 'w', headerValue: { regex: 'x.*' } },
        ],
      }),
    ).toEqual([
      { subject: { scope: 'Header', name: 'v' }, op: 'RegexMatch', value: '^a\\.b\\(.*' },
      { subject: { scope: 'Header', name: 'w' }, op: 'RegexMatch', value: 'x.*' },
    ]);
  });
});

describe('planApisixRemoveRoute', () => {
  it.each([
    { what: 'owned: deleted', owners: [owner], writes: [{ verb: 'delete', ref: headerRef, resourceVersion: '5' }] },
    { what: 'not owned: left alone', owners: [], writes: [] },
  ])('$what', ({ owners, writes }) => {
    const object = route([rule(100, 0)], { name: 'set-header', ownerReferences: owners });
    expect(planApisixRemoveRoute(rollout, headerRef, object)).toEqual({ ok: true, writes, events: [] });
  });
});
