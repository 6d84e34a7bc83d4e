import { z } from 'zod';
import { POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import { parseGoDuration } from '../api/duration.js';
import { analysisIcon } from './analysis-run-info.js';
import { humanDuration } from './human-duration.js';
import { icons } from './icons.js';
import { objectMetaLikeSchema } from './rollout-object-schema.js';

/*
 * The Experiment of a Rollout's canary `experiment` step as the rollout check and the dashboard show it: what
 * Argo's plugin prints under the revision (info/experiment_info.go: the Experiment's phase, its templates'
 * ReplicaSets, its AnalysisRuns with their counts), plus the message and the time left of its duration. Read
 * from the Experiment's status alone (its controller writes each template's replicas and status), so the
 * readers need no informer over the Experiment's ReplicaSets. Loose, as rollout-object-schema.ts: an
 * Experiment written by Argo or by hand must show, not be hidden by the engine's strict schema.
 */

const count = z.number().optional();

export const experimentObjectSchema = z.looseObject({
  metadata: objectMetaLikeSchema,
  spec: z
    .looseObject({
      duration: z.string().optional(),
      templates: z.array(z.looseObject({ name: z.string(), replicas: count })).optional(),
      analyses: z
        .array(z.looseObject({ name: z.string(), templateName: z.string().optional(), requiredForCompletion: z.boolean().optional() }))
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      message: z.string().optional(),
      availableAt: z.string().optional(),
      templateStatuses: z
        .array(
          z.looseObject({
            name: z.string(),
            replicas: count,
            readyReplicas: count,
            availableReplicas: count,
            status: z.string().optional(),
            message: z.string().optional(),
          }),
        )
        .optional(),
      analysisRuns: z
        .array(
          z.looseObject({
            name: z.string(),
            analysisRun: z.string().optional(),
            phase: z.string().optional(),
            message: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type ExperimentObject = z.infer<typeof experimentObjectSchema>;

/** The AnalysisRun fields the counts come from (an api/ AnalysisRun and the dashboard's loose one both fit). */
export interface ExperimentRunLike {
  metadata?: { name?: string | undefined } | undefined;
  status?:
    | {
        metricResults?:
          | {
              successful?: number | undefined;
              failed?: number | undefined;
              inconclusive?: number | undefined;
              error?: number | undefined;
            }[]
          | undefined;
      }
    | undefined;
}

export interface ExperimentTemplateInfo {
  name: string;
  /** Argo's `<experiment>-<template>`. */
  replicaSet: string;
  /** Argo's TemplateStatusCode, `Pending` before the controller wrote one. */
  status: string;
  icon: string;
  replicas: number;
  ready: number;
  available: number;
  message: string;
}

export interface ExperimentAnalysisInfo {
  name: string;
  /** The AnalysisRun's name, '' before it was created. */
  analysisRun: string;
  status: string;
  icon: string;
  message: string;
  requiredForCompletion: boolean;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

export interface ExperimentInfo {
  name: string;
  status: string;
  icon: string;
  message: string;
  /** The spec's Go duration, as written. */
  duration: string | undefined;
  /** When every template was available (the duration counts from here), in ms since the epoch. */
  availableAt: number | undefined;
  /** availableAt + duration; undefined without either. */
  endsAt: number | undefined;
  /** Successful, Failed, Error or Inconclusive: its duration no longer counts. */
  finished: boolean;
  templates: ExperimentTemplateInfo[];
  analyses: ExperimentAnalysisInfo[];
}

const finishedPhases: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

function templateIcon(status: string): string {
  return status === 'Progressing' ? icons.progressing : analysisIcon(status);
}

interface RolloutLike {
  metadata?: { uid?: string | undefined } | undefined;
  status?: { currentPodHash?: string | undefined; canary?: { currentExperiment?: string | undefined } | undefined } | undefined;
}

/**
 * The Rollout's Experiment to show: the one `status.canary.currentExperiment` names, else (the status stops naming
 * it once it finished, Failed included) its newest one for the current pod-template hash. Only an Experiment the
 * Rollout controls counts: another of the same name is someone else's.
 */
export function rolloutExperiment<T extends ExperimentObject>(rollout: RolloutLike, experiments: readonly T[]): T | undefined {
  const uid = rollout.metadata?.uid;
  if (uid === undefined || uid === '') return undefined;
  const owned = experiments.filter((experiment) =>
    (experiment.metadata.ownerReferences ?? []).some((owner) => owner.controller === true && owner.uid === uid),
  );
  const named = rollout.status?.canary?.currentExperiment;
  if (named !== undefined && named !== '') {
    const found = owned.find((experiment) => experiment.metadata.name === named);
    if (found !== undefined) return found;
  }
  const hash = rollout.status?.currentPodHash;
  if (hash === undefined || hash === '') return undefined;
  return owned
    .filter((experiment) => experiment.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash)
    .sort(
      (a, b) =>
        (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
        b.metadata.name.localeCompare(a.metadata.name),
    )[0];
}

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** What is shown of an Experiment; `runs` are the namespace's AnalysisRuns (its own are found by the names its status gives). */
export function experimentInfo(experiment: ExperimentObject, runs: readonly ExperimentRunLike[]): ExperimentInfo {
  const name = experiment.metadata.name;
  const status = experiment.status ?? {};
  const phase = status.phase === undefined || status.phase === '' ? 'Pending' : status.phase;
  const templateStatuses = status.templateStatuses ?? [];
  const names = [
    ...new Set([...(experiment.spec?.templates ?? []).map((template) => template.name), ...templateStatuses.map((entry) => entry.name)]),
  ];
  const templates = names.map((template): ExperimentTemplateInfo => {
    const entry = templateStatuses.find((candidate) => candidate.name === template);
    const code = entry?.status === undefined || entry.status === '' ? 'Pending' : entry.status;
    return {
      name: template,
      replicaSet: `${name}-${template}`,
      status: code,
      icon: templateIcon(code),
      replicas: entry?.replicas ?? 0,
      ready: entry?.readyReplicas ?? 0,
      available: entry?.availableReplicas ?? 0,
      message: entry?.message ?? '',
    };
  });
  const runStatuses = status.analysisRuns ?? [];
  const analysisNames = [
    ...new Set([...(experiment.spec?.analyses ?? []).map((analysis) => analysis.name), ...runStatuses.map((entry) => entry.name)]),
  ];
  const analyses = analysisNames.map((analysis): ExperimentAnalysisInfo => {
    const entry = runStatuses.find((candidate) => candidate.name === analysis);
    const runName = entry?.analysisRun ?? '';
    const run = runName === '' ? undefined : runs.find((candidate) => candidate.metadata?.name === runName);
    const results = run?.status?.metricResults ?? [];
    const sum = (field: 'successful' | 'failed' | 'inconclusive' | 'error'): number =>
      results.reduce((total, result) => total + (result[field] ?? 0), 0);
    const code = entry?.phase === undefined || entry.phase === '' ? 'Pending' : entry.phase;
    return {
      name: analysis,
      analysisRun: runName,
      status: code,
      icon: analysisIcon(code),
      message: entry?.message ?? '',
      requiredForCompletion: experiment.spec?.analyses?.find((candidate) => candidate.name === analysis)?.requiredForCompletion === true,
      successful: sum('successful'),
      failed: sum('failed'),
      inconclusive: sum('inconclusive'),
      error: sum('error'),
    };
  });
  const duration = experiment.spec?.duration === '' ? undefined : experiment.spec?.duration;
  const availableAt = time(status.availableAt);
  const seconds = duration === undefined ? undefined : parseGoDuration(duration);
  return {
    name,
    status: phase,
    icon: analysisIcon(phase),
    message: status.message ?? '',
    duration,
    availableAt,
    endsAt: availableAt === undefined || seconds === undefined ? undefined : availableAt + seconds * 1000,
    finished: finishedPhases.has(phase),
    templates,
    analyses,
  };
}

/**
 * How long the Experiment has left, in words: `25s left`, `ended`, or why nothing counts down yet. `now` is
 * the caller's clock (the report's injected one, the browser's own).
 */
export function experimentTimeLeft(info: Pick<ExperimentInfo, 'duration' | 'endsAt' | 'finished'>, now: number): string {
  if (info.duration === undefined) return 'no duration: runs until its analyses complete or it is terminated';
  if (info.finished) return `duration ${info.duration}`;
  if (info.endsAt === undefined) return `duration ${info.duration}, counted from when every template is available`;
  const left = info.endsAt - now;
  return left <= 0 ? `duration ${info.duration}, passed` : `duration ${info.duration}, ${humanDuration(left)} left`;
}
