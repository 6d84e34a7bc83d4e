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

/** An icon by status, or a space for a status Argo has no icon for (a Map: a status such as `constructor` is not a key). */
export function iconFor(table: ReadonlyMap<string, string>, status: string): string {
  return table.get(status) ?? ' ';
}

const rolloutIcons: ReadonlyMap<string, string> = new Map([
  ['Progressing', icons.progressing],
  ['Error', icons.warning],
  ['InvalidSpec', icons.warning],
  ['Paused', icons.paused],
  ['Healthy', icons.ok],
  ['Degraded', icons.bad],
  ['Unknown', icons.unknown],
  ['ScaledDown', icons.neutral],
]);

/** The status icon of a Rollout (rollout_info.go rolloutIcon). */
export function rolloutIcon(status: string): string {
  return iconFor(rolloutIcons, status);
}

const replicaSetIcons: ReadonlyMap<string, string> = new Map([
  ['Progressing', icons.progressing],
  ['Healthy', icons.ok],
  ['ReplicaFailure', icons.bad],
  ['ScaledDown', icons.neutral],
]);

/** The status icon of a ReplicaSet (replicaset_info.go replicaSetIcon). */
export function replicaSetIcon(status: string): string {
  return iconFor(replicaSetIcons, status);
}
