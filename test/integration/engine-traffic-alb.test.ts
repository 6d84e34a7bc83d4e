import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import {
  ingressRef,
  runAbortScenario,
  runSeedScenario,
  scenarioTimeoutMs,
  trafficBed,
  weightSequence,
} from './support/traffic-fixtures.js';

// The engine driving an AWS ALB Ingress on the real control plane, as Argo's alb.go does: the
// `alb.ingress.kubernetes.io/actions.<rootService>` annotation carries the weighted forward action
// the AWS Load Balancer Controller would apply, recorded in rollouts.argoproj.io/managed-alb-annotations;
// header routes add an action, a condition and a path. No AWS is reached: target-group verification
// stays off (Argo's default; --alb-verify-weight is refused).
const bed = trafficBed('traffic-alb');
const { namespace } = bed;
const managedKey = 'rollouts.argoproj.io/managed-alb-annotations';

const rootPath = (app: string): JsonObject => ({
  path: '/*',
  pathType: 'ImplementationSpecific',
  backend: { service: { name: `${app}-root`, port: { name: 'use-annotation' } } },
});

async function createIngress(app: string, service = `${app}-root`): Promise<void> {
  await bed.createObject(ingressRef(namespace, `${app}-ingress`), {
    metadata: { name: `${app}-ingress`, namespace, annotations: { 'kubernetes.io/ingress.class': 'alb' } },
    spec: {
      rules: [{ http: { paths: [{ ...rootPath(app), backend: { service: { name: service, port: { name: 'use-annotation' } } } }] } }],
    },
  });
}

const actionKey = (app: string): string => `alb.ingress.kubernetes.io/actions.${app}-root`;

function action(app: string, canary: number, stable: number): string {
  return JSON.stringify({
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { ServiceName: `${app}-canary`, ServicePort: '80', Weight: canary },
        { ServiceName: `${app}-stable`, ServicePort: '80', Weight: stable },
      ],
    },
  });
}

function annotationsOf(object: JsonObject): Record<string, string> {
  return ((object['metadata'] as JsonObject)['annotations'] ?? {}) as Record<string, string>;
}

const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const value = annotationsOf(object)[actionKey(app)];
    if (value === undefined) return undefined;
    const parsed = JSON.parse(value) as { ForwardConfig: { TargetGroups: { ServiceName: string; Weight: number }[] } };
    return parsed.ForwardConfig.TargetGroups.find((group) => group.ServiceName === `${app}-canary`)?.Weight;
  };

const albRouting = (app: string): Record<string, unknown> => ({
  alb: { ingress: `${app}-ingress`, servicePort: 80, rootService: `${app}-root` },
});

describe('canary with an AWS ALB Ingress, driven by the engine', () => {
  it(
    'seed scenario: the action at 0, then 20 → promote → 40 → 60 → 80 → 100 → 0, one write per change',
    async () => {
      const app = 'lb';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      await createIngress(app);
      const ref = ingressRef(namespace, `${app}-ingress`);
      const history = await bed.history(ref);
      await runSeedScenario(
        bed,
        app,
        { trafficRouting: albRouting(app) },
        {
          async healthy() {
            await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, { what: 'the action at 0', timeoutMs: 30_000 });
          },
          async paused() {
            const annotations = annotationsOf(await bed.read(ref));
            expect(annotations[actionKey(app)]).toBe(action(app, 20, 80));
            expect(annotations[managedKey]).toBe(JSON.stringify({ [app]: [actionKey(app)] }));
            expect(annotations['kubernetes.io/ingress.class']).toBe('alb');
          },
          async done() {
            await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, {
              what: 'the action back to 0',
              timeoutMs: 30_000,
            });
            expect(annotationsOf(await bed.read(ref))[actionKey(app)]).toBe(action(app, 0, 100));
          },
        },
      );
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, canaryWeightOf(app))).toEqual([undefined, 0, 20, 40, 60, 80, 100, 0]);
      expect(versions.length - 1).toBe(7);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the action at 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'la';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      await createIngress(app);
      const ref = ingressRef(namespace, `${app}-ingress`);
      await runAbortScenario(bed, app, { trafficRouting: albRouting(app) }, async () => canaryWeightOf(app)(await bed.read(ref)));
      expect(annotationsOf(await bed.read(ref))[actionKey(app)]).toBe(action(app, 0, 100));
    },
    scenarioTimeoutMs,
  );

  it(
    'a header route: action, condition and path while the step holds, all removed at the end',
    async () => {
      const app = 'lh';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      await createIngress(app);
      const ref = ingressRef(namespace, `${app}-ingress`);
      const steps = [
        { setWeight: 20 },
        { setHeaderRoute: { name: 'by-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
        { pause: {} },
      ];
      await bed.createRollout(app, { steps, trafficRouting: { ...albRouting(app), managedRoutes: [{ name: 'by-header' }] } });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      await bed.until(app, 'the canary to pause', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 2);
      const during = await bed.read(ref);
      const annotations = annotationsOf(during);
      expect(annotations['alb.ingress.kubernetes.io/actions.by-header']).toBe(
        JSON.stringify({
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ ServiceName: `${app}-canary`, ServicePort: '80', Weight: 100 }] },
        }),
      );
      expect(annotations['alb.ingress.kubernetes.io/conditions.by-header']).toBe(
        JSON.stringify([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-canary', values: ['yes'] } }]),
      );
      const paths = (((during['spec'] as JsonObject)['rules'] as JsonObject[])[0]?.['http'] as JsonObject)['paths'];
      expect(paths).toEqual([
        { path: '/*', pathType: 'ImplementationSpecific', backend: { service: { name: 'by-header', port: { name: 'use-annotation' } } } },
        rootPath(app),
      ]);

      await bed.verb('promote', app);
      await bed.until(app, 'Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash);
      await waitUntil(async () => annotationsOf(await bed.read(ref))['alb.ingress.kubernetes.io/actions.by-header'] === undefined, {
        what: 'the header route removed',
        timeoutMs: 30_000,
      });
      const after = await bed.read(ref);
      expect(annotationsOf(after)['alb.ingress.kubernetes.io/conditions.by-header']).toBeUndefined();
      expect((((after['spec'] as JsonObject)['rules'] as JsonObject[])[0]?.['http'] as JsonObject)['paths']).toEqual([rootPath(app)]);
    },
    scenarioTimeoutMs,
  );

  it.each([
    [
      'a prefix header value (ALB matches exact values only)',
      { setHeaderRoute: { name: 'r', match: [{ headerName: 'x', headerValue: { prefix: 'a' } }] } },
      "spec.strategy.canary.steps[1].setHeaderRoute.match[0].headerValue: SetHeaderRoute match value invalid. ALB supports 'exact' value only",
    ],
    [
      'a setMirrorRoute step',
      { setMirrorRoute: { name: 'r', match: [{ path: { prefix: '/api' } }] } },
      'spec.strategy.canary.steps[1].setMirrorRoute: SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API',
    ],
  ])(
    '%s is refused as Argo refuses it: InvalidSpec, the Ingress untouched',
    async (_, step, message) => {
      const app = `lr-${String(message.length)}`;
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      await createIngress(app);
      const ref = ingressRef(namespace, `${app}-ingress`);
      const before = await bed.read(ref);
      await bed.createRollout(app, {
        steps: [{ setWeight: 20 }, step, { pause: {} }],
        trafficRouting: { ...albRouting(app), managedRoutes: [{ name: 'r' }] },
      });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: ${message}`,
      );
      expect(await bed.read(ref)).toEqual(before);
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );

  it(
    'bad input: an Ingress without a rule to the root Service is an InvalidSpec naming the Ingress and field, nothing written',
    async () => {
      const app = 'lx';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      await createIngress(app, 'somewhere-else');
      const ref = ingressRef(namespace, `${app}-ingress`);
      const before = await bed.read(ref);
      await bed.createRollout(app, { trafficRouting: albRouting(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(
        `Ingress ${namespace}/${app}-ingress spec.rules: ingress does not have service \`${app}-root\` in rules`,
      );
      expect(await bed.read(ref)).toEqual(before);
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
});
