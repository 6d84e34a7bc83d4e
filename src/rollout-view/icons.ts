/** The glyphs of Argo's plugin (info/info.go, cmd/get/get.go), so a person used to one tree reads the other. */
export const icons = {
  waiting: '◷',
  progressing: '◌',
  warning: '⚠',
  unknown: '?',
  ok: '✔',
  bad: '✖',
  paused: '॥',
  neutral: '•',
  rollout: '⟳',
  revision: '#',
  replicaSet: '⧉',
  pod: '□',
  analysisRun: 'α',
  /** Gradual's own: Argo's tree has no metric rows. */
  metric: '∿',
} as const;

/** The status icon of a Rollout (rollout_info.go rolloutIcon). */
export function rolloutIcon(status: string): string {
  switch (status) {
    case 'Progressing':
      return icons.progressing;
    case 'Error':
    case 'InvalidSpec':
      return icons.warning;
    case 'Paused':
      return icons.paused;
    case 'Healthy':
      return icons.ok;
    case 'Degraded':
      return icons.bad;
    case 'Unknown':
      return icons.unknown;
    case 'ScaledDown':
      return icons.neutral;
    default:
      return ' ';
  }
}

/** The status icon of a ReplicaSet (replicaset_info.go replicaSetIcon). */
export function replicaSetIcon(status: string): string {
  switch (status) {
    case 'Progressing':
      return icons.progressing;
    case 'Healthy':
      return icons.ok;
    case 'ReplicaFailure':
      return icons.bad;
    case 'ScaledDown':
      return icons.neutral;
    default:
      return ' ';
  }
}
