import type { KubeConfig } from '@kubernetes/client-node';
import type { ExperimentInfo } from '../rollout-view/experiment-info.js';
import type { rolloutInfo } from '../rollout-view/rollout-info.js';
import type { Manager } from '../kube/index.js';
import type { Logger } from '../log/index.js';

/** What `get rollout` shows (revisions, ReplicaSets, pods, analysis runs), reused as the page's tree. */
export type RolloutTree = ReturnType<typeof rolloutInfo>;

export interface DashboardOptions {
  kubeConfig: KubeConfig;
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Without it every action answers 403 and the buttons are not drawn. */
  enableActions: boolean;
  logger: Logger;
  /** Actions on a non-loopback address need this second, explicit consent. */
  allowRemoteActions?: boolean;
  /** Watch one namespace only (default: all); actions outside it answer 403. */
  namespace?: string;
  /** The bearer token actions need; without it one is generated (128 bits) and given back in {@link Dashboard.actionToken}. */
  actionToken?: string;
  /** Host names served beyond loopback and IP literals (a dashboard behind a proxy or reached by name). */
  allowedHosts?: readonly string[];
  /** The cluster's manager whose informers the pages read (`gradual start`: the engine's); one of its own when absent. */
  manager?: Manager;
}

export interface Dashboard {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** The token actions need (undefined without actions). */
  actionToken: string | undefined;
  /**
   * The URL to open: with actions, `url/#token=…`. The token rides in the
   * fragment, which a browser never sends (no server log, no Referer); the
   * page moves it to sessionStorage and takes it out of the address bar.
   */
  openUrl: string;
  stop(): Promise<void>;
}

/** The buttons; each runs one action of src/rollout-actions/. */
export const dashboardActions = ['promote', 'promote-full', 'abort', 'retry', 'restart'] as const;
export type DashboardAction = (typeof dashboardActions)[number];

/** One canary step as the page lists it. */
export interface StepView {
  /** 0-based, as status.currentStepIndex counts. */
  index: number;
  /** `setWeight`, `pause`, `analysis`, ... (the step's one field). */
  kind: string;
  /** What a person reads: `setWeight 20`, `pause`, `pause 10s`, `analysis success-rate`. */
  text: string;
  state: 'done' | 'current' | 'pending';
}

export interface WeightsView {
  /** The weight the current step asks for. */
  set: number;
  /** The weight observed (traffic router) or implied by available pods. */
  actual: number;
  stable: number;
}

/** `result[0] >= 0.9` read as a line on the chart; only simple comparisons have one. */
export interface Threshold {
  operator: '>' | '>=' | '<' | '<=' | '==' | '!=';
  value: number;
  /** Which condition it came from: a success condition is the line to stay on the good side of. */
  from: 'success' | 'failure';
}

export interface MeasurementPoint {
  /** Milliseconds since the epoch (finishedAt, else startedAt). */
  at: number;
  /** The first number of the measured value; null when it had none (an Error, or `[]`). */
  value: number | null;
  phase: string;
  /** The value as the provider wrote it. */
  raw: string;
}

export interface MetricChart {
  metric: string;
  phase: string;
  condition: string;
  threshold: Threshold | undefined;
  points: MeasurementPoint[];
}

export interface AnalysisRunView {
  name: string;
  phase: string;
  message: string;
  charts: MetricChart[];
}

export interface RolloutSummary {
  namespace: string;
  name: string;
  strategy: RolloutTree['strategy'];
  status: string;
  message: string;
  /** `2/7`, or '' without canary steps. */
  step: string;
  setWeight: string;
  actualWeight: string;
  desired: number;
  ready: number;
  available: number;
}

export interface RolloutView extends RolloutSummary {
  tree: RolloutTree;
  steps: StepView[];
  /** 1-based current step and the count (`step 2 of 7`); undefined without canary steps. */
  currentStep: number | undefined;
  stepCount: number;
  weights: WeightsView | undefined;
  analysisRuns: AnalysisRunView[];
  /** At an `experiment` step: its Experiment (phase, templates, analyses, when its duration ends). */
  experiment: ExperimentInfo | undefined;
}

/** What the server sends on its event stream. */
export interface DashboardEvent {
  event: 'rollouts' | 'rollout' | 'gone';
  data: unknown;
  id?: string;
}
