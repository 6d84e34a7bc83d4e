import { describe, expect, it } from 'vitest';
import { issuesOf, rawRollout } from './testing/raw-rollout.js';

/** A canary with an experiment step (setWeight 20 first) and the given router and template weights. */
function rollout(trafficRouting: Record<string, unknown> | undefined, weights: (number | undefined)[]): Record<string, unknown> {
  const templates = weights.map((weight, index) => ({
    name: `t${String(index)}`,
    specRef: index === 0 ? 'canary' : 'stable',
    ...(weight === undefined ? {} : { weight }),
  }));
  return rawRollout({
    strategy: {
      canary: {
        canaryService: 'web-canary',
        stableService: 'web-stable',
        ...(trafficRouting === undefined ? {} : { trafficRouting }),
        steps: [{ setWeight: 20 }, { experiment: { templates } }, { pause: {} }],
      },
    },
  });
}

const at = (index: number) => `spec.strategy.canary.steps[1].experiment.templates[${String(index)}].weight`;
const smi = { smi: {} };
const alb = { alb: { ingress: 'web', servicePort: 80 } };
const istio = { istio: { virtualService: { name: 'web-vs', routes: ['primary'] } } };

describe('experiment template weights', () => {
  it.each([
    ['SMI', smi, [10, 5]],
    ['ALB', alb, [10]],
    ['Istio', istio, [40, 40]],
    ['SMI, a template without weight beside one with', smi, [10, undefined]],
    ['no weights without a router', undefined, [undefined, undefined]],
  ] as const)('are accepted with %s', (_name, routing, weights) => {
    expect(issuesOf(rollout(routing, [...weights]))).toEqual([]);
  });

  it.each([
    [
      "without trafficRouting: Argo's words",
      undefined,
      [10],
      [`${at(0)}: Experiment template weight cannot be set unless TrafficRouting is enabled`],
    ],
    [
      "with NGINX: Argo's words",
      { nginx: { stableIngress: 'web' } },
      [10],
      [`${at(0)}: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time`],
    ],
    [
      "with Traefik, each weighted template: Argo's words",
      { traefik: { weightedTraefikServiceName: 'web' } },
      [10, undefined, 5],
      [
        `${at(0)}: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time`,
        `${at(2)}: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time`,
      ],
    ],
    [
      'with the Gateway API plugin (Argo accepts plugins; this one would drop the weight)',
      { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web' } } },
      [10],
      [`${at(0)}: not yet supported by Gradual: weight with the Gateway API plugin (its HTTPRoutes take no additional destinations)`],
    ],
    [
      'with NGINX beside SMI (NGINX would not split to it)',
      { smi: {}, nginx: { stableIngress: 'web' } },
      [10],
      [
        `${at(0)}: not yet supported by Gradual: weight with nginx beside SMI, ALB or Istio (nginx would not send the experiment its share)`,
      ],
    ],
    [
      'summing over 100 with the setWeight in force',
      smi,
      [50, 40],
      [`${at(1)}: the experiment's template weights and setWeight 20 sum to 110, over 100: the stable Service would get a negative weight`],
    ],
    ['negative', alb, [-5], [`${at(0)}: must be between 0 and 100 (got -5)`]],
  ] as const)('are refused %s, at the weight', (_name, routing, weights, expected) => {
    expect(issuesOf(rollout(routing, [...weights]))).toEqual(expected);
  });
});
