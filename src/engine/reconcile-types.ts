import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { AnalysisRun, Experiment, Rollout, RolloutStatus, ValidateRolloutResult } from '../api/index.js';
import type { RouterObjects, RouterOperation } from '../traffic/index.js';
import type { AnalysisTemplateCatalog } from './analysis-templates.js';

/*
 * The contract between the controller shell and the pure planners. A
 * reconcile reads the informer cache into a RolloutObservation, calls
 * planRollout(observation) and applies the ReconcilePlan: the actions in
 * order (each with optimistic concurrency), then the status (only if it
 * differs from the observed one), then the events, then it schedules the
 * next reconcile at requeueAfterMs. Planners never perform I/O and never
 * read a clock: `now` is part of the observation.
 *
 * Like Argo's controller, one reconcile takes one step (for example one
 * scaling of one ReplicaSet); the change it writes comes back through the
 * informers and triggers the next reconcile, so a plan never needs to
 * predict the effect of its own actions.
 */

/** Everything the planners may read for one Rollout, as the informer cache holds it. */
export interface RolloutObservation {
  /** The Rollout as validated by src/api (spec strict, status lenient), with its metadata. */
  rollout: Rollout;
  /** The shell's validateRollout of this same object, reused so a reconcile validates it once; absent: the planner validates. */
  validation?: ValidateRolloutResult;
  /** ReplicaSets controlled by this Rollout (ownerReference with controller: true and the Rollout's uid). */
  replicaSets: V1ReplicaSet[];
  /** The Services the strategy names (canaryService, stableService, activeService, previewService), by name; absent ones are missing from the cluster. */
  services: Record<string, V1Service>;
  /**
   * Services annotated as managed by this Rollout, with a pod-template-hash selector, that its
   * strategy no longer names (after a blue-green → canary switch, or a renamed Service): Argo's
   * Service controller takes back what it injected. Absent reads as none.
   */
  releasedServices?: V1Service[];
  /**
   * DestinationRules annotated as managed by this Rollout that its strategy no longer names (routing
   * turned off, another rule named): Argo's Istio controller takes back what it injected. Absent reads as none.
   */
  releasedDestinationRules?: ObservedDestinationRule[];
  /** Pods of the Rollout's ReplicaSets: restartAt and the ephemeral pod metadata read them. */
  pods: V1Pod[];
  /** The Deployment spec.workloadRef names, when the Rollout has one and the Deployment exists in its namespace. */
  workload?: V1Deployment;
  /** AnalysisRuns controlled by this Rollout; absent reads as none. */
  analysisRuns?: AnalysisRun[];
  /** The Experiments of the Rollout's namespace (a canary experiment step's, and any other); absent reads as none. */
  experiments?: Experiment[];
  /** The AnalysisTemplates of the namespace and the ClusterAnalysisTemplates; absent reads as none. */
  analysisTemplates?: AnalysisTemplateCatalog;
  /**
   * The traffic router objects (VirtualServices, DestinationRules, Ingresses, TrafficSplits, HTTPRoutes) as the
   * shell's informer caches hold them: the planner decides the routers' calls on them and refuses a Rollout whose
   * objects cannot take them (InvalidSpec) in the same reconcile. Absent: not known, not checked.
   */
  routerObjects?: RouterObjects;
  now: Date;
}

/** A DestinationRule as the router informer holds it: read defensively, it is anybody's object. */
export interface ObservedDestinationRule {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: unknown;
}

/** One write to the cluster. Names are within the Rollout's namespace. */
export type KubeAction =
  | { kind: 'createReplicaSet'; replicaSet: V1ReplicaSet }
  | {
      kind: 'updateReplicaSet';
      name: string;
      /** The resourceVersion the decision was made on: a concurrent change makes the write fail with 409 and the reconcile retry. */
      resourceVersion: string;
      replicas?: number;
      /** Annotations to set (string) or remove (null). */
      annotations?: Record<string, string | null>;
      /** Labels to set (string) or remove (null). */
      labels?: Record<string, string | null>;
      /** spec.minReadySeconds, kept equal to the Rollout's on its new ReplicaSet. */
      minReadySeconds?: number;
      /** Changes to spec.template (ephemeral pod metadata, injected anti-affinity); pods already running are not restarted by it. */
      template?: PodTemplateChanges;
    }
  | { kind: 'deleteReplicaSet'; name: string; resourceVersion: string }
  | {
      /**
       * Argo's setRolloutRevision: the Rollout's own rollout.argoproj.io/revision annotation, set to its new
       * ReplicaSet's revision (a merge patch of that one annotation, on the resourceVersion the plan was decided on).
       * Before the status write, as Argo updates the Rollout before its UpdateStatus.
       */
      kind: 'setRolloutRevision';
      revision: string;
      resourceVersion: string;
    }
  | {
      kind: 'updatePodMetadata';
      name: string;
      /** As for ReplicaSets: a pod changed since the decision makes the write fail with 409. */
      resourceVersion: string;
      /** Labels to set (string) or remove (null). */
      labels?: Record<string, string | null>;
      /** Annotations to set (string) or remove (null). */
      annotations?: Record<string, string | null>;
    }
  | {
      kind: 'updateServiceSelector';
      name: string;
      resourceVersion: string;
      /** Selector entries to set (string) or remove (null), e.g. rollouts-pod-template-hash. */
      selector: Record<string, string | null>;
      annotations?: Record<string, string | null>;
    }
  | {
      /**
       * A merge patch of a DestinationRule (networking.istio.io/v1alpha3) on the resourceVersion the plan was
       * decided on: annotations to set or remove, and its subsets replaced whole when given (a merge patch
       * replaces arrays), as Argo's cleanDestRule update does.
       */
      kind: 'releaseDestinationRule';
      name: string;
      resourceVersion: string;
      annotations: Record<string, string | null>;
      subsets?: unknown[];
    }
  | { kind: 'evictPod'; name: string; reason: string }
  | {
      /** An AnalysisRun made from the Rollout's templates; an existing one of the same name that is equal and unfinished counts as created. */
      kind: 'createAnalysisRun';
      run: AnalysisRun;
    }
  /** Sets spec.terminate on a run (a merge patch, as Argo's cancelAnalysisRuns); a run already gone is not an error. */
  | { kind: 'terminateAnalysisRun'; name: string }
  /** A finished run beyond the history limits; a run already gone is not an error. */
  | { kind: 'deleteAnalysisRun'; name: string }
  | {
      /** The Experiment of a canary experiment step; an existing one of the same name that is ours, equal and unfinished counts as created. */
      kind: 'createExperiment';
      experiment: Experiment;
    }
  /** Sets spec.terminate on an Experiment (a merge patch, as Argo's experimentutil.Terminate); one already gone is not an error. */
  | { kind: 'terminateExperiment'; name: string }
  /** An Experiment beyond the history limits or whose ReplicaSet is gone; one already gone is not an error. */
  | { kind: 'deleteExperiment'; name: string }
  | {
      /**
       * Calls on the Rollout's traffic routers (src/traffic), in order, on each router in Argo's
       * order. Idempotent: a router writes only what differs from the object it reads.
       */
      kind: 'routeTraffic';
      operations: TrafficOperation[];
    }
  | {
      /** spec.replicas of the Deployment a workloadRef names (its scale subresource), for scaleDown onsuccess/progressively. */
      kind: 'scaleDeployment';
      name: string;
      resourceVersion: string;
      replicas: number;
    };

/** One call of Argo's TrafficRoutingReconciler interface (src/traffic TrafficRouter). */
export type TrafficOperation = RouterOperation;

/** What an updateReplicaSet changes in the ReplicaSet's pod template. */
export interface PodTemplateChanges {
  /** spec.template.metadata.labels to set (string) or remove (null). */
  labels?: Record<string, string | null>;
  /** spec.template.metadata.annotations to set (string) or remove (null). */
  annotations?: Record<string, string | null>;
  /**
   * spec.template.spec.affinity as a JSON merge patch (RFC 7386) from the live value to the
   * wanted one: null removes it, nested nulls remove fields, arrays are replaced whole. A patch
   * rather than the wanted value, so the write touches only what changes.
   */
  affinity?: AffinityMergePatch | null;
}

/** A JSON merge patch of a V1Affinity (see PodTemplateChanges.affinity). */
export type AffinityMergePatch = { [key: string]: unknown };

export type EventType = 'Normal' | 'Warning';

/** A Kubernetes Event about the Rollout, with Argo's reason (RolloutUpdated, RolloutStepCompleted, …). */
export interface RolloutEvent {
  type: EventType;
  reason: string;
  message: string;
}

export interface ReconcilePlan {
  actions: KubeAction[];
  /** The whole desired status; the shell writes it through the status subresource only when it differs from the observed one. */
  status: RolloutStatus;
  events: RolloutEvent[];
  /** When a deadline (pause end, scale-down delay, progress deadline) needs a reconcile without any object changing; undefined when none. Never 0. */
  requeueAfterMs?: number;
}
