import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { analysisRunInfos, type AnalysisRunInfo, type AnalysisRunLike } from './analysis-run-info.js';
import { replicaSetIcon, rolloutIcon } from './icons.js';
import { podInfo, type PodInfo } from './pod-info.js';
import { rolloutPhase } from './rollout-phase.js';
import type { PodLike, ReplicaSetLike, RolloutObject, Timestamp } from './types.js';

export interface ReplicaSetInfo {
  name: string;
  revision: number;
  status: string;
  icon: string;
  /** status.replicas: only ReplicaSets with pods contribute images. */
  replicas: number;
  available: number;
  createdAt: number | undefined;
  stable: boolean;
  canary: boolean;
  active: boolean;
  preview: boolean;
  images: string[];
  scaleDownDeadline: string | undefined;
  pods: PodInfo[];
}

export interface RolloutInfo {
  name: string;
  namespace: string;
  createdAt: number | undefined;
  status: string;
  message: string;
  icon: string;
  strategy: 'Canary' | 'BlueGreen' | '';
  /** `index/steps`; empty before the controller set an index. */
  step: string;
  setWeight: string;
  actualWeight: string;
  desired: number;
  current: number;
  updated: number;
  ready: number;
  available: number;
  replicaSets: ReplicaSetInfo[];
  analysisRuns: AnalysisRunInfo[];
}

function time(timestamp: Timestamp | undefined): number | undefined {
  return timestamp === undefined ? undefined : new Date(timestamp).getTime();
}

/** Argo's getReplicaSetHealth: Progressing until the ReplicaSet controller caught up and every replica is available. */
function replicaSetHealth(rs: ReplicaSetLike): string {
  const generation = rs.metadata?.generation ?? 0;
  const desired = rs.spec?.replicas;
  if (generation > (rs.status?.observedGeneration ?? 0)) return 'Progressing';
  if (rs.status?.conditions?.some((c) => c.type === 'ReplicaFailure' && c.status === 'True') === true) return 'ReplicaFailure';
  if (desired !== undefined && (rs.status?.availableReplicas ?? 0) < desired) return 'Progressing';
  if (desired === 0) return 'ScaledDown';
  return 'Healthy';
}

function maxTrafficWeight(rollout: RolloutObject): number {
  return rollout.spec?.strategy?.canary?.trafficRouting?.maxTrafficWeight ?? 100;
}

/** Argo's GetCurrentSetWeight: the weight the current step asks for (the desired weight, not the observed one). */
export function currentSetWeight(rollout: RolloutObject): number {
  if (rollout.status?.abort === true) return 0;
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  const index = rollout.status?.currentStepIndex ?? 0;
  if (steps.length === 0 || index >= steps.length) return maxTrafficWeight(rollout);
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

function replicaSetInfos(rollout: RolloutObject, replicaSets: readonly ReplicaSetLike[], pods: readonly PodLike[]): ReplicaSetInfo[] {
  const uid = rollout.metadata.uid;
  const status = rollout.status;
  const canary = rollout.spec?.strategy?.canary !== undefined;
  const blueGreen = rollout.spec?.strategy?.blueGreen !== undefined;
  const owned = replicaSets.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.uid === uid) === true);
  const infos = owned.map((rs) => {
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
    const revision = Number.parseInt(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? '', 10);
    const state = replicaSetHealth(rs);
    const stable = hash !== '' && status?.stableRS === hash;
    const rsUid = rs.metadata?.uid;
    const rsPods = pods
      .filter((pod) => rsUid !== undefined && pod.metadata?.ownerReferences?.some((owner) => owner.uid === rsUid) === true)
      .map(podInfo)
      .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.name.localeCompare(b.name));
    return {
      name: rs.metadata?.name ?? '',
      revision: Number.isNaN(revision) ? 0 : revision,
      status: state,
      icon: replicaSetIcon(state),
      replicas: rs.status?.replicas ?? 0,
      available: rs.status?.availableReplicas ?? 0,
      createdAt: time(rs.metadata?.creationTimestamp),
      stable,
      canary: canary && !stable && hash !== '' && status?.currentPodHash === hash,
      active: blueGreen && hash !== '' && status?.blueGreen?.activeSelector === hash,
      preview: blueGreen && hash !== '' && status?.blueGreen?.activeSelector !== hash && status?.blueGreen?.previewSelector === hash,
      images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
      scaleDownDeadline: rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION],
      pods: rsPods,
    } satisfies ReplicaSetInfo;
  });
  return infos.sort((a, b) => b.revision - a.revision || a.name.localeCompare(b.name));
}

/** Everything `get rollout` shows, from the Rollout, the namespace's ReplicaSets, pods and AnalysisRuns (Argo's NewRolloutInfo). */
export function rolloutInfo(
  rollout: RolloutObject,
  replicaSets: readonly ReplicaSetLike[],
  pods: readonly PodLike[],
  analysisRuns: readonly AnalysisRunLike[] = [],
): RolloutInfo {
  const { phase, message } = rolloutPhase(rollout);
  const status = rollout.status ?? {};
  const infos = replicaSetInfos(rollout, replicaSets, pods);
  const canary = rollout.spec?.strategy?.canary;
  let step = '';
  let setWeight = '';
  let actualWeight = '';
  if (canary !== undefined) {
    const steps = canary.steps ?? [];
    if (status.currentStepIndex !== undefined && steps.length > 0) step = `${status.currentStepIndex}/${steps.length}`;
    setWeight = String(currentSetWeight(rollout));
    actualWeight = '0';
    const atStep = steps.length > 0 && (status.currentStepIndex ?? 0) < steps.length;
    const available = status.availableReplicas ?? 0;
    if (!atStep) actualWeight = String(maxTrafficWeight(rollout));
    else if (available > 0 && canary.trafficRouting === undefined) {
      const canaryRs = infos.filter((rs) => rs.canary).at(-1);
      if (canaryRs !== undefined) actualWeight = String(Math.trunc((canaryRs.available * maxTrafficWeight(rollout)) / available));
    } else if (available > 0) {
      actualWeight = String(status.canary?.weights?.canary?.weight ?? setWeight);
    }
  }
  return {
    name: rollout.metadata.name ?? '',
    namespace: rollout.metadata.namespace ?? '',
    createdAt: time(rollout.metadata.creationTimestamp),
    status: phase,
    message,
    icon: rolloutIcon(phase),
    strategy: canary !== undefined ? 'Canary' : rollout.spec?.strategy?.blueGreen !== undefined ? 'BlueGreen' : '',
    step,
    setWeight,
    actualWeight,
    desired: rollout.spec?.replicas ?? 1,
    current: status.replicas ?? 0,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
    replicaSets: infos,
    analysisRuns: analysisRunInfos(rollout.metadata.uid, analysisRuns),
  };
}
