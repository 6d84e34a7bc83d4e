import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/api/index.js';
import { createExperimentController, type ExperimentController } from '../../src/engine/controller/experiment-controller.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import type { JsonObject } from '../../src/traffic/index.js';
import { scenarioTimeoutMs, trafficBed, trafficSplitRef } from './support/traffic-fixtures.js';

// An experiment step's template weight on the real control plane, with SMI: while the step's Experiment runs,
// the TrafficSplit carries the experiment template's Service as an extra backend at its weight and the stable
// backend gives it up (Argo's calculateWeightDestinationsFromExperiment and smi.go); when the Experiment ends
// the backend goes and the stable gets its share back. Every wait is a bounded poll or a watch of observable state.
const bed = trafficBed('traffic-xweight');
const { namespace, cluster } = bed;
let experiments: ExperimentController;

beforeAll(async () => {
  experiments = createExperimentController({ kubeConfig: cluster.kubeConfig, namespace, logger: createLogger({ level: 'warn' }) });
  await experiments.start();
}, 60_000);

afterAll(async () => {
  await experiments.stop();
});

type Backends = Record<string, number>;

function backendsOf(object: JsonObject | undefined): Backends {
  const backends = ((object?.['spec'] as JsonObject | undefined)?.['backends'] as JsonObject[] | undefined) ?? [];
  return Object.fromEntries(backends.map((backend) => [String(backend['service']), Number(backend['weight'])]));
}

async function experimentNamed(name: string): Promise<Experiment> {
  return (await cluster.custom.getNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace,
    plural: 'experiments',
    name,
  })) as Experiment;
}

describe('experiment template weights with an SMI TrafficSplit', () => {
  it(
    'the running Experiment gets its weight from the stable, and gives it back when it ends',
    async () => {
      const app = 'xw';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      const ref = trafficSplitRef(namespace, `${app}-split`);
      // A container port: the Experiment controller gives a template a Service only when its pods expose one (as Argo's).
      await cluster.custom.createNamespacedCustomObject({
        ...cluster.rolloutApi,
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: app, namespace },
          spec: {
            replicas: 5,
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels: { app } },
              spec: { containers: [{ name: 'app', image: 'example.test/app:blue', ports: [{ name: 'http', containerPort: 8080 }] }] },
            },
            strategy: {
              canary: {
                canaryService: `${app}-canary`,
                stableService: `${app}-stable`,
                trafficRouting: { smi: { rootService: `${app}-root`, trafficSplitName: `${app}-split` } },
                steps: [
                  { setWeight: 20 },
                  { experiment: { duration: '30s', templates: [{ name: 'exp', specRef: 'canary', weight: 10 }] } },
                  { pause: {} },
                ],
              },
            },
          },
        },
      });
      await bed.until(app, 'the first revision Healthy', (r) => r.status?.phase === 'Healthy');
      const history = await bed.history(ref);
      await bed.setImage(app, 'example.test/app:yellow');
      const atStep = await bed.until(
        app,
        'the Rollout at the experiment step naming its Experiment',
        (r) => r.status?.currentStepIndex === 1 && (r.status.canary?.currentExperiment ?? '') !== '',
      );
      const name = atStep.status?.canary?.currentExperiment ?? '';
      const service = `${name}-exp`;
      const running = await bed.until(app, 'status.canary.weights with the experiment destination', (r) =>
        (r.status?.canary?.weights?.additional ?? []).some((destination) => destination.serviceName === service),
      );
      expect(running.status?.canary?.weights).toMatchObject({
        canary: { weight: 20, serviceName: `${app}-canary` },
        stable: { weight: 70, serviceName: `${app}-stable` },
        additional: [{ weight: 10, serviceName: service }],
      });
      const experiment = await experimentNamed(name);
      const templateStatus = experiment.status?.templateStatuses?.find((status) => status.name === 'exp');
      expect(templateStatus?.serviceName).toBe(service);
      expect(running.status?.canary?.weights?.additional?.[0]?.podTemplateHash).toBe(templateStatus?.podTemplateHash);

      // The step moves on once the Experiment succeeds (its 30 s duration over).
      const after = await bed.until(app, 'the pause after the experiment step', (r) => r.status?.currentStepIndex === 2);
      expect(after.status?.canary?.weights?.additional).toBeUndefined();
      await waitUntil(async () => backendsOf(await bed.read(ref))[service] === undefined, {
        what: 'the experiment backend gone from the TrafficSplit',
        timeoutMs: 30_000,
      });
      expect(backendsOf(await bed.read(ref))).toEqual({ [`${app}-canary`]: 20, [`${app}-stable`]: 80 });
      expect((await experimentNamed(name)).status?.phase).toBe('Successful');

      // Every state the TrafficSplit went through, consecutive repeats folded: the experiment's share came from the stable.
      const states = history.versions().map((version) => JSON.stringify(backendsOf(version)));
      await history.stop();
      const folded = states
        .filter((state, index) => index === 0 || states[index - 1] !== state)
        .map((state) => JSON.parse(state) as Backends);
      expect(folded).toContainEqual({ [`${app}-canary`]: 20, [service]: 10, [`${app}-stable`]: 70 });
      expect(folded.at(-1)).toEqual({ [`${app}-canary`]: 20, [`${app}-stable`]: 80 });
      for (const state of folded) expect(Object.values(state).reduce((sum, weight) => sum + weight, 0)).toBe(100);
    },
    scenarioTimeoutMs,
  );

  it.each([
    [
      'weights that with setWeight 20 sum over 100',
      { smi: {} },
      [60, 30],
      "spec.strategy.canary.steps[1].experiment.templates[1].weight: the experiment's template weights and setWeight 20 sum to 110, over 100: the stable Service would get a negative weight",
    ],
    [
      'a weight with a router that does not take it (Traefik)',
      { traefik: { weightedTraefikServiceName: 'none' } },
      [10, undefined],
      'spec.strategy.canary.steps[1].experiment.templates[0].weight: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
    ],
  ])(
    '%s is refused: InvalidSpec naming the weight, nothing created',
    async (_name, routing, weights, message) => {
      const app = `xr-${String(weights.length)}-${Object.keys(routing)[0] ?? ''}`;
      await bed.createServices(app);
      const templates = weights.map((weight, index) => ({
        name: `t${String(index)}`,
        specRef: 'canary',
        ...(weight === undefined ? {} : { weight }),
      }));
      await bed.createRollout(app, { trafficRouting: routing, steps: [{ setWeight: 20 }, { experiment: { templates } }, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: ${message}`,
      );
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
});
