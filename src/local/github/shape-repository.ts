import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, RepositoryRecord } from './types.js';

/** The `repository` shape (in pull requests and webhooks); `full-repository` adds a few counters. */
export function shapeRepository(state: GithubState, repo: RepositoryRecord, urls: Urls): Schemas['repository'] {
  const fullName = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}`;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    license: null,
    forks: state.repositories.filter((candidate) => candidate.forkOf === repo.id).length,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    owner: shapeUser(findUser(state, repo.owner), urls),
    private: repo.private,
    html_url: `${urls.web}/${fullName}`,
    description: repo.description,
    fork: repo.forkOf !== undefined,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://${new URL(urls.web).host}/${fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@${new URL(urls.web).hostname}:${fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${urls.git ?? urls.web}/${fullName}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${urls.web}/${fullName}`,
    homepage: null,
    language: null,
    forks_count: state.repositories.filter((candidate) => candidate.forkOf === repo.id).length,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: state.pullRequests.filter((pull) => pull.repositoryId === repo.id && pull.state === 'open').length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    // Deprecated in the description but still required by the webhook schema's repository.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_forking: false,
    web_commit_signoff_required: false,
    open_issues: state.pullRequests.filter((pull) => pull.repositoryId === repo.id && pull.state === 'open').length,
    watchers: 0,
  };
}

export function shapeFullRepository(state: GithubState, repo: RepositoryRecord, urls: Urls): Schemas['full-repository'] {
  const { ...base } = shapeRepository(state, repo, urls);
  const parent = repo.forkOf === undefined ? undefined : state.repositories.find((candidate) => candidate.id === repo.forkOf);
  return {
    ...base,
    // A fork names where it came from; forks of forks are not made here, so the parent is also the source.
    ...(parent !== undefined && { parent: shapeRepository(state, parent, urls), source: shapeRepository(state, parent, urls) }),
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    has_discussions: false,
    subscribers_count: 0,
    network_count: 0,
  };
}

/** The `minimal-repository` shape used by combined statuses. */
export function shapeMinimalRepository(state: GithubState, repo: RepositoryRecord, urls: Urls): Schemas['minimal-repository'] {
  const full = shapeRepository(state, repo, urls);
  return { ...full, license: null };
}
