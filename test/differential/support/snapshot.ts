/**
 * What one controller wrote, reduced to the fields the differential compares
 * and normalised so that only behaviour can differ: the namespace, the
 * instance id, timestamps and uids are replaced by placeholders, and pod
 * template hashes by the revision they belong to (a hash that differs is
 * reported once, under `podTemplateHashes`, instead of in every name and
 * selector that contains it). Pure: the shell reads the objects.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface Meta {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The raw objects of one side, as the API server returned them (only the parts read here are typed). */
export interface RawSide {
  namespace: string;
  instanceId: string;
  rollout: { metadata?: Meta; status?: Record<string, unknown> };
  replicaSets: {
    metadata?: Meta & { generation?: number };
    spec?: { replicas?: number };
    status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
  }[];
  services: { metadata?: Meta; spec?: { selector?: Record<string, string> } }[];
  analysisRuns: { metadata?: Meta; status?: { phase?: string } }[];
  /**
   * The router objects the scenario created (VirtualService, TrafficSplit, Ingress, ...) and those it
   * expects a controller to create, as stored now; `absent` when not there (not created yet).
   */
  routers?: {
    kind?: string;
    metadata?: Meta & { ownerReferences?: { apiVersion: string; uid: string; kind: string; name: string; controller?: boolean }[] };
    spec?: unknown;
    absent?: boolean;
  }[];
  /**
   * The Rollout's Experiments (its experiment steps', told by their controller reference) and the ReplicaSets
   * they own (`<experiment>-<template>`); absent when it has none, so other scenarios compare as before.
   */
  experiments?: {
    metadata?: Meta & { ownerReferences?: { kind: string; name: string }[] };
    spec?: { terminate?: boolean };
    status?: Record<string, unknown>;
  }[];
  experimentReplicaSets?: RawSide['replicaSets'];
}

export const hashLabel = 'rollouts-pod-template-hash';
const revisionAnnotation = 'rollout.argoproj.io/revision';
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Rollout status fields compared as they are (after normalisation). */
const statusFields = [
  'phase',
  'message',
  'currentStepIndex',
  'controllerPause',
  'abort',
  'stableRS',
  'currentPodHash',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'promoteFull',
] as const;

export function snapshotSide(raw: RawSide): { [key: string]: Json } {
  const hashNames = hashPlaceholders(raw.replicaSets);
  addExperimentHashPlaceholders(hashNames, raw);
  const clean = (value: unknown): Json => normalise(value, raw, hashNames);
  const status = raw.rollout.status ?? {};
  const rollout: { [key: string]: Json } = {};
  for (const field of statusFields) rollout[field] = clean(status[field] ?? null);
  rollout['pauseConditions'] = clean(asArray(status['pauseConditions']).map((condition) => field(condition, 'reason')));
  // Keyed by type so a diff names the condition; the order of the list carries no meaning.
  rollout['conditions'] = Object.fromEntries(
    asArray(status['conditions'])
      .map(
        (condition) =>
          [String(field(condition, 'type')), clean(`${String(field(condition, 'status'))} ${String(field(condition, 'reason'))}`)] as const,
      )
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const canary = status['canary'];
  rollout['canaryWeights'] = clean(
    typeof canary === 'object' && canary !== null ? ((canary as Record<string, unknown>)['weights'] ?? null) : null,
  );
  const blueGreen = status['blueGreen'];
  rollout['blueGreen'] = clean(
    typeof blueGreen === 'object' && blueGreen !== null
      ? { activeSelector: field(blueGreen, 'activeSelector') ?? null, previewSelector: field(blueGreen, 'previewSelector') ?? null }
      : null,
  );
  rollout['annotations'] = clean(raw.rollout.metadata?.annotations ?? {});

  const replicaSets: { [key: string]: Json } = {};
  for (const replicaSet of raw.replicaSets) {
    const hash = replicaSet.metadata?.labels?.[hashLabel] ?? replicaSet.metadata?.name ?? '';
    replicaSets[hashNames.get(hash) ?? hash] = clean({
      replicas: replicaSet.spec?.replicas ?? 0,
      readyReplicas: replicaSet.status?.readyReplicas ?? 0,
      labels: replicaSet.metadata?.labels ?? {},
      annotations: replicaSet.metadata?.annotations ?? {},
    });
  }
  const services = Object.fromEntries(
    raw.services.map((service) => [
      service.metadata?.name ?? '',
      clean({ selector: service.spec?.selector ?? {}, annotations: service.metadata?.annotations ?? {} }),
    ]),
  );
  const analysisRuns = Object.fromEntries(
    raw.analysisRuns.map((run) => [
      JSON.stringify(clean(run.metadata?.name ?? '')),
      clean({ labels: run.metadata?.labels ?? {}, phase: run.status?.phase ?? null }),
    ]),
  );
  // Whole spec: the weights and destinations each controller wrote, and whatever else it touched.
  // Owners only where there are some (the objects a controller creates: owned by the Rollout), so the scenario's own compare as before.
  const routers = Object.fromEntries(
    (raw.routers ?? []).map((router) => {
      const owners = (router.metadata?.ownerReferences ?? []).map(
        (owner) => `${owner.kind}/${owner.name}${owner.controller === true ? ' (controller)' : ''}`,
      );
      const value =
        router.absent === true
          ? null
          : clean({
              spec: router.spec ?? null,
              annotations: router.metadata?.annotations ?? {},
              ...(owners.length === 0 ? {} : { owners }),
            });
      return [`${router.kind ?? '?'}/${router.metadata?.name ?? ''}`, value];
    }),
  );
  const experiments = experimentsSnapshot(raw, clean);
  return {
    rollout,
    replicaSetCount: raw.replicaSets.length,
    replicaSets,
    // The raw hashes, by revision: Argo and Gradual must compute the same ones.
    podTemplateHashes: Object.fromEntries([...hashNames].map(([hash, name]) => [name, hash])),
    services,
    analysisRuns,
    ...(Object.keys(routers).length === 0 ? {} : { routers }),
    ...experiments,
  };
}

/**
 * An experiment step's Experiments, by (normalised) name, with the one the Rollout's status names as current:
 * phase, message, terminate, labels, annotations, availableAt, each template's status and replica counts, each
 * analysis's run and phase, the conditions; and the ReplicaSets they own. Nothing when there are none.
 */
function experimentsSnapshot(raw: RawSide, clean: (value: unknown) => Json): { [key: string]: Json } {
  const canary = raw.rollout.status?.['canary'];
  const current = field(canary, 'currentExperiment') ?? null;
  if ((raw.experiments ?? []).length === 0 && current === null) return {};
  const experiments: { [key: string]: Json } = { current: clean(current) };
  for (const experiment of raw.experiments ?? []) {
    const status = experiment.status ?? {};
    const byName = (list: unknown, pick: (item: unknown) => unknown): Json =>
      clean(Object.fromEntries(asArray(list).map((item) => [String(field(item, 'name')), pick(item)])));
    experiments[normaliseName(experiment.metadata?.name, clean)] = clean({
      phase: status['phase'] ?? null,
      message: status['message'] ?? null,
      terminate: experiment.spec?.terminate ?? null,
      availableAt: status['availableAt'] ?? null,
      labels: experiment.metadata?.labels ?? {},
      annotations: experiment.metadata?.annotations ?? {},
      templateStatuses: byName(status['templateStatuses'], (item) => ({
        status: field(item, 'status') ?? null,
        message: field(item, 'message') ?? null,
        replicas: field(item, 'replicas') ?? null,
        updatedReplicas: field(item, 'updatedReplicas') ?? null,
        readyReplicas: field(item, 'readyReplicas') ?? null,
        availableReplicas: field(item, 'availableReplicas') ?? null,
      })),
      analysisRuns: byName(status['analysisRuns'], (item) => ({
        analysisRun: field(item, 'analysisRun') ?? null,
        phase: field(item, 'phase') ?? null,
        message: field(item, 'message') ?? null,
      })),
      conditions: byName(
        asArray(status['conditions']).map((condition) => ({ ...(condition as object), name: field(condition, 'type') })),
        (condition) => `${String(field(condition, 'status'))} ${String(field(condition, 'reason'))}`,
      ),
    });
  }
  const replicaSets: { [key: string]: Json } = {};
  for (const replicaSet of raw.experimentReplicaSets ?? [])
    replicaSets[normaliseName(replicaSet.metadata?.name, clean)] = clean({
      replicas: replicaSet.spec?.replicas ?? 0,
      readyReplicas: replicaSet.status?.readyReplicas ?? 0,
      labels: replicaSet.metadata?.labels ?? {},
      annotations: replicaSet.metadata?.annotations ?? {},
    });
  return { experiments, experimentReplicaSets: replicaSets };
}

/**
 * An Experiment's ReplicaSet hashes its template as Argo does (the template's hash label taken out), so a
 * template copied from a Rollout ReplicaSet may hash as that one does (then it reads `<rev N>`); any other is
 * `<rs NAME>`, its ReplicaSet's name normalised, and its raw value compared under `podTemplateHashes`.
 */
function addExperimentHashPlaceholders(names: Map<string, string>, raw: RawSide): void {
  const known = new Map(names);
  for (const replicaSet of raw.experimentReplicaSets ?? []) {
    const hash = replicaSet.metadata?.labels?.[hashLabel];
    if (hash === undefined || names.has(hash)) continue;
    const name = normaliseName(replicaSet.metadata?.name, (value) => normalise(value, raw, known));
    names.set(hash, `<rs ${name}>`);
  }
}

/** Each ReplicaSet's hash → `<rev N>` (its revision annotation), so names and selectors compare across sides. */
function hashPlaceholders(replicaSets: RawSide['replicaSets']): Map<string, string> {
  const names = new Map<string, string>();
  for (const replicaSet of replicaSets) {
    const hash = replicaSet.metadata?.labels?.[hashLabel];
    if (hash === undefined) continue;
    names.set(hash, `<rev ${replicaSet.metadata?.annotations?.[revisionAnnotation] ?? '?'}>`);
  }
  return names;
}

function normalise(value: unknown, raw: RawSide, hashNames: Map<string, string>): Json {
  if (typeof value === 'string') {
    if (timestamp.test(value)) return '<time>';
    let text = value.split(raw.namespace).join('<namespace>');
    if (raw.instanceId !== '') text = text === raw.instanceId ? '<instance-id>' : text;
    // Longest first: one hash is never a prefix of another in practice, but the order must not matter.
    for (const [hash, name] of [...hashNames].sort(([a], [b]) => b.length - a.length)) text = text.split(hash).join(name);
    return text;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => normalise(item, raw, hashNames));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'uid')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, normalise(item, raw, hashNames)] as const);
    return Object.fromEntries(entries);
  }
  return null;
}

/** A name normalised (namespace, hashes): a string in, a string out. */
function normaliseName(name: string | undefined, clean: (value: unknown) => Json): string {
  const value = clean(name ?? '');
  return typeof value === 'string' ? value : '';
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined;
}
