import { Watch, type KubeConfig } from '@kubernetes/client-node';

// The status history of every Rollout in a namespace, as a watch sees it: each write's
// (spec image, revision, step index, aborted). A poll could miss a step the engine passes in a
// few milliseconds; a watch sees every write. The watch is resumed from the last resourceVersion
// when the server ends it.

export interface RolloutSample {
  image: string | undefined;
  podHash: string | undefined;
  step: number | undefined;
  aborted: boolean;
  phase: string | undefined;
}

export interface RolloutHistory {
  samples(name: string): RolloutSample[];
  stop(): void;
}

interface WatchedRollout {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { currentPodHash?: string; currentStepIndex?: number; abort?: boolean; phase?: string };
}

export async function watchRolloutHistory(kubeConfig: KubeConfig, namespace: string): Promise<RolloutHistory> {
  const history = new Map<string, RolloutSample[]>();
  const watch = new Watch(kubeConfig);
  let resourceVersion: string | undefined;
  let stopped = false;
  let abort: (() => void) | undefined;

  async function open(): Promise<void> {
    const controller = await watch.watch(
      `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`,
      { allowWatchBookmarks: true, ...(resourceVersion !== undefined && { resourceVersion }) },
      (type: string, object: WatchedRollout & { code?: number }) => {
        // A 410 arrives as an ERROR event (a restarted API server's watch cache starts after our resourceVersion):
        // resumed from that version, the watch would get the same 410 for ever and record nothing more.
        if (type === 'ERROR') {
          if (object.code === 410) resourceVersion = undefined;
          return;
        }
        resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const name = object.metadata?.name;
        if (name === undefined) return;
        const samples = history.get(name) ?? [];
        samples.push({
          image: object.spec?.template?.spec?.containers?.[0]?.image,
          podHash: object.status?.currentPodHash,
          step: object.status?.currentStepIndex,
          aborted: object.status?.abort === true,
          phase: object.status?.phase,
        });
        history.set(name, samples);
      },
      (error: unknown) => {
        if (stopped) return;
        // A 410 (too old) starts over from now; anything else resumes where it was.
        if (error instanceof Error && error.message.includes('410')) resourceVersion = undefined;
        setTimeout(() => void open().catch(() => undefined), 200);
      },
    );
    abort = () => {
      controller.abort();
    };
  }
  await open();
  return {
    samples: (name) => [...(history.get(name) ?? [])],
    stop() {
      stopped = true;
      abort?.();
    },
  };
}

/**
 * The step indexes one revision went through, consecutive repeats collapsed (other status writes),
 * up to its abort. Returns the problem or undefined: the sequence must start at 0 or 1 and go up one
 * at a time, never back, never twice through a step.
 */
export function stepSequence(samples: readonly RolloutSample[], podHash: string): { steps: number[]; problem: string | undefined } {
  const steps: number[] = [];
  for (const sample of samples) {
    if (sample.podHash !== podHash || sample.step === undefined) continue;
    if (sample.aborted) break;
    if (steps.at(-1) !== sample.step) steps.push(sample.step);
  }
  const first = steps[0];
  if (first === undefined) return { steps, problem: `no step recorded for revision ${podHash}` };
  if (first > 1) return { steps, problem: `revision ${podHash} first seen at step ${String(first)}` };
  for (let index = 1; index < steps.length; index++) {
    const previous = steps[index - 1] ?? 0;
    const step = steps[index] ?? 0;
    if (step !== previous + 1) return { steps, problem: `revision ${podHash}: step ${String(previous)} → ${String(step)}` };
  }
  return { steps, problem: undefined };
}
