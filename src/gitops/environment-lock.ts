import { apiPath, isConflict, isNotFound, type RestClient } from '../kube/index.js';

/**
 * One pull request deploys to an environment at a time. The lock is a
 * coordination.k8s.io Lease in the environment's namespace of its cluster —
 * the target it guards, which every repository deploying there shares: it
 * lives in the cluster (the bot keeps no state), a write carries the
 * resourceVersion it was decided on, and pull requests that wait are listed
 * on it in order so the next one can be deployed when the holder lets go,
 * even after a restart. A holder and a waiter are a repository and a pull
 * request: only that pull request's own events (or `/unlock` in its own
 * repository) release it — #7 of another repository is someone else.
 */
export interface LockHolder {
  repository: string;
  pullRequest: number;
  headSha: string;
}

/** A pull request waiting for the lock: its repository and number. */
export interface LockWaiter {
  repository: string;
  pullRequest: number;
}

export interface LockState {
  holder: LockHolder | undefined;
  /** Pull requests waiting for the environment, first come first (only the holder's repository queues; see decideAcquire). */
  waiting: LockWaiter[];
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: { holderIdentity?: string };
}

const holderAnnotation = 'gradual.dev/lock-holder';
const waitingAnnotation = 'gradual.dev/lock-waiting';
const targetAnnotation = 'gradual.dev/lock-target';

export function lockName(environment: string): string {
  return `gradual-lock-${environment.toLowerCase().replace(/[^a-z0-9-]/gu, '-')}`.slice(0, 63).replace(/-+$/u, '');
}

export function readLockState(lease: LeaseObject | undefined): LockState {
  const annotations = lease?.metadata?.annotations ?? {};
  let holder: LockHolder | undefined;
  try {
    const parsed = JSON.parse(annotations[holderAnnotation] ?? 'null') as Partial<LockHolder> | null;
    if (
      parsed !== null &&
      typeof parsed.repository === 'string' &&
      typeof parsed.pullRequest === 'number' &&
      typeof parsed.headSha === 'string'
    ) {
      holder = { repository: parsed.repository, pullRequest: parsed.pullRequest, headSha: parsed.headSha };
    }
  } catch {
    holder = undefined; // a hand-edited annotation: the lock is free
  }
  const waiting = (annotations[waitingAnnotation] ?? '').split(',').flatMap((entry): LockWaiter[] => {
    // `owner/repo#7`; a bare number (written before waiters named their repository) is the holder's repository's.
    const hash = entry.lastIndexOf('#');
    const repository = hash < 0 ? holder?.repository : entry.slice(0, hash);
    const pullRequest = Number(hash < 0 ? entry : entry.slice(hash + 1));
    return repository !== undefined && repository !== '' && Number.isSafeInteger(pullRequest) && pullRequest > 0
      ? [{ repository, pullRequest }]
      : [];
  });
  return { holder, waiting };
}

function samePullRequest(a: LockWaiter | undefined, b: LockWaiter): boolean {
  return a !== undefined && a.repository === b.repository && a.pullRequest === b.pullRequest;
}

export type LockDecision =
  /** `already`: this pull request held it at this very head SHA (a repeated or reordered webhook). */
  { kind: 'acquired'; state: LockState; already: boolean } | { kind: 'held'; by: LockHolder; state: LockState; changed: boolean };

/** Pure: what asking for the lock does to it. Asking again (a new push) refreshes the holder's head SHA. */
export function decideAcquire(state: LockState, request: LockHolder): LockDecision {
  const { holder } = state;
  const asking: LockWaiter = { repository: request.repository, pullRequest: request.pullRequest };
  if (holder === undefined || samePullRequest(holder, asking)) {
    const already = holder !== undefined && holder.headSha === request.headSha;
    return {
      kind: 'acquired',
      already,
      state: { holder: request, waiting: state.waiting.filter((waiter) => !samePullRequest(waiter, asking)) },
    };
  }
  // Another repository's pull request does not queue: its next deploy is triggered by its own events, not by this repository's.
  if (state.waiting.some((waiter) => samePullRequest(waiter, asking)) || holder.repository !== request.repository)
    return { kind: 'held', by: holder, state, changed: false };
  return { kind: 'held', by: holder, state: { holder, waiting: [...state.waiting, asking] }, changed: true };
}

/** Pure: a pull request lets go (merged, closed, /unlock) or stops waiting; a pull request of the same number in another repository changes nothing. */
export function decideRelease(state: LockState, pullRequest: LockWaiter): LockState {
  const waiting = state.waiting.filter((waiter) => !samePullRequest(waiter, pullRequest));
  return { holder: samePullRequest(state.holder, pullRequest) ? undefined : state.holder, waiting };
}

/** The first waiting pull request of `repository`: the one its release lets in. */
export function nextWaiting(state: LockState, repository: string): number | undefined {
  return state.waiting.find((waiter) => waiter.repository === repository)?.pullRequest;
}

function leaseBody(name: string, namespace: string, target: string, state: LockState, resourceVersion: string | undefined): LeaseObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      ...(resourceVersion !== undefined && { resourceVersion }),
      labels: { 'app.kubernetes.io/managed-by': 'gradual' },
      annotations: {
        [holderAnnotation]: state.holder === undefined ? 'null' : JSON.stringify(state.holder),
        [waitingAnnotation]: state.waiting.map((waiter) => `${waiter.repository}#${String(waiter.pullRequest)}`).join(','),
        [targetAnnotation]: target,
      },
    },
    spec: state.holder === undefined ? {} : { holderIdentity: `${state.holder.repository}#${String(state.holder.pullRequest)}` },
  };
}

export interface EnvironmentLock {
  read(): Promise<LockState>;
  acquire(request: LockHolder): Promise<LockDecision>;
  /** Releases (when held by this repository's pull request) and returns the new state; nextWaiting says who goes next. */
  release(pullRequest: LockWaiter): Promise<LockState>;
}

/**
 * The shell: read, decide, write with the resourceVersion read; a conflict
 * means someone else moved first, so decide again. `cluster` names the
 * target on the Lease (`cluster/namespace`) for whoever reads it.
 */
export function environmentLock(client: RestClient, namespace: string, environment: string, cluster = ''): EnvironmentLock {
  const name = lockName(environment);
  const target = `${cluster}/${namespace}`;
  const collection = apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace });
  const path = apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace, name });
  async function get(): Promise<LeaseObject | undefined> {
    try {
      return await client.request<LeaseObject>({ method: 'GET', path });
    } catch (cause) {
      if (isNotFound(cause)) return undefined;
      throw cause;
    }
  }
  async function write(current: LeaseObject | undefined, state: LockState): Promise<void> {
    if (current === undefined)
      await client.request({ method: 'POST', path: collection, body: leaseBody(name, namespace, target, state, undefined) });
    else await client.request({ method: 'PUT', path, body: leaseBody(name, namespace, target, state, current.metadata?.resourceVersion) });
  }
  async function withRetry<T>(step: (current: LeaseObject | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step(await get());
      } catch (cause) {
        if (!isConflict(cause) || attempt >= 5) throw cause;
      }
    }
  }
  return {
    async read() {
      return readLockState(await get());
    },
    acquire(request) {
      return withRetry(async (current) => {
        const before = readLockState(current);
        const decision = decideAcquire(before, request);
        const same = JSON.stringify(decision.state) === JSON.stringify(before) && current !== undefined;
        if (!same) await write(current, decision.state);
        return decision;
      });
    },
    release(pullRequest) {
      return withRetry(async (current) => {
        const before = readLockState(current);
        const after = decideRelease(before, pullRequest);
        if (current !== undefined && JSON.stringify(after) !== JSON.stringify(before)) await write(current, after);
        return after;
      });
    },
  };
}
