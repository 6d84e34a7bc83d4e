import { describe, expect, it } from 'vitest';
import type { AlbTrafficRouting } from '../../api/traffic-routing.js';
import { ingressRef } from '../nginx/canary-ingress.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject } from '../types.js';
import { planAlbHeaderRoute, planAlbRemoveRoutes, planAlbWeight } from './alb-ingress.js';
import { goJson, withManagedKeys } from './annotations.js';
import { albRouterDecisions } from './index.js';

const ref = ingressRef('default', 'demo-ingress');
const managedKey = 'rollouts.argoproj.io/managed-alb-annotations';

function ingress(annotations: Record<string, string> = {}, paths?: JsonObject[]): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'demo-ingress', namespace: 'default', resourceVersion: '3', annotations },
    spec: {
      rules: [
        {
          http: {
            paths: paths ?? [
              {
                path: '/*',
                pathType: 'ImplementationSpecific',
                backend: { service: { name: 'rollouts-demo-root', port: { name: 'use-annotation' } } },
              },
            ],
          },
        },
      ],
    },
  };
}

const alb = (extra: Partial<AlbTrafficRouting> = {}): AlbTrafficRouting => ({
  ingress: 'demo-ingress',
  servicePort: 80,
  rootService: 'rollouts-demo-root',
  ...extra,
});

const action = (canary: number, stable: number, stickiness = ''): string =>
  `{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${String(canary)}},{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${String(stable)}}]${stickiness}}}`;

describe('planAlbWeight', () => {
  it.each([
    { what: 'default prefix', config: alb(), key: 'alb.ingress.kubernetes.io/actions.rollouts-demo-root', value: action(20, 80) },
    {
      what: 'annotationPrefix',
      config: alb({ annotationPrefix: 'custom.alb' }),
      key: 'custom.alb/actions.rollouts-demo-root',
      value: action(20, 80),
    },
    {
      what: 'stickiness',
      config: alb({ stickinessConfig: { enabled: true, durationSeconds: 3600 } }),
      key: 'alb.ingress.kubernetes.io/actions.rollouts-demo-root',
      value: action(20, 80, ',"TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":3600}'),
    },
  ])('writes the forward action and the managed annotation ($what), as Argo does', ({ config, key, value }) => {
    const rollout = testRouterRollout({ alb: config });
    const plan = planAlbWeight({ rollout, alb: config, ref, object: ingress(), desiredWeight: 20, additional: [] });
    expect(plan).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref,
          patch: { metadata: { annotations: { [key]: value, [managedKey]: `{"rollouts-demo":["${key}"]}` } } },
          resourceVersion: '3',
        },
      ],
      events: [{ type: 'Normal', reason: 'PatchingALBIngress', message: "Updating Ingress `demo-ingress` to desiredWeight '20'" }],
    });
  });

  it('the action is named after stableService without rootService; additional destinations come between canary and stable', () => {
    const config = alb({ rootService: undefined });
    delete config.rootService;
    const rollout = testRouterRollout({ alb: config });
    const object = ingress({}, [{ path: '/', backend: { service: { name: 'rollouts-demo-stable', port: { number: 80 } } } }]);
    const plan = planAlbWeight({
      rollout,
      alb: config,
      ref,
      object,
      desiredWeight: 20,
      additional: [{ serviceName: 'exp', weight: 10, podTemplateHash: 'x' }],
    });
    expect(plan.ok && plan.writes[0]?.verb === 'patch' && plan.writes[0].patch).toEqual({
      metadata: {
        annotations: {
          'alb.ingress.kubernetes.io/actions.rollouts-demo-stable':
            '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":20},{"ServiceName":"exp","ServicePort":"80","Weight":10},{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":70}]}}',
          [managedKey]: '{"rollouts-demo":["alb.ingress.kubernetes.io/actions.rollouts-demo-stable"]}',
        },
      },
    });
  });

  it('ping-pong: the action forwards to the ping/pong Services the status names', () => {
    const rollout = testRouterRollout({ alb: alb() }, { pingPong: { stable: 'ping', canary: 'pong' } });
    const plan = planAlbWeight({ rollout, alb: alb(), ref, object: ingress(), desiredWeight: 30, additional: [] });
    expect(plan.ok && plan.writes[0]?.verb === 'patch' && plan.writes[0].patch).toMatchObject({
      metadata: {
        annotations: {
          'alb.ingress.kubernetes.io/actions.rollouts-demo-root':
            '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"pong","ServicePort":"80","Weight":30},{"ServiceName":"ping","ServicePort":"80","Weight":70}]}}',
        },
      },
    });
  });

  it('writes nothing when the action is already set, and keeps other Rollouts in the managed annotation', () => {
    const key = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
    const object = ingress({ [key]: action(20, 80), [managedKey]: `{"other":["x"],"rollouts-demo":["${key}"]}` });
    expect(
      planAlbWeight({ rollout: testRouterRollout({ alb: alb() }), alb: alb(), ref, object, desiredWeight: 20, additional: [] }),
    ).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it.each([
    {
      what: 'no rule to the action service',
      object: ingress({}, [{ path: '/', backend: { service: { name: 'elsewhere' } } }]),
      code: 'InvalidSpec',
      field: 'spec.rules',
      message: 'ingress does not have service `rollouts-demo-root` in rules',
    },
    {
      what: 'an unreadable managed annotation',
      object: ingress({ [managedKey]: '[1' }),
      code: 'InvalidSpec',
      field: `metadata.annotations[${managedKey}]`,
      message: 'not a JSON object of annotation key lists',
    },
    {
      what: 'the Ingress absent',
      object: undefined,
      code: 'NotFound',
      field: '',
      message: 'Ingress `demo-ingress` not found (referenced by spec.strategy.canary.trafficRouting.alb)',
    },
  ])('refuses $what, naming the Ingress and field', ({ object, code, field, message }) => {
    expect(
      planAlbWeight({ rollout: testRouterRollout({ alb: alb() }), alb: alb(), ref, object, desiredWeight: 20, additional: [] }),
    ).toEqual({
      ok: false,
      problem: { code, kind: 'Ingress', namespace: 'default', name: 'demo-ingress', field, message },
    });
  });

  it('refuses a stickiness duration outside 1..604800 at the Rollout field', () => {
    expect(() => albRouterDecisions(testRouterRollout({ alb: alb({ stickinessConfig: { enabled: true, durationSeconds: 0 } }) }))).toThrow(
      "Rollout default/rollouts-demo spec.strategy.canary.trafficRouting.alb.stickinessConfig.durationSeconds: TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!",
    );
  });
});

describe('planAlbHeaderRoute and planAlbRemoveRoutes', () => {
  const rollout = testRouterRollout({ alb: alb(), managedRoutes: [{ name: 'header-route' }] });
  const actionKey = 'alb.ingress.kubernetes.io/actions.header-route';
  const conditionKey = 'alb.ingress.kubernetes.io/conditions.header-route';
  const headerPath = {
    path: '/*',
    pathType: 'ImplementationSpecific',
    backend: { service: { name: 'header-route', port: { name: 'use-annotation' } } },
  };
  const rootPath = {
    path: '/*',
    pathType: 'ImplementationSpecific',
    backend: { service: { name: 'rollouts-demo-root', port: { name: 'use-annotation' } } },
  };

  it('adds the action, the condition (values per header) and a path to the action, first', () => {
    const route = {
      name: 'header-route',
      match: [
        { headerName: 'x-a', headerValue: { exact: '1' } },
        { headerName: 'x-b', headerValue: { exact: 'a&b' } },
        { headerName: 'x-a', headerValue: { exact: '2' } },
      ],
    };
    expect(planAlbHeaderRoute({ rollout, alb: alb(), ref, object: ingress(), route })).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref,
          resourceVersion: '3',
          patch: {
            metadata: {
              annotations: {
                [actionKey]:
                  '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":100}]}}',
                [conditionKey]:
                  '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"x-a","values":["1","2"]}},{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"x-b","values":["a\\u0026b"]}}]',
                [managedKey]: `{"rollouts-demo":["${actionKey}","${conditionKey}"]}`,
              },
            },
            spec: { rules: [{ http: { paths: [headerPath, rootPath] } }] },
          },
        },
      ],
      events: [{ type: 'Normal', reason: 'PatchingALBIngress', message: "Updating Ingress `demo-ingress` to headerRoute 'header-route'" }],
    });
  });

  it.each([
    [
      'the step without match',
      (object: JsonObject) => planAlbHeaderRoute({ rollout, alb: alb(), ref, object, route: { name: 'header-route' } }),
    ],
    ['removeManagedRoutes', (object: JsonObject) => planAlbRemoveRoutes({ rollout, alb: alb(), ref, object })],
  ])('%s removes the action, condition and path', (_, plan) => {
    const object = ingress(
      { [actionKey]: 'a', [conditionKey]: 'c', [managedKey]: `{"rollouts-demo":["${actionKey}","${conditionKey}"]}` },
      [headerPath, rootPath],
    );
    const result = plan(object);
    expect(result.ok && result.writes[0]?.verb === 'patch' && result.writes[0].patch).toEqual({
      metadata: { annotations: { [actionKey]: null, [conditionKey]: null, [managedKey]: '{"rollouts-demo":[]}' } },
      spec: { rules: [{ http: { paths: [rootPath] } }] },
    });
  });
});

describe('annotation encoding', () => {
  it.each([
    { value: { a: '<&>' }, json: '{"a":"\\u003c\\u0026\\u003e"}' },
    { value: ['\u2028'], json: '["\\u2028"]' },
  ])('goJson escapes as Go does: $json', ({ value, json }) => {
    expect(goJson(value)).toBe(json);
  });

  it.each([
    { current: undefined, add: true, keys: ['k'], value: '{"ro":["k"]}' },
    { current: '{"z":["q"],"ro":["k"]}', add: true, keys: ['k', 'l'], value: '{"ro":["k","l"],"z":["q"]}' },
    { current: '{"ro":["k","l"]}', add: false, keys: ['k'], value: '{"ro":["l"]}' },
  ])('withManagedKeys $current + $keys', ({ current, add, keys, value }) => {
    expect(withManagedKeys(current, 'ro', add, keys)).toEqual({ ok: true, value });
  });
});
