import type { GithubState, PermissionSet } from './types.js';

/** What a fresh local GitHub knows: one app (the one the server was started for) and its bot user. */
export function initialState(options: { appId: number; appSlug: string; appName: string; owner: string; now: Date }): GithubState {
  const createdAt = options.now.toISOString();
  const permissions: PermissionSet = {
    checks: 'write',
    contents: 'write',
    issues: 'write',
    metadata: 'read',
    members: 'read',
    pull_requests: 'write',
    statuses: 'write',
    deployments: 'write',
  };
  return {
    version: 1,
    nextId: 1000,
    app: {
      id: options.appId,
      slug: options.appSlug,
      name: options.appName,
      owner: options.owner,
      clientId: `Iv1.${options.appId.toString(16).padStart(16, '0')}`,
      permissions,
      events: ['check_run', 'check_suite', 'issue_comment', 'pull_request', 'pull_request_review', 'push'],
      createdAt,
    },
    users: [
      { id: 1, login: options.owner, type: 'Organization' },
      { id: 2, login: `${options.appSlug}[bot]`, type: 'Bot' },
    ],
    installations: [],
    tokens: [],
    repositories: [],
    pullRequests: [],
    issueComments: [],
    checkRuns: [],
    statuses: [],
    deliveries: [],
    reviews: [],
    checkSuites: [],
    deployments: [],
  };
}

/** Hands out the next id; ids are unique across every kind of record, as GitHub's are in practice. */
export function nextId(state: GithubState): number {
  const id = state.nextId;
  state.nextId += 1;
  return id;
}

/** Fills in the record lists added after a state file was written, so older files keep working. */
export function upgradeState(state: GithubState): GithubState {
  const partial = state as Partial<GithubState>;
  return { ...state, reviews: partial.reviews ?? [], checkSuites: partial.checkSuites ?? [], deployments: partial.deployments ?? [] };
}
