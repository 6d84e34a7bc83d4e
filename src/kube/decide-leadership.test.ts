import { describe, expect, it } from 'vitest';
import { decideLeadership, formatMicroTime, type LeaseObject } from './decide-leadership.js';

const lock = { namespace: 'gradual', name: 'gradual-controller', identity: 'me' };
const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const t0 = Date.parse('2026-01-01T00:00:00.000Z');

function lease(spec: LeaseObject['spec'] | undefined): LeaseObject {
  const metadata = { namespace: lock.namespace, name: lock.name, resourceVersion: '42' };
  return spec === undefined
    ? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata }
    : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
}

function held(holder: string, renewedAt: number, transitions = 3): LeaseObject {
  return lease({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: formatMicroTime(t0 - 60_000),
    renewTime: formatMicroTime(renewedAt),
    leaseTransitions: transitions,
  });
}

describe('formatMicroTime', () => {
  it('writes six fractional digits, as the API server expects of a MicroTime', () => {
    expect(formatMicroTime(t0 + 123)).toBe('2026-01-01T00:00:00.123000Z');
  });
});

describe('decideLeadership', () => {
  it.each([
    { name: 'no lease: create it', lease: undefined, now: t0, action: 'create', holder: 'me', transitions: 0, next: 2000 },
    { name: 'our lease: renew it', lease: held('me', t0 - 1000), now: t0, action: 'renew', holder: 'me', transitions: 3, next: 2000 },
    {
      name: 'our lease, even expired: renew it (the write is conditional)',
      lease: held('me', t0 - 60_000),
      now: t0,
      action: 'renew',
      holder: 'me',
      transitions: 3,
      next: 2000,
    },
    {
      name: 'held by another, fresh: wait one retry period',
      lease: held('other', t0 - 1000),
      now: t0,
      action: 'wait',
      holder: undefined,
      transitions: undefined,
      next: 2000,
    },
    {
      name: 'held by another, expiring sooner than a retry period: wait until expiry',
      lease: held('other', t0 - 14_500),
      now: t0,
      action: 'wait',
      holder: undefined,
      transitions: undefined,
      next: 500,
    },
    {
      name: 'held by another, expired: acquire it',
      lease: held('other', t0 - 15_000),
      now: t0,
      action: 'acquire',
      holder: 'me',
      transitions: 4,
      next: 2000,
    },
    {
      name: 'released (empty holder): acquire at once',
      lease: held('', t0),
      now: t0,
      action: 'acquire',
      holder: 'me',
      transitions: 4,
      next: 2000,
    },
    { name: 'no spec at all: acquire', lease: lease(undefined), now: t0, action: 'acquire', holder: 'me', transitions: 1, next: 2000 },
  ])('$name', ({ lease: current, now, action, holder, transitions, next }) => {
    const decision = decideLeadership(current, lock, now, timing);
    expect(decision.action).toBe(action);
    expect(decision.nextCheckMs).toBe(next);
    expect(decision.lease?.spec?.holderIdentity).toBe(holder);
    expect(decision.lease?.spec?.leaseTransitions).toBe(transitions);
    if (decision.lease !== undefined) {
      expect(decision.lease.spec?.renewTime).toBe(formatMicroTime(now));
      expect(decision.lease.spec?.leaseDurationSeconds).toBe(15);
      // The observed resourceVersion travels with the write, so a concurrent change makes it fail with 409.
      expect(decision.lease.metadata.resourceVersion).toBe(current === undefined ? undefined : '42');
    }
  });

  it('keeps acquireTime on renewal and resets it on acquisition', () => {
    const renewed = decideLeadership(held('me', t0 - 1000), lock, t0, timing);
    expect(renewed.lease?.spec?.acquireTime).toBe(formatMicroTime(t0 - 60_000));
    const acquired = decideLeadership(held('other', t0 - 20_000), lock, t0, timing);
    expect(acquired.lease?.spec?.acquireTime).toBe(formatMicroTime(t0));
  });

  it('measures expiry from the local observation time when given, not from the holder clock', () => {
    // The holder's clock runs 30 s behind: by its renewTime the lease expired long ago,
    // but this process saw that renewal only 5 s ago.
    const skewed = held('other', t0 - 30_000);
    expect(decideLeadership(skewed, lock, t0, timing).action).toBe('acquire');
    expect(decideLeadership(skewed, lock, t0, timing, t0 - 5000)).toMatchObject({ action: 'wait', nextCheckMs: 2000 });
    expect(decideLeadership(skewed, lock, t0, timing, t0 - 15_000).action).toBe('acquire');
  });

  it('does not mutate the lease it was given', () => {
    const current = held('other', t0 - 20_000);
    const before = structuredClone(current);
    decideLeadership(current, lock, t0, timing);
    expect(current).toEqual(before);
  });
});
