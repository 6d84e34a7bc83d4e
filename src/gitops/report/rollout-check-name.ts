export const rolloutCheckPrefix = 'gradual/rollout ';

/** The check run's name for a rollout: `gradual/rollout <namespace>/<name>`. */
export function rolloutCheckName(namespace: string, name: string): string {
  return `${rolloutCheckPrefix}${namespace}/${name}`;
}

/** The rollout a check run is about, from its name; undefined for another check. */
export function parseRolloutCheckName(checkName: string): { namespace: string; name: string } | undefined {
  if (!checkName.startsWith(rolloutCheckPrefix)) return undefined;
  const [namespace, name, ...rest] = checkName.slice(rolloutCheckPrefix.length).split('/');
  if (namespace === undefined || name === undefined || namespace === '' || name === '' || rest.length > 0) return undefined;
  return { namespace, name };
}
