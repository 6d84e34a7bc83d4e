/** A coordination.k8s.io/v1 Lease as JSON (times are RFC 3339 strings with microseconds). */
export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [field: string]: unknown };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [field: string]: unknown;
  };
}

/** client-go's leaderelection timing; its defaults are 15 s / 10 s / 2 s. */
export interface LeaderElectionTiming {
  /** How long a lease stays valid after its last renewal, for everyone else. */
  leaseDurationMs: number;
  /** How long the leader keeps leading without a successful renewal; must be shorter than leaseDurationMs. */
  renewDeadlineMs: number;
  /** Interval between attempts to acquire or renew. */
  retryPeriodMs: number;
}

export interface LeaseLock {
  namespace: string;
  name: string;
  identity: string;
}

export type LeadershipAction = 'create' | 'acquire' | 'renew' | 'wait';

export interface LeadershipDecision {
  action: LeadershipAction;
  /** The Lease to write for create / acquire / renew (with the observed resourceVersion, so the write is conditional). */
  lease?: LeaseObject;
  /** When to check again, from now. */
  nextCheckMs: number;
  /** Why, for logs. */
  reason: string;
}

export const defaultLeaderElectionTiming: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits (Date gives three). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The leader-election step as a pure function of the Lease read, the time,
 * and when this process first saw the Lease's current renewal (`observedAtMs`).
 * Like client-go, expiry is measured from the local observation time rather
 * than the holder's renewTime, so clock skew between replicas does not
 * shorten a lease; without an observation the renewTime is used.
 */
export function decideLeadership(
  lease: LeaseObject | undefined,
  lock: LeaseLock,
  nowMs: number,
  timing: LeaderElectionTiming,
  observedAtMs?: number,
): LeadershipDecision {
  const leaseDurationSeconds = Math.max(1, Math.ceil(timing.leaseDurationMs / 1000));
  const now = formatMicroTime(nowMs);
  const retry = timing.retryPeriodMs;
  if (lease === undefined) {
    return {
      action: 'create',
      lease: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: lock.name, namespace: lock.namespace },
        spec: { holderIdentity: lock.identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      },
      nextCheckMs: retry,
      reason: 'no lease yet',
    };
  }
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? '';
  const base = { ...lease, metadata: { ...lease.metadata } };
  if (holder === lock.identity) {
    return {
      action: 'renew',
      lease: { ...base, spec: { ...spec, leaseDurationSeconds, renewTime: now, acquireTime: spec.acquireTime ?? now } },
      nextCheckMs: retry,
      reason: 'we hold the lease',
    };
  }
  if (holder !== '') {
    const durationMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const renewedAt = observedAtMs ?? parseTime(spec.renewTime) ?? parseTime(spec.acquireTime);
    const expiresAt = renewedAt === undefined ? nowMs : renewedAt + durationMs;
    if (expiresAt > nowMs) {
      return { action: 'wait', nextCheckMs: Math.max(1, Math.min(retry, expiresAt - nowMs)), reason: `held by ${holder}` };
    }
  }
  return {
    action: 'acquire',
    lease: {
      ...base,
      spec: {
        ...spec,
        holderIdentity: lock.identity,
        leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
      },
    },
    nextCheckMs: retry,
    reason: holder === '' ? 'the lease was released' : `the lease of ${holder} expired`,
  };
}
