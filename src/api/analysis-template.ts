import { z } from 'zod';
import { analysisTemplateRefSchema, dryRunSchema, measurementRetentionSchema } from './rollout-analysis.js';
import { intOrString, opaqueObject, stringMap } from './common.js';
import { objectMetaSchema } from './rollout-spec.js';

/*
 * AnalysisTemplate and ClusterAnalysisTemplate (argoproj.io/v1alpha1), with Argo v1.9's
 * fields: the metrics, how often and how many times each is measured, the conditions that
 * judge a measurement, the limits that judge the run, and the provider that measures. Specs
 * are strict, like the Rollout's: a misspelt `failureLimt` would otherwise silently keep a
 * bad canary alive.
 */

const headerSchema = z.strictObject({ key: z.string(), value: z.string() });

const oauth2Schema = z.strictObject({
  tokenUrl: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

const sigv4Schema = z.strictObject({ region: z.string().optional(), profile: z.string().optional(), roleArn: z.string().optional() });

const authenticationSchema = z.strictObject({ sigv4: sigv4Schema.optional(), oauth2: oauth2Schema.optional() }).meta({
  description:
    'how the provider authenticates: oauth2 client credentials (a token from tokenUrl, sent as Bearer); sigv4 signs with the AWS credential chain (region, profile; roleArn is refused by name)',
});

export const prometheusProviderSchema = z
  .strictObject({
    address: z.string().meta({ description: 'the Prometheus server, e.g. http://prometheus.monitoring:9090' }).optional(),
    query: z.string().meta({ description: 'PromQL; {{args.name}} is replaced by the argument' }).optional(),
    timeout: z.int().meta({ description: 'seconds before the query is abandoned (an Error measurement)' }).optional(),
    insecure: z.boolean().meta({ description: 'skip TLS verification' }).optional(),
    headers: z.array(headerSchema).optional(),
    authentication: authenticationSchema.optional(),
    rangeQuery: z.strictObject({ start: z.string().optional(), end: z.string().optional(), step: z.string().optional() }).optional(),
  })
  .meta({ description: 'measure with a PromQL query: a scalar result, or a vector as a list' });

export const webProviderSchema = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT']).meta({ description: 'default GET' }).optional(),
    url: z.string().meta({ description: 'the URL; {{args.name}} is replaced by the argument' }),
    headers: z.array(headerSchema).optional(),
    body: z.string().optional(),
    jsonBody: z.unknown().meta({ 'x-kubernetes-preserve-unknown-fields': true, description: 'a JSON body, sent as is' }).optional(),
    timeoutSeconds: z.int().meta({ description: 'seconds before the request is abandoned (default 10)' }).optional(),
    jsonPath: z.string().meta({ description: 'where in the JSON response the result is, e.g. {$.data.ok}' }).optional(),
    insecure: z.boolean().optional(),
    authentication: authenticationSchema.optional(),
  })
  .meta({ description: 'measure with an HTTP request: the JSON response (or the value at jsonPath) is the result' });

export const datadogProviderSchema = z
  .strictObject({
    interval: z
      .string()
      .meta({ description: 'the time window queried, a Go duration (default 5m); not how often it is measured' })
      .optional(),
    query: z.string().meta({ description: 'one Datadog query; {{args.name}} is replaced by the argument' }).optional(),
    queries: z.record(z.string(), z.string()).meta({ description: 'named queries for formula (v2)' }).optional(),
    formula: z.string().meta({ description: 'a formula over the named queries (v2)' }).optional(),
    apiVersion: z.enum(['v1', 'v2']).meta({ description: 'the Datadog API (default v1)' }).optional(),
    aggregator: z
      .enum(['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area'])
      .meta({ description: 'v2 only (default last)' })
      .optional(),
    secretRef: z
      .strictObject({ name: z.string().optional(), namespaced: z.boolean().optional() })
      .meta({ description: "the Secret with api-key, app-key and address (default: datadog in the controller's namespace)" })
      .optional(),
  })
  .meta({ description: 'measure with a Datadog metrics query' });

export const newRelicProviderSchema = z
  .strictObject({
    profile: z
      .string()
      .meta({ description: "the Secret with the account's personal-api-key, account-id, region (default newrelic)" })
      .optional(),
    query: z.string().meta({ description: 'an NRQL query; {{args.name}} is replaced by the argument' }),
    timeout: z.int().meta({ description: 'seconds the NRQL query may take (default 5)' }).optional(),
  })
  .meta({ description: 'measure with an NRQL query through NerdGraph' });

export const wavefrontProviderSchema = z
  .strictObject({
    address: z
      .string()
      .meta({ description: 'the Wavefront host, e.g. example.wavefront.com; its token is the key of that name in wavefront-api-tokens' })
      .optional(),
    query: z.string().meta({ description: 'a Wavefront query' }).optional(),
  })
  .meta({ description: 'measure with a Wavefront query' });

export const jobProviderSchema = z
  .strictObject({
    metadata: z.strictObject({ labels: stringMap().optional(), annotations: stringMap().optional() }).optional(),
    spec: opaqueObject('a batch/v1 JobSpec; the Job succeeding or failing is the measurement'),
  })
  .meta({ description: 'measure by running a Kubernetes Job' });

// Required as Argo's CRD requires them (scope, region, step; and every KayentaMetric field but lookback).
const kayentaScopeDetailSchema = z.strictObject({
  scope: z.string(),
  region: z.string().meta({ description: "sent to Kayenta as the scope's location" }),
  step: z.int(),
  start: z.string().meta({ description: "RFC 3339; default: the run's start (lookback) or now minus the metric's interval" }).optional(),
  end: z.string().meta({ description: 'RFC 3339; default: now' }).optional(),
});

export const kayentaProviderSchema = z
  .strictObject({
    address: z.string().meta({ description: 'the Kayenta server, e.g. http://kayenta.kayenta:8090' }),
    application: z.string(),
    canaryConfigName: z.string().meta({ description: 'the canary config, looked up by name in the storage account' }),
    metricsAccountName: z.string(),
    configurationAccountName: z.string(),
    storageAccountName: z.string(),
    threshold: z.strictObject({
      pass: z.int().meta({ description: 'a score at or above it is Successful' }),
      marginal: z.int().meta({ description: 'a score at or above it (below pass) is Inconclusive; below it, Failed' }),
    }),
    scopes: z.array(
      z.strictObject({ name: z.string(), controlScope: kayentaScopeDetailSchema, experimentScope: kayentaScopeDetailSchema }),
    ),
    lookback: z.boolean().meta({ description: "each judgement starts at the run's start instead of one interval back" }).optional(),
  })
  .meta({ description: 'measure with a Kayenta canary judgement: the score against the pass and marginal thresholds' });

const cloudWatchMetricDataQuerySchema = z.strictObject({
  id: z.string().optional(),
  expression: z.string().optional(),
  label: z.string().optional(),
  metricStat: z
    .strictObject({
      metric: z
        .strictObject({
          dimensions: z.array(z.strictObject({ name: z.string().optional(), value: z.string().optional() })).optional(),
          metricName: z.string().optional(),
          namespace: z.string().optional(),
        })
        .optional(),
      period: intOrString('seconds').optional(),
      stat: z.string().optional(),
      unit: z.string().optional(),
    })
    .optional(),
  period: intOrString('seconds').optional(),
  returnData: z.boolean().optional(),
});

export const cloudWatchProviderSchema = z
  .strictObject({
    interval: z.string().meta({ description: 'how far back GetMetricData reads, a Go duration (default 5m)' }).optional(),
    metricDataQueries: z.array(cloudWatchMetricDataQuerySchema),
  })
  .meta({ description: "measure with CloudWatch GetMetricData; credentials and region from the controller's AWS chain" });

export const graphiteProviderSchema = z
  .strictObject({
    address: z.string().meta({ description: 'the Graphite server, e.g. http://graphite.monitoring:8080' }).optional(),
    query: z.string().meta({ description: 'the render API query, e.g. target=...; whitespace is removed' }).optional(),
  })
  .meta({ description: "measure with a Graphite render query: the first series' non-null values, as a list" });

export const influxdbProviderSchema = z
  .strictObject({
    profile: z
      .string()
      .meta({ description: "the Secret with address, authToken and org in the controller's namespace (default influxdb)" })
      .optional(),
    query: z.string().meta({ description: 'a Flux query' }).optional(),
  })
  .meta({ description: "measure with an InfluxDB Flux query: every record's _value, as a list" });

export const skywalkingProviderSchema = z
  .strictObject({
    address: z.string().meta({ description: 'the SkyWalking OAP server; the query goes to <address>/graphql' }).optional(),
    query: z.string().meta({ description: 'a GraphQL query; $duration is the last interval, by the minute' }).optional(),
    interval: z.string().meta({ description: 'the duration the query covers, a Go duration' }).optional(),
  })
  .meta({ description: "measure with a SkyWalking GraphQL query: the answer's data is the result" });

/** The providers Gradual measures with; the rest of Argo's are known by name and refused until they land. */
export const supportedProviders = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
] as const;
export const notYetSupportedProviders = ['plugin'] as const;

export const metricProviderSchema = z
  .strictObject({
    prometheus: prometheusProviderSchema.optional(),
    web: webProviderSchema.optional(),
    job: jobProviderSchema.optional(),
    kayenta: kayentaProviderSchema.optional(),
    datadog: datadogProviderSchema.optional(),
    newRelic: newRelicProviderSchema.optional(),
    wavefront: wavefrontProviderSchema.optional(),
    cloudWatch: cloudWatchProviderSchema.optional(),
    graphite: graphiteProviderSchema.optional(),
    influxdb: influxdbProviderSchema.optional(),
    skywalking: skywalkingProviderSchema.optional(),
    plugin: opaqueObject("Argo's metric provider plugins (not yet supported by Gradual)").optional(),
  })
  .meta({ description: 'what measures the metric: exactly one provider' });

export const metricSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'the metric name, unique in the template' }),
    interval: z.string().meta({ description: 'time between measurements, a Go duration such as 20s' }).optional(),
    initialDelay: z.string().meta({ description: 'time before the first measurement' }).optional(),
    count: intOrString('how many measurements to take (default 1 without interval, unlimited with it)').optional(),
    successCondition: z.string().meta({ description: 'a measurement is Successful when true (an expr expression over result)' }).optional(),
    failureCondition: z.string().meta({ description: 'a measurement is Failed when true' }).optional(),
    failureLimit: intOrString('failed measurements tolerated before the metric fails (default 0)').optional(),
    inconclusiveLimit: intOrString('inconclusive measurements tolerated before the metric is Inconclusive (default 0)').optional(),
    consecutiveErrorLimit: intOrString('consecutive Error measurements tolerated before the metric errs (default 4)').optional(),
    consecutiveSuccessLimit: intOrString('consecutive successful measurements that make the metric Successful (0: off)').optional(),
    provider: metricProviderSchema,
  })
  .meta({ description: 'one metric: how it is measured and judged' });

export const argumentSchema = z
  .strictObject({
    name: z.string().min(1),
    value: z.string().optional(),
    valueFrom: z
      .strictObject({
        secretKeyRef: z.strictObject({ name: z.string(), key: z.string() }).optional(),
        podTemplateHashValue: z.enum(['Stable', 'Latest']).optional(),
        fieldRef: z.strictObject({ fieldPath: z.string() }).optional(),
      })
      .optional(),
  })
  .meta({ description: 'an argument the metrics refer to as {{args.name}}' });

export const analysisTemplateSpecSchema = z
  .strictObject({
    metrics: z.array(metricSchema).optional(),
    args: z.array(argumentSchema).optional(),
    dryRun: z.array(dryRunSchema).optional(),
    measurementRetention: z.array(measurementRetentionSchema).optional(),
    templates: z
      .array(analysisTemplateRefSchema)
      .meta({ description: 'other templates whose metrics and args this one includes' })
      .optional(),
  })
  .meta({ description: 'the metrics an analysis measures' });

export const analysisTemplateKind = 'AnalysisTemplate';
export const clusterAnalysisTemplateKind = 'ClusterAnalysisTemplate';

export const analysisTemplateSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal(analysisTemplateKind),
  metadata: objectMetaSchema.optional(),
  spec: analysisTemplateSpecSchema,
});

export const clusterAnalysisTemplateSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal(clusterAnalysisTemplateKind),
  metadata: objectMetaSchema.optional(),
  spec: analysisTemplateSpecSchema,
});

export type Metric = z.infer<typeof metricSchema>;
export type AnalysisArgument = z.infer<typeof argumentSchema>;
export type AnalysisTemplateSpec = z.infer<typeof analysisTemplateSpecSchema>;
export type AnalysisTemplate = z.infer<typeof analysisTemplateSchema>;
export type ClusterAnalysisTemplate = z.infer<typeof clusterAnalysisTemplateSchema>;

export { analysisTemplateRefSchema, dryRunSchema, measurementRetentionSchema };
