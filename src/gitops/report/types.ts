import type { AnalysisRun, Rollout } from '../../api/index.js';
import type { ExperimentObject } from '../../rollout-view/experiment-info.js';

/** The pull request a report is about. */
export interface PullRequestRef {
  number: number;
  headSha: string;
}

/** One ReplicaSet of the Rollout, as the shell read it from the cluster. */
export interface ReplicaSetReport {
  name: string;
  revision: number;
  podTemplateHash: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  images: string[];
}

/** One Event of the Rollout (Argo's reasons: RolloutUpdated, RolloutStepCompleted, RolloutPaused, ...). */
export interface TimelineEntry {
  at: Date;
  reason: string;
  message: string;
}

/** Everything one rollout check run is rendered from; the shell gathers it, the renderers only read it. */
export interface RolloutReportInput {
  /** With its status, as the engine wrote it. */
  rollout: Rollout;
  /** The Rollout's AnalysisRuns (any revision: the renderers pick the current revision's), and its Experiments'. */
  analysisRuns: AnalysisRun[];
  /** The Experiments the Rollout controls (its canary `experiment` steps'); the renderers pick the current step's. */
  experiments?: ExperimentObject[];
  replicaSets: ReplicaSetReport[];
  /** The Rollout's Events, oldest first. */
  timeline: TimelineEntry[];
  pullRequest: PullRequestRef;
  now: Date;
}

/**
 * Where a rollout stands, as a person on the pull request sees it. `paused` is a pause that
 * waits for a person (a pause step without duration, a blue-green without auto-promotion, a
 * manual pause); a timed pause is `progressing`, since it ends by itself.
 */
export type RolloutCheckState = 'progressing' | 'paused' | 'inconclusive' | 'aborted' | 'healthy' | 'degraded';

/** A comment for an event a person must see; the key says which event, so it is posted once. */
export interface Notice {
  key: string;
  body: string;
}

export type NoticeKind = 'paused' | 'inconclusive' | 'aborted' | 'completed';

export interface LockReport {
  environment: string;
  /** The pull request holding the lock; absent when nobody holds it. */
  heldBy?: number;
}

export interface PlanReport {
  checkUrl?: string;
  created: number;
  changed: number;
  unchanged: number;
  errors: number;
}

export interface StickyCommentInput {
  pullRequest: PullRequestRef;
  rollouts: RolloutReportInput[];
  lock?: LockReport;
  plan?: PlanReport;
}
