import { gatewayApiPluginName, gatewayApiTrafficRoutingSchema } from '../../api/traffic-routing.js';
import { parseObject, type Parsed } from '../parse-object.js';
import { problemAt } from '../plan.js';
import type { RouterRollout } from '../types.js';

/** The plugin's defaults (internal/defaults/defaults.go of argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi). */
export const inProgressLabelKey = 'rollouts.argoproj.io/gatewayapi-canary';
export const inProgressLabelValue = 'in-progress';

/** The Gateway API router's settings, normalised as the plugin normalises them. */
export interface GatewayApiConfig {
  namespace: string;
  /** HTTPRoutes by name; `httpRoute` (singular) takes header routes, as in the plugin. */
  httpRoutes: { name: string; useHeaderRoutes: boolean }[];
  /** The label marking a route while a canary runs; undefined when disabled. */
  inProgressLabel: { key: string; value: string } | undefined;
}

const knownKeys = new Set(['httpRoute', 'httpRoutes', 'namespace', 'disableInProgressLabel', 'inProgressLabelKey', 'inProgressLabelValue']);

/**
 * The config under `trafficRouting.gatewayAPI`, or under Argo's plugin name
 * `trafficRouting.plugins["argoproj-labs/gatewayAPI"]` (an alias, so a
 * Rollout written for Argo's plugin works unchanged). Fields of the plugin
 * Gradual does not have yet (gRPC, TCP, TLS routes, route selectors) are an
 * InvalidSpec naming them, never ignored.
 */
export function gatewayApiConfig(rollout: RouterRollout): Parsed<GatewayApiConfig> {
  const place = { kind: 'Rollout', namespace: rollout.namespace, name: rollout.name };
  const native = rollout.trafficRouting.gatewayAPI;
  const otherPlugin = Object.keys(rollout.trafficRouting.plugins ?? {}).find((name) => name !== gatewayApiPluginName);
  if (otherPlugin !== undefined) {
    return problemAt(
      'InvalidSpec',
      place,
      `spec.strategy.canary.trafficRouting.plugins["${otherPlugin}"]`,
      `traffic router plugin "${otherPlugin}" is not supported by Gradual (built in: istio, nginx, smi, gatewayAPI)`,
    );
  }
  const plugin = rollout.trafficRouting.plugins?.[gatewayApiPluginName];
  const field =
    native === undefined
      ? `spec.strategy.canary.trafficRouting.plugins["${gatewayApiPluginName}"]`
      : 'spec.strategy.canary.trafficRouting.gatewayAPI';
  const parsed = parseObject(gatewayApiTrafficRoutingSchema, native ?? plugin ?? {}, place);
  if (!parsed.ok) return problemAt('InvalidSpec', place, `${field}.${parsed.problem.field}`, parsed.problem.message);
  const config = parsed.value;
  const unknown = Object.keys(config).find((key) => !knownKeys.has(key));
  if (unknown !== undefined)
    return problemAt(
      'InvalidSpec',
      place,
      `${field}.${unknown}`,
      `"${unknown}" is not yet supported by Gradual's Gateway API router (HTTPRoutes only)`,
    );
  const httpRoutes = [...(config.httpRoutes ?? []).map((route) => ({ name: route.name, useHeaderRoutes: route.useHeaderRoutes ?? false }))];
  if (config.httpRoute !== undefined && config.httpRoute !== '') httpRoutes.push({ name: config.httpRoute, useHeaderRoutes: true });
  if (httpRoutes.length === 0)
    return problemAt('InvalidSpec', place, field, "No routes configured. At least one of 'httpRoutes' or 'httpRoute' must be set");
  return {
    ok: true,
    value: {
      namespace: config.namespace === undefined || config.namespace === '' ? rollout.namespace : config.namespace,
      httpRoutes,
      inProgressLabel:
        config.disableInProgressLabel === true
          ? undefined
          : {
              key: nonEmpty(config.inProgressLabelKey) ?? inProgressLabelKey,
              value: nonEmpty(config.inProgressLabelValue) ?? inProgressLabelValue,
            },
    },
  };
}

/** The plugin treats an empty string as unset. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
