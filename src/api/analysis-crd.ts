import { stringify } from 'yaml';
import { z } from 'zod';
import { analysisRunSpecSchema, analysisRunStatusSchema } from './analysis-run.js';
import { analysisTemplateSpecSchema } from './analysis-template.js';
import { crdHeader } from './crd.js';
import { experimentSpecSchema, experimentStatusSchema } from './experiment.js';
import { toStructuralSchema, type JsonSchema } from './structural-schema.js';

/*
 * The AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun CustomResourceDefinitions,
 * generated from the zod schemas like the Rollout's, with Argo's names, short names, scopes
 * and printer columns. Like Argo's, the AnalysisRun has no status subresource: its
 * controller writes spec and status of a run together.
 */

interface AnalysisCrdInput {
  kind: string;
  plural: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  spec: z.ZodType;
  status?: z.ZodType;
  description: string;
  columns: object[];
}

const group = 'argoproj.io';

function part(schema: z.ZodType): JsonSchema {
  return toStructuralSchema(z.toJSONSchema(schema, { io: 'input' }));
}

function crd(input: AnalysisCrdInput): object {
  const properties: Record<string, JsonSchema> = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: part(input.spec),
  };
  if (input.status !== undefined) properties['status'] = part(input.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${input.plural}.${group}` },
    spec: {
      group,
      names: {
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural: input.plural,
        singular: input.kind.toLowerCase(),
        shortNames: [input.shortName],
      },
      scope: input.scope,
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { description: input.description, type: 'object', properties, required: ['spec'] } },
          additionalPrinterColumns: input.columns,
        },
      ],
    },
  };
}

const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since resource was created' };

export function analysisCrds(): Record<string, object> {
  return {
    'analysis-template.yaml': crd({
      kind: 'AnalysisTemplate',
      plural: 'analysistemplates',
      shortName: 'at',
      scope: 'Namespaced',
      spec: analysisTemplateSpecSchema,
      description:
        'AnalysisTemplate: the metrics a rollout step, a background analysis or a blue-green promotion measures (Argo Rollouts compatible)',
      columns: [age],
    }),
    'cluster-analysis-template.yaml': crd({
      kind: 'ClusterAnalysisTemplate',
      plural: 'clusteranalysistemplates',
      shortName: 'cat',
      scope: 'Cluster',
      spec: analysisTemplateSpecSchema,
      description: 'ClusterAnalysisTemplate: an AnalysisTemplate every namespace can use (Argo Rollouts compatible)',
      columns: [age],
    }),
    'analysis-run.yaml': crd({
      kind: 'AnalysisRun',
      plural: 'analysisruns',
      shortName: 'ar',
      scope: 'Namespaced',
      spec: analysisRunSpecSchema,
      status: analysisRunStatusSchema,
      description: 'AnalysisRun: one analysis in progress or done, with its measurements (Argo Rollouts compatible)',
      columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'AnalysisRun status' }, age],
    }),
    // Argo's experiments.argoproj.io: no status subresource either (its controller patches the whole object).
    'experiment.yaml': crd({
      kind: 'Experiment',
      plural: 'experiments',
      shortName: 'exp',
      scope: 'Namespaced',
      spec: experimentSpecSchema,
      status: experimentStatusSchema,
      description: 'Experiment: ReplicaSets run side by side for a while, with AnalysisRuns over them (Argo Rollouts compatible)',
      columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'Experiment status' }, age],
    }),
  };
}

/** Each CRD as the YAML text committed in deploy/crds/, by file name. */
export function analysisCrdYamls(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(analysisCrds()).map(([file, object]) => [file, crdHeader + stringify(object, { sortMapEntries: true, lineWidth: 0 })]),
  );
}
