import { describe, expect, test } from 'vitest';
import type { CanaryStep } from '../api/index.js';
import { canaryRollout } from './testing/fixtures.js';
import { runUntilSettled, simulatedCluster, updateSpec } from './testing/simulate.js';

/*
 * A step with several fields (Argo's e2e fixture rollout-apisix-canary-set-header.yaml: setCanaryScale,
 * setHeaderRoute and pause in one step). Argo's completedCurrentCanaryStep checks pause before the
 * other kinds, so the step applies its scale and route and then waits out its pause; Gradual used to
 * complete it as soon as the canary was scaled, which Argo's TestAPISIXSuite caught.
 */

describe('a canary step that sets a scale and a header route and pauses', () => {
  test('scales, routes, and stays paused at the step until promoted (Argo checks pause first)', () => {
    const steps: CanaryStep[] = [
      {
        setCanaryScale: { replicas: 1 },
        setHeaderRoute: { name: 'set-header', match: [{ headerName: 'trace', headerValue: { exact: 'debug' } }] },
        pause: {},
      },
      { setWeight: 50 },
      { pause: {} },
    ];
    const rollout = canaryRollout({ replicas: 2, steps });
    rollout.spec.strategy = {
      canary: {
        canaryService: 'demo-canary',
        stableService: 'demo-stable',
        trafficRouting: { istio: { virtualService: { name: 'demo-vs', routes: ['primary'] } }, managedRoutes: [{ name: 'set-header' }] },
        steps,
      },
    };
    const cluster = simulatedCluster(rollout);
    for (const name of ['demo-canary', 'demo-stable'])
      cluster.services[name] = { metadata: { name, resourceVersion: '1' }, spec: { selector: { app: 'demo' } } };
    expect(runUntilSettled(cluster).settled).toBe(true);
    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.currentStepIndex).toBe(0);
    expect(cluster.rollout.status?.pauseConditions?.map((pause) => pause.reason)).toEqual(['CanaryPauseStep']);
    expect(cluster.router.routes).toEqual(['set-header']);
  });
});
