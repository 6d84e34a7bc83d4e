import { iconFor, icons } from './icons.js';
import type { PodLike } from './types.js';

export interface PodInfo {
  name: string;
  status: string;
  icon: string;
  /** `ready/total` containers. */
  ready: string;
  restarts: number;
  createdAt: number | undefined;
}

/** The status word kubectl shows for a pod (as Argo's plugin derives it, pod_info.go): init progress, a waiting or terminated reason, or the phase. */
export function podInfo(pod: PodLike): PodInfo {
  const initContainers = pod.spec?.initContainers ?? [];
  const sidecars = new Set(initContainers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let reason = pod.status?.reason !== undefined && pod.status.reason !== '' ? pod.status.reason : (pod.status?.phase ?? '');
  let restarts = 0;
  let ready = 0;
  let initializing = false;
  for (const [i, container] of (pod.status?.initContainerStatuses ?? []).entries()) {
    restarts += container.restartCount ?? 0;
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting?.reason;
    if (terminated !== undefined && (terminated.exitCode ?? 0) === 0) continue;
    if (terminated !== undefined) {
      if (terminated.reason !== undefined && terminated.reason !== '') reason = `Init:${terminated.reason}`;
      else
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Init:Signal:${terminated.signal}`
            : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (sidecars.has(container.name ?? '') && container.started === true) {
      // A started sidecar does not hold the pod in Init; a ready one lets the next init container count.
      if (container.ready === true) continue;
      break;
    } else if (waiting !== undefined && waiting !== '' && waiting !== 'PodInitializing') {
      reason = `Init:${waiting}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    for (const container of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      restarts += container.restartCount ?? 0;
      const state = container.state;
      if (state?.waiting?.reason !== undefined && state.waiting.reason !== '') reason = state.waiting.reason;
      else if (state?.terminated?.reason !== undefined && state.terminated.reason !== '') reason = state.terminated.reason;
      else if (state?.terminated !== undefined) {
        const { signal, exitCode } = state.terminated;
        reason = signal !== undefined && signal !== 0 ? `Signal:${signal}` : `ExitCode:${exitCode ?? 0}`;
      } else if (container.ready === true && state?.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp !== undefined) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const created = pod.metadata?.creationTimestamp;
  return {
    name: pod.metadata?.name ?? '',
    status: reason,
    icon: podIcon(reason),
    ready: `${ready}/${(pod.spec?.containers ?? []).length}`,
    restarts,
    createdAt: created === undefined ? undefined : new Date(created).getTime(),
  };
}

const podIcons: ReadonlyMap<string, string> = new Map([
  ['Pending', icons.progressing],
  ['Terminating', icons.progressing],
  ['ContainerCreating', icons.progressing],
  ['Running', icons.ok],
  ['Completed', icons.ok],
  ['Failed', icons.bad],
  ['InvalidImageName', icons.bad],
  ['CrashLoopBackOff', icons.bad],
  ['ImagePullBackOff', icons.warning],
  ['RegistryUnavailable', icons.warning],
  ['Unknown', icons.unknown],
]);

function podIcon(status: string): string {
  if (status.startsWith('Init:')) return icons.progressing;
  if (status.startsWith('Signal:') || status.startsWith('ExitCode:')) return icons.bad;
  if (status.endsWith('Error') || status.startsWith('Err')) return icons.warning;
  return iconFor(podIcons, status);
}
