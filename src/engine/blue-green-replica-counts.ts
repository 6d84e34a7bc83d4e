import { newestRevisionFirst } from './canary-replica-counts.js';
import type { OlderReplicaSet } from './types.js';

/**
 * ReplicaSet sizes of the blue-green strategy and the old stack's scale-down delay, as Argo
 * Rollouts decides them (rollout/bluegreen.go `reconcileBlueGreenReplicaSets`,
 * rollout/replicaset.go `reconcileNewReplicaSet` and `scaleDownDelayHelper`,
 * utils/replicaset `NewRSNewReplicas`). Pure: time comes in as `now`, and the deadlines the
 * plan keeps waiting on come back as `nextWakeUp` for the work queue.
 */

/** Argo's default `scaleDownDelaySeconds` and `abortScaleDownDelaySeconds`. */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;

export interface BlueGreenReplicaSet extends OlderReplicaSet {
  podTemplateHash: string;
  /** The raw `scale-down-deadline` annotation, if any (it may be malformed: users edit it). */
  scaleDownDeadline?: string | undefined;
}

/** The status fields that decide the new ReplicaSet's size. */
export interface BlueGreenStatusView {
  /** `status.currentPodHash`: the template hash this update was started for. */
  currentPodHash: string | undefined;
  /** Hash of an existing ReplicaSet selected by `status.blueGreen.activeSelector`; undefined when none exists. */
  activeHash: string | undefined;
  promoteFull: boolean;
  aborted: boolean;
  /** `spec.paused` or any `status.pauseConditions`. */
  paused: boolean;
  /** `status.blueGreen.scaleUpPreviewCheckPoint`. */
  scaleUpPreviewCheckPoint: boolean;
}

export interface BlueGreenInput {
  /** The Rollout's `spec.replicas` (resolved; Argo's default is 1). */
  replicas: number;
  previewReplicaCount?: number | undefined;
  scaleDownDelaySeconds?: number | undefined;
  scaleDownDelayRevisionLimit?: number | undefined;
  /** Undefined means Argo's default of 30 s; 0 means the preview stays up after an abort. */
  abortScaleDownDelaySeconds?: number | undefined;
  newRS: BlueGreenReplicaSet | undefined;
  /** The ReplicaSet of `status.stableRS` — the active stack — which may be `newRS` itself. */
  stableRS: BlueGreenReplicaSet | undefined;
  /** Every other ReplicaSet, in creation order. */
  older: readonly BlueGreenReplicaSet[];
  status: BlueGreenStatusView;
  /**
   * Hashes nothing may scale down: `status.stableRS`, `status.currentPodHash`, the active and
   * preview selectors, and whatever the live active/preview Services select (Argo's
   * `isReplicaSetReferenced`), e.g. after the user moved back to an older revision.
   */
  referencedHashes: ReadonlySet<string>;
  /**
   * Keep every older ReplicaSet as it is: Argo does so while paused on an inconclusive
   * analysis, and while a post-promotion analysis has not yet succeeded when no explicit
   * `scaleDownDelaySeconds` gives the old stack a deadline of its own.
   */
  holdOlder: boolean;
  /** Epoch milliseconds. */
  now: number;
}

/** The desired state of one ReplicaSet: its size and its `scale-down-deadline` annotation (undefined = absent). */
export interface DesiredReplicaSet {
  name: string;
  replicas: number;
  scaleDownDeadline: string | undefined;
}

export interface BlueGreenPlan {
  newRS: DesiredReplicaSet | undefined;
  /** Undefined when there is no stable ReplicaSet or it is the new one (then `newRS` says it all). */
  stableRS: DesiredReplicaSet | undefined;
  /** Every older ReplicaSet, in input order; unchanged ones repeat their current state. */
  older: DesiredReplicaSet[];
  /** The earliest deadline still being waited for (epoch ms), to requeue the Rollout at. */
  nextWakeUp: number | undefined;
}

/**
 * Desired state of every ReplicaSet of a blue-green Rollout for one reconcile.
 *
 * The active (stable) stack stays at spec.replicas and loses any deadline — the user may have
 * rolled back to it. The new stack gets {@link blueGreenNewReplicas}, except after an abort,
 * where it stays up for `abortScaleDownDelaySeconds` once the stable stack is fully available.
 * Older stacks keep spec.replicas until their deadline passes; the deadline is stamped
 * `scaleDownDelaySeconds` after they are first seen unreferenced, and only the newest
 * `scaleDownDelayRevisionLimit` of them wait, the rest go to zero at once.
 */
export function blueGreenReplicaSets(input: BlueGreenInput): BlueGreenPlan {
  const wakeUps: number[] = [];
  const { newRS, stableRS, replicas } = input;

  let newDesired: DesiredReplicaSet | undefined;
  if (newRS !== undefined) {
    const normal = { name: newRS.name, replicas: blueGreenNewReplicas(input), scaleDownDeadline: undefined };
    // Argo clears `abort` on a fully promoted Rollout before sizing anything, hence "distinct".
    const delayOnAbort =
      input.status.aborted && stableRS !== undefined && stableRS.name !== newRS.name && input.abortScaleDownDelaySeconds !== 0;
    newDesired = delayOnAbort ? (abortedNewReplicaSet(newRS, stableRS, input, wakeUps) ?? normal) : normal;
  }

  const distinctStable = stableRS !== undefined && stableRS.name !== newRS?.name ? stableRS : undefined;
  const stableDesired = distinctStable && { name: distinctStable.name, replicas, scaleDownDeadline: undefined };

  const older = olderReplicaSets(input, wakeUps);
  return {
    newRS: newDesired,
    stableRS: stableDesired,
    older,
    nextWakeUp: wakeUps.length === 0 ? undefined : Math.min(...wakeUps),
  };
}

/**
 * The new (preview) ReplicaSet's size, Argo's `NewRSNewReplicas` for blue-green:
 * `previewReplicaCount` while the update waits for promotion, spec.replicas once the new
 * stack is (or is about to become) active — no active stack, already active, promote-full,
 * or resumed past the preview checkpoint.
 */
export function blueGreenNewReplicas(input: Pick<BlueGreenInput, 'replicas' | 'previewReplicaCount' | 'newRS' | 'status'>): number {
  const { previewReplicaCount, newRS, status } = input;
  if (previewReplicaCount === undefined || newRS === undefined) {
    return input.replicas;
  }
  if (status.activeHash === undefined || status.activeHash === newRS.podTemplateHash || status.promoteFull) {
    return input.replicas;
  }
  // A template that differs from the recorded current one is a fresh update: back to preview size.
  if (newRS.podTemplateHash !== status.currentPodHash) {
    return previewReplicaCount;
  }
  if (!status.paused && status.scaleUpPreviewCheckPoint) {
    return input.replicas;
  }
  return previewReplicaCount;
}

/**
 * After an abort the preview stack stays as it is until `abortScaleDownDelaySeconds` after the
 * stable stack is fully available again; undefined means "size it normally" (Argo falls
 * through when the deadline annotation cannot be read). Argo also sizes it normally while the
 * deadline is further away than its resync period (15 min) — an artefact of when it requeues,
 * and the same size in practice, since the preview stack is already at its normal size.
 */
function abortedNewReplicaSet(
  newRS: BlueGreenReplicaSet,
  stableRS: BlueGreenReplicaSet,
  input: BlueGreenInput,
  wakeUps: number[],
): DesiredReplicaSet | undefined {
  const keep = { name: newRS.name, replicas: newRS.replicas, scaleDownDeadline: newRS.scaleDownDeadline };
  if (hasDeadline(newRS)) {
    const deadline = parseRfc3339(newRS.scaleDownDeadline);
    if (deadline === undefined) {
      return undefined;
    }
    if (deadline > input.now) {
      wakeUps.push(deadline);
      return keep;
    }
    return { ...keep, replicas: 0 };
  }
  // Stamping the deadline before the stable stack can take all traffic would let it expire early.
  if (stableRS.availableReplicas < input.replicas) {
    return keep;
  }
  const delay = input.abortScaleDownDelaySeconds ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS;
  const deadline = formatScaleDownDeadline(input.now + delay * 1000);
  wakeUps.push(Date.parse(deadline));
  return { ...keep, scaleDownDeadline: deadline };
}

function olderReplicaSets(input: BlueGreenInput, wakeUps: number[]): DesiredReplicaSet[] {
  const unchanged = (rs: BlueGreenReplicaSet): DesiredReplicaSet => ({
    name: rs.name,
    replicas: rs.replicas,
    scaleDownDeadline: rs.scaleDownDeadline,
  });
  const hasPods = input.older.some((rs) => rs.replicas > 0);
  if (!hasPods || input.holdOlder) {
    return input.older.map(unchanged);
  }

  const limit = input.scaleDownDelayRevisionLimit ?? Number.POSITIVE_INFINITY;
  const delaySeconds = input.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
  const desired = new Map<string, DesiredReplicaSet>();
  let waiting = 0;

  for (const rs of newestRevisionFirst(input.older)) {
    if ((rs.podTemplateHash !== '' && input.referencedHashes.has(rs.podTemplateHash)) || rs.replicas === 0) {
      continue;
    }
    if (!hasDeadline(rs)) {
      if (waiting >= limit) {
        desired.set(rs.name, { ...unchanged(rs), replicas: 0 });
        continue;
      }
      waiting++;
      // Deliberate difference from Argo (issue #1992, open): Argo stamps no deadline for a
      // zero delay yet keeps the stack, so it is never scaled down. Zero means "now" here.
      if (delaySeconds === 0) {
        desired.set(rs.name, { ...unchanged(rs), replicas: 0, scaleDownDeadline: undefined });
        continue;
      }
      const deadline = formatScaleDownDeadline(input.now + delaySeconds * 1000);
      wakeUps.push(Date.parse(deadline));
      desired.set(rs.name, { ...unchanged(rs), scaleDownDeadline: deadline });
      continue;
    }
    waiting++;
    const deadline = waiting > limit ? undefined : parseRfc3339(rs.scaleDownDeadline);
    if (deadline !== undefined && deadline > input.now) {
      // Argo restores the stack to the Rollout's size while it waits, not to its own size.
      wakeUps.push(deadline);
      desired.set(rs.name, { ...unchanged(rs), replicas: input.replicas });
    } else {
      // Past the limit, past the deadline, or an unreadable deadline: scale down now.
      desired.set(rs.name, { ...unchanged(rs), replicas: 0 });
    }
  }
  return input.older.map((rs) => desired.get(rs.name) ?? unchanged(rs));
}

function hasDeadline(rs: BlueGreenReplicaSet): rs is BlueGreenReplicaSet & { scaleDownDeadline: string } {
  return rs.scaleDownDeadline !== undefined && rs.scaleDownDeadline !== '';
}

/** The annotation's format: RFC 3339 in UTC with whole seconds, as Go's `time.RFC3339` writes it (truncating). */
export function formatScaleDownDeadline(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses what Go's `time.Parse(time.RFC3339, …)` accepts (optional fractional seconds, `Z` or
 * a numeric offset) to epoch ms; undefined for anything else, including impossible dates that
 * `Date.parse` would silently roll over.
 */
export function parseRfc3339(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fractionMs = Math.floor(Number(`0.${match[7] ?? '0'}`) * 1000);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, fractionMs);
  const check = new Date(local);
  const rolledOver = check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day;
  if (rolledOver || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (match[8] === 'Z') {
    return local;
  }
  const offsetHours = Number(match[10]);
  const offsetMinutes = Number(match[11]);
  if (offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const sign = match[9] === '-' ? -1 : 1;
  return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}
