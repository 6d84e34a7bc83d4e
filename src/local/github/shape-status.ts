import { shapeMinimalRepository } from './shape-repository.js';
import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, RepositoryRecord, StatusRecord } from './types.js';

export function shapeStatus(state: GithubState, repo: RepositoryRecord, status: StatusRecord, urls: Urls): Schemas['status'] {
  return {
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: shapeUser(findUser(state, status.creator), urls),
  };
}

/** The newest status per context, newest first, as GitHub lists them. */
export function latestStatuses(state: GithubState, repo: RepositoryRecord, sha: string): StatusRecord[] {
  const seen = new Set<string>();
  const latest: StatusRecord[] = [];
  for (const status of [...state.statuses].reverse()) {
    if (status.repositoryId !== repo.id || status.sha !== sha || seen.has(status.context)) continue;
    seen.add(status.context);
    latest.push(status);
  }
  return latest;
}

/** GitHub's rule: failure if any is error or failure, pending if any is pending or there are none, else success. */
export function combinedState(statuses: readonly StatusRecord[]): 'failure' | 'pending' | 'success' {
  if (statuses.some((status) => status.state === 'error' || status.state === 'failure')) return 'failure';
  if (statuses.length === 0 || statuses.some((status) => status.state === 'pending')) return 'pending';
  return 'success';
}

export function shapeCombinedStatus(
  state: GithubState,
  repo: RepositoryRecord,
  sha: string,
  urls: Urls,
): Schemas['combined-commit-status'] {
  const statuses = latestStatuses(state, repo, sha);
  const base = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    state: combinedState(statuses),
    statuses: statuses.map((status) => ({ ...shapeStatus(state, repo, status, urls), target_url: status.targetUrl, avatar_url: null })),
    sha,
    total_count: statuses.length,
    repository: shapeMinimalRepository(state, repo, urls),
    commit_url: `${base}/commits/${sha}`,
    url: `${base}/commits/${sha}/status`,
  };
}
