/*
 * The shapes the rollout verbs read, as the API server sends them. They are
 * deliberately loose (every field optional, unknown fields allowed): the CLI
 * must read Rollouts written by Argo, by any Gradual version and by hand, so
 * it only names what it looks at and never rejects an object for the rest.
 * A ReplicaSet or pod may come from client-node's typed list (timestamps as
 * Date) or from a watch event (timestamps as strings); both fit.
 */

export type Timestamp = Date | string;

export interface ObjectMetaLike {
  name?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  generation?: number | undefined;
  resourceVersion?: string | undefined;
  creationTimestamp?: Timestamp | undefined;
  deletionTimestamp?: Timestamp | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  ownerReferences?: { uid: string; controller?: boolean | undefined; kind?: string | undefined }[] | undefined;
}

export interface ContainerLike {
  name: string;
  image?: string | undefined;
  restartPolicy?: string | undefined;
}

export interface PodTemplateLike {
  metadata?: ObjectMetaLike | undefined;
  spec?:
    | {
        containers?: ContainerLike[] | undefined;
        initContainers?: ContainerLike[] | undefined;
        ephemeralContainers?: ContainerLike[] | undefined;
      }
    | undefined;
}

export interface LabelSelectorLike {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}

export interface CanaryStepLike {
  setWeight?: number | undefined;
  [field: string]: unknown;
}

export interface RolloutSpecLike {
  replicas?: number | undefined;
  paused?: boolean | undefined;
  restartAt?: string | undefined;
  selector?: LabelSelectorLike | undefined;
  template?: PodTemplateLike | undefined;
  workloadRef?: { apiVersion?: string | undefined; kind?: string | undefined; name?: string | undefined } | undefined;
  strategy?:
    | {
        canary?:
          | {
              steps?: CanaryStepLike[] | undefined;
              trafficRouting?: { maxTrafficWeight?: number | undefined; [router: string]: unknown } | undefined;
            }
          | undefined;
        blueGreen?: { postPromotionAnalysis?: unknown; [field: string]: unknown } | undefined;
      }
    | undefined;
}

export interface RolloutStatusLike {
  phase?: string | undefined;
  message?: string | undefined;
  abort?: boolean | undefined;
  pauseConditions?: { reason: string; startTime?: string | undefined }[] | null | undefined;
  controllerPause?: boolean | undefined;
  currentStepIndex?: number | undefined;
  currentPodHash?: string | undefined;
  stableRS?: string | undefined;
  observedGeneration?: string | undefined;
  workloadObservedGeneration?: string | undefined;
  replicas?: number | undefined;
  updatedReplicas?: number | undefined;
  readyReplicas?: number | undefined;
  availableReplicas?: number | undefined;
  promoteFull?: boolean | undefined;
  restartedAt?: string | undefined;
  conditions?: { type: string; status: string; reason?: string | undefined; message?: string | undefined }[] | undefined;
  canary?:
    | {
        currentStepAnalysisRunStatus?: { status?: string | undefined } | undefined;
        /** The Experiment of the current `experiment` step while it runs. */
        currentExperiment?: string | undefined;
        weights?: { canary?: { weight?: number | undefined } | undefined } | undefined;
      }
    | undefined;
  blueGreen?:
    | {
        activeSelector?: string | undefined;
        previewSelector?: string | undefined;
        postPromotionAnalysisRunStatus?: { status?: string | undefined } | undefined;
      }
    | undefined;
}

/** A Rollout as read from the API server (argoproj.io/v1alpha1). */
export interface RolloutObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata: ObjectMetaLike;
  spec?: RolloutSpecLike | undefined;
  status?: RolloutStatusLike | undefined;
}

export interface ReplicaSetLike {
  metadata?: ObjectMetaLike | undefined;
  spec?: { replicas?: number | undefined; template?: PodTemplateLike | undefined } | undefined;
  status?:
    | {
        replicas?: number | undefined;
        availableReplicas?: number | undefined;
        observedGeneration?: number | undefined;
        conditions?: { type: string; status: string }[] | undefined;
      }
    | undefined;
}

export interface ContainerStateLike {
  waiting?: { reason?: string | undefined } | undefined;
  running?: object | undefined;
  terminated?: { reason?: string | undefined; exitCode?: number | undefined; signal?: number | undefined } | undefined;
}

export interface ContainerStatusLike {
  name?: string | undefined;
  ready?: boolean | undefined;
  started?: boolean | undefined;
  restartCount?: number | undefined;
  state?: ContainerStateLike | undefined;
}

export interface PodLike {
  metadata?: ObjectMetaLike | undefined;
  spec?: { containers?: ContainerLike[] | undefined; initContainers?: ContainerLike[] | undefined } | undefined;
  status?:
    | {
        phase?: string | undefined;
        reason?: string | undefined;
        initContainerStatuses?: ContainerStatusLike[] | undefined;
        containerStatuses?: ContainerStatusLike[] | undefined;
      }
    | undefined;
}
