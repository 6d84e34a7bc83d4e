import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { LabelSelectorLike, ReplicaSetLike, RolloutObject } from '../rollout-view/types.js';
import type { JsonPatchOperation, MergePatch } from './patches.js';
import { GradualError } from '../errors/gradual-error.js';

/*
 * What every user action on a Rollout shares, whoever asks (the CLI's verbs,
 * the bot's commands, the dashboard's buttons): the clients, and reading and
 * patching one Rollout with errors a person can act on.
 */

export interface KubeContext {
  config: KubeConfig;
  namespace: string;
  customObjects: CustomObjectsApi;
  core: CoreV1Api;
  apps: AppsV1Api;
}

export const rolloutResource = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;

/**
 * A failure the user can act on: printed as one line, exit code 1. A refusal (REFUSED: Argo's
 * refusals of an action the Rollout's spec does not allow, an unsupported workload) is the
 * user's to fix, terminal as TerminalError is: asking again gets the same answer, so a queue
 * that runs an action (the bot's) forgets the key instead of backing off forever.
 */
export class RolloutVerbError extends GradualError {
  declare readonly code: 'NOT_FOUND' | 'REFUSED' | 'TIMEOUT' | 'DEGRADED' | 'KUBECONFIG';
  constructor(code: RolloutVerbError['code'], message: string, options?: ErrorOptions) {
    super(code, message, { cause: options?.cause, retryable: code !== 'REFUSED' });
  }
}

/** The clients for one namespace of the cluster a kubeconfig names. */
export function kubeContextFromConfig(config: KubeConfig, namespace: string): KubeContext {
  return {
    config,
    namespace,
    customObjects: config.makeApiClient(CustomObjectsApi),
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
  };
}

export function isNotFound(cause: unknown): boolean {
  return cause instanceof ApiException && cause.code === 404;
}

export function isConflict(cause: unknown): boolean {
  return cause instanceof ApiException && cause.code === 409;
}

export function notFound(kube: KubeContext, name: string, cause?: unknown): RolloutVerbError {
  return new RolloutVerbError('NOT_FOUND', `rollout "${name}" not found in namespace "${kube.namespace}"`, { cause });
}

/** The one line printed for a failure: ours as written, the API server's own message (its Status) otherwise. */
export function describeFailure(cause: unknown): string {
  if (cause instanceof ApiException) {
    const body: unknown = typeof cause.body === 'string' ? safeJson(cause.body) : cause.body;
    const message =
      typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : cause.message;
    return `${message} (HTTP ${cause.code})`;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function readRollout(kube: KubeContext, name: string): Promise<RolloutObject> {
  try {
    return (await kube.customObjects.getNamespacedCustomObject({ ...rolloutResource, namespace: kube.namespace, name })) as RolloutObject;
  } catch (cause) {
    if (isNotFound(cause)) throw notFound(kube, name, cause);
    throw cause;
  }
}

export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** A merge patch on the Rollout's status subresource. */
export async function patchRolloutStatus(kube: KubeContext, name: string, body: MergePatch): Promise<RolloutObject> {
  return (await kube.customObjects.patchNamespacedCustomObjectStatus(
    { ...rolloutResource, namespace: kube.namespace, name, body },
    mergePatch,
  )) as RolloutObject;
}

/** A merge patch (or, for undo, a JSON patch) on the Rollout itself. */
export async function patchRollout(kube: KubeContext, name: string, body: MergePatch | JsonPatchOperation[]): Promise<RolloutObject> {
  try {
    const options = Array.isArray(body) ? jsonPatch : mergePatch;
    return (await kube.customObjects.patchNamespacedCustomObject(
      { ...rolloutResource, namespace: kube.namespace, name, body },
      options,
    )) as RolloutObject;
  } catch (cause) {
    if (isNotFound(cause)) throw notFound(kube, name, cause);
    throw cause;
  }
}

/** A label selector as the API's labelSelector query parameter. */
export function selectorString(selector: LabelSelectorLike | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector?.matchExpressions ?? []) {
    const values = (requirement.values ?? []).join(',');
    if (requirement.operator === 'In') terms.push(`${requirement.key} in (${values})`);
    else if (requirement.operator === 'NotIn') terms.push(`${requirement.key} notin (${values})`);
    else if (requirement.operator === 'Exists') terms.push(requirement.key);
    else if (requirement.operator === 'DoesNotExist') terms.push(`!${requirement.key}`);
  }
  return terms.join(',');
}

/**
 * The ReplicaSets the Rollout controls, as the API server stores them. They
 * are read untyped through the custom-objects client (the same REST path as
 * apps/v1): undo copies a template back byte for byte, and the typed client
 * would drop pod fields newer than this client-node.
 */
export async function listOwnedReplicaSets(kube: KubeContext, rollout: RolloutObject): Promise<ReplicaSetLike[]> {
  const list = (await kube.customObjects.listNamespacedCustomObject({
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    namespace: kube.namespace,
    labelSelector: selectorString(rollout.spec?.selector),
  })) as { items?: ReplicaSetLike[] };
  const uid = rollout.metadata.uid;
  return (list.items ?? []).filter(
    (rs) => rs.metadata?.ownerReferences?.some((owner) => owner.uid === uid && owner.controller === true) === true,
  );
}
