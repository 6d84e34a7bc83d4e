import { Watch } from '@kubernetes/client-node';
import { readRollout, type KubeContext } from '../../rollout-actions/kube-client.js';
import type { RolloutObject } from '../../rollout-view/types.js';

export interface RolloutWatch {
  stop: () => void;
}

// After a failed watch, wait this long before the next attempt so a persistent error is not a hot loop.
const retryDelayMs = 1000;

/**
 * Calls `onChange` with every new version of one Rollout, from a watch on
 * the API server (no polling). When the server ends the watch (its timeout,
 * or 410 Gone for a stale resourceVersion) it reads the Rollout again and
 * watches on from there; `onError` gets failures of that read (a deleted
 * Rollout) and the watch stops.
 */
export function watchRollout(
  kube: KubeContext,
  name: string,
  resourceVersion: string | undefined,
  onChange: (rollout: RolloutObject) => void,
  onError: (cause: unknown) => void,
): RolloutWatch {
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${kube.namespace}/rollouts`;
  const watch = new Watch(kube.config);
  let stopped = false;
  let abort: AbortController | undefined;
  let retry: NodeJS.Timeout | undefined;
  let version = resourceVersion;

  const restart = (failed: boolean): void => {
    if (stopped) return;
    retry = setTimeout(
      () => {
        readRollout(kube, name).then((rollout) => {
          version = rollout.metadata.resourceVersion;
          onChange(rollout);
          start();
        }, onError);
      },
      failed ? retryDelayMs : 0,
    );
  };

  const start = (): void => {
    if (stopped) return;
    watch
      .watch(
        path,
        { fieldSelector: `metadata.name=${name}`, ...(version === undefined ? {} : { resourceVersion: version }) },
        (type: string, object: RolloutObject) => {
          if (type === 'ADDED' || type === 'MODIFIED') {
            version = object.metadata.resourceVersion;
            onChange(object);
          }
        },
        (cause: unknown) => {
          restart(cause !== null && cause !== undefined);
        },
      )
      .then(
        (controller) => {
          abort = controller;
          if (stopped) controller.abort();
        },
        () => {
          restart(true);
        },
      );
  };

  start();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      abort?.abort();
    },
  };
}
