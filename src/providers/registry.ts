import type { Metric } from '../api/index.js';
import { prometheusProvider } from './prometheus/prometheus-provider.js';
import { outboundPolicy, type OutboundPolicy } from './outbound/outbound-request.js';
import { providerTypeOf, type MetricProvider } from './provider.js';
import { webProvider } from './web/web-provider.js';
import { kayentaProvider } from './kayenta/kayenta-provider.js';
import { cloudWatchProvider } from './cloudwatch/cloudwatch-provider.js';
import { graphiteProvider } from './graphite/graphite-provider.js';
import { skywalkingProvider } from './skywalking/skywalking-provider.js';
import { datadogProvider } from './datadog/datadog-provider.js';
import { newRelicProvider } from './newrelic/newrelic-provider.js';
import { wavefrontProvider } from './wavefront/wavefront-provider.js';
import { noProviderSecrets, type ProviderSecrets } from './provider-secrets.js';

/*
 * The providers Gradual measures with, in one explicit map: a new provider is one folder and
 * one line here. The job and influxdb providers need the Kubernetes client and are added by the shell. The HTTP
 * providers share the controller's outbound policy (addresses, response cap); those that read
 * their own Secrets (datadog, newRelic, wavefront) get the shell's Secret reader.
 */
export function defaultProviders(
  extra: readonly MetricProvider[] = [],
  policy: OutboundPolicy = outboundPolicy(),
  secrets: ProviderSecrets = noProviderSecrets,
): ReadonlyMap<string, MetricProvider> {
  return new Map(
    [
      prometheusProvider(policy),
      webProvider(policy),
      kayentaProvider(policy),
      cloudWatchProvider({ policy }),
      graphiteProvider(policy),
      skywalkingProvider(policy),
      datadogProvider({ policy, secrets }),
      newRelicProvider({ policy, secrets }),
      wavefrontProvider({ policy, secrets }),
      ...extra,
    ].map((provider) => [provider.type, provider]),
  );
}

export type ProviderLookup = { ok: true; provider: MetricProvider } | { ok: false; message: string };

export function providerFor(metric: Metric, providers: ReadonlyMap<string, MetricProvider>): ProviderLookup {
  const type = providerTypeOf(metric);
  if (type === undefined) return { ok: false, message: `metric "${metric.name}": exactly one provider must be set` };
  const provider = providers.get(type);
  if (provider === undefined) return { ok: false, message: `metric "${metric.name}": provider ${type} is not supported by Gradual yet` };
  return { ok: true, provider };
}
