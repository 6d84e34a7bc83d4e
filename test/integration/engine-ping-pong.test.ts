import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import type { JsonObject } from '../../src/traffic/index.js';
import { ingressRef, scenarioTimeoutMs, trafficBed } from './support/traffic-fixtures.js';

// canary.pingPong with ALB on the real control plane, as Argo v1.9.1 does it: the ping and pong
// Services take turns. The first revision lands on ping (stablePingPong: ping); the next canary on
// pong, the ALB action forwarding to pong and ping; at promotion they swap roles — no Service
// selector moves, pong is stable and takes all the traffic.
const bed = trafficBed('ping-pong');
const { namespace } = bed;

function targetGroups(object: JsonObject, app: string): unknown {
  const annotations = ((object['metadata'] as JsonObject)['annotations'] ?? {}) as Record<string, string>;
  const value = annotations[`alb.ingress.kubernetes.io/actions.${app}-root`];
  return value === undefined ? undefined : (JSON.parse(value) as { ForwardConfig: { TargetGroups: unknown } }).ForwardConfig.TargetGroups;
}

describe('canary.pingPong with ALB, driven by the engine', () => {
  it(
    'ping holds the first revision; the canary goes to pong at 20 %; promotion swaps the roles',
    async () => {
      const app = 'pp';
      await bed.createServices(app, [`${app}-ping`, `${app}-pong`, `${app}-root`]);
      const ref = ingressRef(namespace, `${app}-ingress`);
      await bed.createObject(ref, {
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/*',
                    pathType: 'ImplementationSpecific',
                    backend: { service: { name: `${app}-root`, port: { name: 'use-annotation' } } },
                  },
                ],
              },
            },
          ],
        },
      });
      await bed.createRollout(app, {
        canaryService: undefined,
        stableService: undefined,
        pingPong: { pingService: `${app}-ping`, pongService: `${app}-pong` },
        trafficRouting: { alb: { ingress: `${app}-ingress`, servicePort: 80, rootService: `${app}-root` } },
        steps: [{ setWeight: 20 }, { pause: {} }],
      });
      const first = await bed.until(
        app,
        'the first revision Healthy on ping',
        (r) => r.status?.phase === 'Healthy' && r.status.canary?.stablePingPong === 'ping',
      );
      const blue = first.status?.currentPodHash ?? '';
      expect((await bed.selectorOf(`${app}-ping`))?.['rollouts-pod-template-hash']).toBe(blue);

      await bed.setImage(app, 'example.test/app:yellow');
      const paused = await bed.until(app, 'the canary paused', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
      const yellow = paused.status?.currentPodHash ?? '';
      expect((await bed.selectorOf(`${app}-pong`))?.['rollouts-pod-template-hash']).toBe(yellow);
      expect((await bed.selectorOf(`${app}-ping`))?.['rollouts-pod-template-hash']).toBe(blue);
      expect(targetGroups(await bed.read(ref), app)).toEqual([
        { ServiceName: `${app}-pong`, ServicePort: '80', Weight: 20 },
        { ServiceName: `${app}-ping`, ServicePort: '80', Weight: 80 },
      ]);

      await bed.verb('promote', app);
      const done = await bed.until(app, 'yellow stable on pong', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === yellow);
      expect(done.status?.canary?.stablePingPong).toBe('pong');
      await waitUntil(
        async () =>
          JSON.stringify(targetGroups(await bed.read(ref), app)) ===
          JSON.stringify([
            { ServiceName: `${app}-ping`, ServicePort: '80', Weight: 0 },
            { ServiceName: `${app}-pong`, ServicePort: '80', Weight: 100 },
          ]),
        { what: 'all traffic on pong', timeoutMs: 30_000 },
      );
      expect((await bed.selectorOf(`${app}-pong`))?.['rollouts-pod-template-hash']).toBe(yellow);
    },
    scenarioTimeoutMs,
  );
});
