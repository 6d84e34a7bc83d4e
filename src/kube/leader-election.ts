import type { KubeConfig } from '@kubernetes/client-node';
import { rootLogger, type Logger } from '../log/index.js';
import { apiPath } from './api-path.js';
import { isConflict, isNotFound, replaceWithResourceVersion } from './apply.js';
import { systemClock } from './clock.js';
import {
  decideLeadership,
  defaultLeaderElectionTiming,
  formatMicroTime,
  type LeaderElectionTiming,
  type LeaseObject,
} from './decide-leadership.js';
import { createRestClient, type RestClient } from './rest-client.js';
import type { Clock, RequestCounter, TimerHandle } from './types.js';

export interface LeaderElectionOptions extends Partial<LeaderElectionTiming> {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Unique per process (pod name plus a random suffix). */
  identity: string;
  /** Called when this process becomes the leader; not awaited (it usually starts the controller). */
  onStartedLeading: () => void | Promise<void>;
  /** Called when this process stops leading; awaited before the lease is released, so work stops before another replica starts. */
  onStoppedLeading: () => void | Promise<void>;
  clock?: Clock;
  logger?: Logger;
  requestCounter?: RequestCounter;
  /** Replaces the client built from kubeConfig (unit tests use an in-memory Lease API). */
  restClient?: RestClient;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** Stops electing; a leader stops leading and then releases the lease (client-go's ReleaseOnCancel), so another replica takes over at once. */
  stop(): Promise<void>;
  /** Stops every timer without touching the lease, as if the process died: others take over once the lease expires. For tests. */
  abandon(): Promise<void>;
}

/**
 * Lease-based leader election, the shell around decideLeadership: one timer
 * for the next check (retryPeriod), writes conditional on the Lease's
 * resourceVersion (two candidates racing for an expired lease: one gets 409),
 * and a second timer that ends leadership once renewDeadline passes without a
 * successful renewal — even while a request hangs — so a leader cut off from
 * the API server stops before the lease expires for the others.
 */
export function runLeaderElection(options: LeaderElectionOptions): LeaderElector {
  const clock = options.clock ?? systemClock;
  const timing: LeaderElectionTiming = {
    leaseDurationMs: options.leaseDurationMs ?? defaultLeaderElectionTiming.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs ?? defaultLeaderElectionTiming.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs ?? defaultLeaderElectionTiming.retryPeriodMs,
  };
  if (timing.renewDeadlineMs >= timing.leaseDurationMs || timing.retryPeriodMs >= timing.renewDeadlineMs) {
    throw new Error('Leader election needs retryPeriod < renewDeadline < leaseDuration.');
  }
  const lock = { namespace: options.namespace, name: options.name, identity: options.identity };
  const logger = (options.logger ?? rootLogger()).child({
    component: 'leader-election',
    lease: `${lock.namespace}/${lock.name}`,
    identity: lock.identity,
  });
  const rest =
    options.restClient ??
    createRestClient(options.kubeConfig, options.requestCounter === undefined ? {} : { requestCounter: options.requestCounter });
  const collectionPath = apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: lock.namespace });
  const leasePath = apiPath({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    namespace: lock.namespace,
    name: lock.name,
  });

  let stopped = false;
  let releaseOnStop = true;
  let leading = false;
  /** Leadership was lost (not handed back by stop()): no more lease checks in this process. */
  let lost = false;
  // A function, not a read of `stopped`: TypeScript cannot see stop() flip it during an await.
  const isStopped = (): boolean => stopped;
  let checkTimer: TimerHandle | undefined;
  let deadlineTimer: TimerHandle | undefined;
  let checking: Promise<void> = Promise.resolve();
  let lastWritten: LeaseObject | undefined;
  // The lease as last seen and when it was first seen in that state (client-go's observedTime).
  let observed: { key: string; at: number } | undefined;

  function observe(lease: LeaseObject | undefined, now: number): number | undefined {
    if (lease === undefined) {
      observed = undefined;
      return undefined;
    }
    const key = `${lease.spec?.holderIdentity ?? ''}|${lease.spec?.renewTime ?? ''}`;
    if (observed?.key !== key) observed = { key, at: now };
    return observed.at;
  }

  async function stopLeading(why: string): Promise<void> {
    if (!leading) return;
    leading = false;
    // As client-go's Run returns after losing: a lost leadership is never taken up again in this process.
    // Its leader-only work is still stopping (onStoppedLeading can take seconds on a loaded machine) and
    // cannot start twice; a renewal that went through meanwhile made this elector lead again while the old
    // work ran, and onStartedLeading failed ("key queue … is already running"). The process restarts instead.
    lost = true;
    if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
    deadlineTimer = undefined;
    logger.info({ why }, 'stopped leading');
    try {
      await options.onStoppedLeading();
    } catch (error) {
      logger.error({ err: error }, 'onStoppedLeading failed');
    }
  }

  function startLeading(): void {
    leading = true;
    logger.info('started leading');
    Promise.resolve()
      .then(() => options.onStartedLeading())
      .catch((error: unknown) => {
        logger.error({ err: error }, 'onStartedLeading failed');
      });
  }

  function armDeadline(renewedAt: number): void {
    if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
    deadlineTimer = clock.setTimeout(
      () => {
        deadlineTimer = undefined;
        void stopLeading('no successful renewal within renewDeadline');
      },
      Math.max(0, renewedAt + timing.renewDeadlineMs - clock.now()),
    );
  }

  async function readLease(): Promise<LeaseObject | undefined> {
    try {
      return await rest.request<LeaseObject>({ method: 'GET', path: leasePath });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function check(): Promise<void> {
    const now = clock.now();
    let nextCheckMs = timing.retryPeriodMs;
    try {
      const lease = await readLease();
      if (isStopped()) return;
      const decision = decideLeadership(lease, lock, now, timing, observe(lease, now));
      nextCheckMs = decision.nextCheckMs;
      if (decision.action === 'wait' || decision.lease === undefined) {
        if (leading) await stopLeading(decision.reason);
        return;
      }
      const written =
        decision.action === 'create'
          ? await rest.request<LeaseObject>({ method: 'POST', path: collectionPath, body: decision.lease })
          : await replaceWithResourceVersion(rest, leasePath, decision.lease);
      lastWritten = written;
      observe(written, now);
      if (isStopped()) {
        // stop() ran while this write was in flight: hand the lease straight back.
        if (!leading && releaseOnStop) await release();
        return;
      }
      if (lost) return;
      if (!leading) {
        logger.debug({ action: decision.action, reason: decision.reason }, 'lease written');
        startLeading();
      }
      armDeadline(now);
    } catch (error) {
      if (isConflict(error)) logger.debug({ err: error }, 'lost a race for the lease');
      else logger.warn({ err: error }, 'lease check failed');
      // The deadline timer ends leadership if renewals keep failing.
    } finally {
      if (!stopped) checkTimer = clock.setTimeout(scheduleCheck, nextCheckMs);
    }
  }

  function scheduleCheck(): void {
    checkTimer = undefined;
    if (stopped || lost) return;
    checking = check();
  }

  async function release(): Promise<void> {
    if (lastWritten?.spec?.holderIdentity !== lock.identity) return;
    const now = formatMicroTime(clock.now());
    const released: LeaseObject = {
      ...lastWritten,
      spec: { ...lastWritten.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
    };
    try {
      lastWritten = await replaceWithResourceVersion(rest, leasePath, released);
      logger.info('released the lease');
    } catch (error) {
      // A conflict means someone else already wrote the lease: nothing to release.
      logger.warn({ err: error }, 'could not release the lease');
    }
  }

  function stopTimers(): void {
    stopped = true;
    if (checkTimer !== undefined) clock.clearTimeout(checkTimer);
    checkTimer = undefined;
  }

  // A hung request must not hang stop(): wait for the check in flight, and for
  // the release, at most renewDeadline each; a check that completes later sees
  // `stopped` and hands back whatever it wrote.
  function bounded(work: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(resolve, timing.renewDeadlineMs);
      void work.finally(() => {
        clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  scheduleCheck();

  return {
    isLeader: () => leading,
    async stop() {
      stopTimers();
      await bounded(checking);
      const wasLeading = leading;
      await stopLeading('stopped');
      if (wasLeading) await bounded(release());
    },
    async abandon() {
      releaseOnStop = false;
      stopTimers();
      // A dead process waits for nothing.
      await stopLeading('abandoned');
    },
  };
}
