import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { AnalysisArgument, AnalysisRun, Rollout, RolloutAnalysis, RolloutAnalysisArgument } from '../api/index.js';
import {
  CANARY_STEP_INDEX_LABEL,
  CONTROLLER_INSTANCE_ID_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  ROLLOUT_TYPE_LABEL,
  type RolloutType,
} from '../api/argo-labels.js';
import type { FlattenedAnalysis } from './analysis-templates.js';

/*
 * The AnalysisRun a Rollout creates, as Argo's newAnalysisRunFromRollout and
 * BuildArgumentsForRolloutAnalysisRun write it: named
 * `<rollout>-<pod hash>-<revision>[-<step index>|-pre|-post]`, labelled with
 * the pod hash, the rollout type (and step index) and the Rollout's
 * selector, annotated with the revision, owned by the Rollout.
 */

/** The Rollout's arguments with their values: a literal, a pod-template hash, or a field of the Rollout. */
export function rolloutArgumentValues(
  args: readonly RolloutAnalysisArgument[] | undefined,
  rollout: Rollout,
  newRS: V1ReplicaSet | undefined,
  stableRS: V1ReplicaSet | undefined,
): AnalysisArgument[] {
  return (args ?? []).map((arg) => {
    let value = arg.value ?? '';
    const from = arg.valueFrom;
    if (from?.podTemplateHashValue === 'Latest') value = newRS?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
    else if (from?.podTemplateHashValue === 'Stable') value = stableRS?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
    else if (from?.fieldRef !== undefined) value = rolloutFieldValue(rollout, from.fieldRef.fieldPath) ?? '';
    return { name: arg.name, value };
  });
}

/**
 * A field of the Rollout by path, as Argo reads it: `metadata.labels['app']` (the Kubernetes
 * downward-API form) or a dotted/indexed path such as `spec.template.spec.containers[0].image`.
 * A missing field or one that is not a primitive reads as absent (Argo passes an empty value).
 */
export function rolloutFieldValue(rollout: Rollout, path: string): string | undefined {
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/u.exec(path);
  if (subscript !== null) {
    const [, field, key] = subscript;
    return field === 'labels' ? rollout.metadata?.labels?.[key ?? ''] : rollout.metadata?.annotations?.[key ?? ''];
  }
  let node: unknown = rollout;
  for (const section of path.split(/[.[\]]+/u).filter((part) => part !== '')) {
    if (Array.isArray(node)) node = node[Number.parseInt(section, 10)];
    else if (typeof node === 'object' && node !== null) node = (node as Record<string, unknown>)[section];
    else return undefined;
  }
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  return undefined;
}

export interface AnalysisRunRequest {
  rollout: Rollout;
  analysis: RolloutAnalysis;
  flattened: FlattenedAnalysis;
  newRS: V1ReplicaSet;
  type: RolloutType;
  /** The canary step index, for step runs. */
  stepIndex?: number;
}

/** The run's name infix: the step index, `pre`, `post`, or none (background). */
function infixOf(request: AnalysisRunRequest): string {
  if (request.type === 'Step') return String(request.stepIndex ?? 0);
  if (request.type === 'PrePromotion') return 'pre';
  if (request.type === 'PostPromotion') return 'post';
  return '';
}

/**
 * The revision in the run's name and annotation. Argo reads the Rollout's own revision
 * annotation, which it keeps equal to the new ReplicaSet's; Gradual does not write the
 * Rollout's metadata, so it reads the same number from the new ReplicaSet.
 */
export function revisionOf(request: Pick<AnalysisRunRequest, 'newRS' | 'rollout'>): string {
  return request.newRS.metadata?.annotations?.[REVISION_ANNOTATION] ?? request.rollout.metadata?.annotations?.[REVISION_ANNOTATION] ?? '';
}

export function analysisRunBaseName(request: AnalysisRunRequest): string {
  const hash = request.newRS.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
  const revision = revisionOf(request);
  const infix = infixOf(request);
  return [request.rollout.metadata?.name ?? '', hash, revision, ...(infix === '' ? [] : [infix])].join('-');
}

export function newAnalysisRun(request: AnalysisRunRequest, name: string): AnalysisRun {
  const { rollout, analysis, flattened, newRS } = request;
  const instanceId = rollout.metadata?.labels?.[CONTROLLER_INSTANCE_ID_LABEL];
  const labels: Record<string, string> = {
    [POD_TEMPLATE_HASH_LABEL]: newRS.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
    [ROLLOUT_TYPE_LABEL]: request.type,
    ...(request.type === 'Step' ? { [CANARY_STEP_INDEX_LABEL]: String(request.stepIndex ?? 0) } : {}),
    ...(instanceId === undefined || instanceId === '' ? {} : { [CONTROLLER_INSTANCE_ID_LABEL]: instanceId }),
    ...(analysis.analysisRunMetadata?.labels ?? {}),
    ...(rollout.spec.selector?.matchLabels ?? {}),
  };
  const annotations: Record<string, string> = {
    [REVISION_ANNOTATION]: revisionOf(request),
    ...(analysis.analysisRunMetadata?.annotations ?? {}),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: rollout.metadata?.namespace ?? 'default',
      labels,
      annotations,
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: rollout.metadata?.name ?? '',
          uid: rollout.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      metrics: flattened.metrics,
      ...(flattened.args.length === 0 ? {} : { args: flattened.args }),
      ...(flattened.dryRun.length === 0 ? {} : { dryRun: flattened.dryRun }),
      ...(flattened.measurementRetention.length === 0 ? {} : { measurementRetention: flattened.measurementRetention }),
    },
  };
}
