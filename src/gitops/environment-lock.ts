import { apiPath, isConflict, isNotFound, type RestClient } from '../kube/index.js';

/**
 * One pull request deploys to an environment at a time. The lock is a
 * coordination.k8s.io Lease in the environment's namespace: it lives in the
 * cluster (the bot keeps no state), a write carries the resourceVersion it was
 * decided on, and pull requests that wait are listed on it in order so the next
 * one can be deployed when the holder lets go, even after a restart.
 */
export interface LockHolder {
  repository: string;
  pullRequest: number;
  headSha: string;
}

export interface LockState {
  holder: LockHolder | undefined;
  /** Pull requests of the holder's repository waiting for the environment, first come first. */
  waiting: number[];
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: { holderIdentity?: string };
}

const holderAnnotation = 'gradual.dev/lock-holder';
const waitingAnnotation = 'gradual.dev/lock-waiting';

export function lockName(environment: string): string {
  return `gradual-lock-${environment.toLowerCase().replace(/[^a-z0-9-]/gu, '-')}`.slice(0, 63).replace(/-+$/u, '');
}

export function readLockState(lease: LeaseObject | undefined): LockState {
  const annotations = lease?.metadata?.annotations ?? {};
  let holder: LockHolder | undefined;
  try {
    const parsed = JSON.parse(annotations[holderAnnotation] ?? 'null') as Partial<LockHolder> | null;
    if (parsed !== null && typeof parsed.repository === 'string' && typeof parsed.pullRequest === 'number' && typeof parsed.headSha === 'string') {
      holder = { repository: parsed.repository, pullRequest: parsed.pullRequest, headSha: parsed.headSha };
    }
  } catch {
    holder = undefined; // a hand-edited annotation: the lock is free
  }
  const waiting = (annotations[waitingAnnotation] ?? '')
    .split(',')
    .map(Number)
    .filter((number) => Number.isSafeInteger(number) && number > 0);
  return { holder, waiting };
}

export type LockDecision =
  /** `already`: this pull request held it at this very head SHA (a repeated or reordered webhook). */
  | { kind: 'acquired'; state: LockState; already: boolean }
  | { kind: 'held'; by: LockHolder; state: LockState; changed: boolean };

/** Pure: what asking for the lock does to it. Asking again (a new push) refreshes the holder's head SHA. */
export function decideAcquire(state: LockState, request: LockHolder): LockDecision {
  const { holder } = state;
  if (holder === undefined || (holder.repository === request.repository && holder.pullRequest === request.pullRequest)) {
    const already = holder !== undefined && holder.headSha === request.headSha;
    return { kind: 'acquired', already, state: { holder: request, waiting: state.waiting.filter((number) => number !== request.pullRequest) } };
  }
  if (state.waiting.includes(request.pullRequest) || holder.repository !== request.repository) return { kind: 'held', by: holder, state, changed: false };
  return { kind: 'held', by: holder, state: { holder, waiting: [...state.waiting, request.pullRequest] }, changed: true };
}

/** Pure: a pull request lets go (merged, closed, /unlock) or stops waiting. */
export function decideRelease(state: LockState, pullRequest: number): LockState {
  const waiting = state.waiting.filter((number) => number !== pullRequest);
  return { holder: state.holder?.pullRequest === pullRequest ? undefined : state.holder, waiting };
}

function leaseBody(name: string, namespace: string, state: LockState, resourceVersion: string | undefined): LeaseObject {
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
        [waitingAnnotation]: state.waiting.join(','),
      },
    },
    spec: state.holder === undefined ? {} : { holderIdentity: `${state.holder.repository}#${String(state.holder.pullRequest)}` },
  };
}

export interface EnvironmentLock {
  read(): Promise<LockState>;
  acquire(request: LockHolder): Promise<LockDecision>;
  /** Releases (when held by this pull request) and returns the new state, whose `waiting[0]` goes next. */
  release(pullRequest: number): Promise<LockState>;
}

/** The shell: read, decide, write with the resourceVersion read; a conflict means someone else moved first, so decide again. */
export function environmentLock(client: RestClient, namespace: string, environment: string): EnvironmentLock {
  const name = lockName(environment);
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
    if (current === undefined) await client.request({ method: 'POST', path: collection, body: leaseBody(name, namespace, state, undefined) });
    else await client.request({ method: 'PUT', path, body: leaseBody(name, namespace, state, current.metadata?.resourceVersion) });
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
