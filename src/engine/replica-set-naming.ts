/**
 * ReplicaSet names, as Argo creates them (rollout/sync.go `createDesiredReplicaSet`):
 * `<rollout name>-<pod template hash>`.
 *
 * Argo does not truncate: an over-long name is left for the API server to reject when the
 * ReplicaSet is created. We keep the same rule — a truncated name would not be the name Argo
 * gives the same revision, and adoption and the kubectl plugin rely on the pattern — and export
 * the limit so validation can refuse a Rollout whose ReplicaSets could never be created, before
 * anything is applied. (Pods need no limit here: the ReplicaSet controller creates them with
 * `generateName`, which the API server shortens itself.)
 */

/** A ReplicaSet name is a DNS subdomain: at most 253 characters. */
export const MAX_REPLICA_SET_NAME_LENGTH = 253;

/** SafeEncodeString of a uint32's decimal text: at most 10 characters (4294967295). */
export const MAX_POD_TEMPLATE_HASH_LENGTH = 10;

/** The longest Rollout name whose every ReplicaSet name fits, whatever its hash. */
export const MAX_ROLLOUT_NAME_LENGTH = MAX_REPLICA_SET_NAME_LENGTH - 1 - MAX_POD_TEMPLATE_HASH_LENGTH;

export function replicaSetName(rolloutName: string, podTemplateHash: string): string {
  return `${rolloutName}-${podTemplateHash}`;
}
