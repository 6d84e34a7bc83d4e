import { describe, expect, it } from 'vitest';
import { analysisIcon } from './analysis-run-info.js';
import { replicaSetIcon, rolloutIcon } from './icons.js';
import { podInfo } from './pod-info.js';
import type { PodLike } from './types.js';

function pod(status: PodLike['status'], extra: Partial<PodLike> = {}): PodLike {
  return {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init' }] },
    status,
    ...extra,
  };
}
const running = { ready: true, restartCount: 0, state: { running: {} } };

// The status words kubectl prints, derived as Argo's pod_info.go does.
describe('podInfo', () => {
  it.each<[string, PodLike, string, string, string]>([
    ['running and ready', pod({ phase: 'Running', containerStatuses: [running, { ...running, restartCount: 3 }] }), 'Running', '✔', '2/2'],
    [
      'waiting for an image',
      pod({ phase: 'Pending', containerStatuses: [{ ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }, running] }),
      'ImagePullBackOff',
      '⚠',
      '1/2',
    ],
    [
      'crashed without a reason',
      pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 2 } } }] }),
      'ExitCode:2',
      '✖',
      '0/2',
    ],
    [
      'in its init container',
      pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }),
      'Init:0/1',
      '◌',
      '0/2',
    ],
    [
      'being deleted',
      pod(
        { phase: 'Running', containerStatuses: [running, running] },
        { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      ),
      'Terminating',
      '◌',
      '2/2',
    ],
  ])('%s', (_, subject, status, icon, ready) => {
    expect(podInfo(subject)).toMatchObject({ status, icon, ready });
  });

  it('counts restarts of the app containers', () => {
    expect(podInfo(pod({ phase: 'Running', containerStatuses: [running, { ...running, restartCount: 3 }] })).restarts).toBe(3);
  });
});

describe('status icons by table', () => {
  it('a status that names an Object property has no icon (hostile status text from the cluster)', () => {
    for (const status of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect([rolloutIcon(status), replicaSetIcon(status), analysisIcon(status)]).toEqual([' ', ' ', ' ']);
    }
    expect([rolloutIcon('Healthy'), replicaSetIcon('ScaledDown'), analysisIcon('Pending')]).toEqual(['✔', '•', '◷']);
  });
});
