import { authorAssociation } from './author-association.js';
import type { PullFacts } from './pull-facts.js';
import { shapeRepository } from './shape-repository.js';
import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, PullFileRecord, PullRequestRecord, RepositoryRecord } from './types.js';

export function shapePullRequest(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  urls: Urls,
  facts: PullFacts,
): Schemas['pull-request'] {
  const fullName = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}/pulls/${String(pull.number)}`;
  const issueUrl = `${urls.api}/repos/${fullName}/issues/${String(pull.number)}`;
  const htmlUrl = `${urls.web}/${fullName}/pull/${String(pull.number)}`;
  const owner = shapeUser(findUser(state, repo.owner), urls);
  const repository = shapeRepository(state, repo, urls);
  const side = (ref: { ref: string; sha: string; repositoryId?: number }): Schemas['pull-request']['head'] => {
    // A pull request from a fork has its head in the fork: label, repository and user are the fork's.
    const fork =
      ref.repositoryId === undefined || ref.repositoryId === repo.id
        ? undefined
        : state.repositories.find((candidate) => candidate.id === ref.repositoryId);
    if (fork === undefined) return { label: `${repo.owner}:${ref.ref}`, ref: ref.ref, repo: repository, sha: ref.sha, user: owner };
    return {
      label: `${fork.owner}:${ref.ref}`,
      ref: ref.ref,
      repo: shapeRepository(state, fork, urls),
      sha: ref.sha,
      user: shapeUser(findUser(state, fork.owner), urls),
    };
  };
  const link = (href: string): Schemas['link'] => ({ href });
  const comments = state.issueComments.filter((comment) => comment.repositoryId === repo.id && comment.issueNumber === pull.number).length;
  return {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${urls.api}/repos/${fullName}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${urls.api}/repos/${fullName}/statuses/${pull.head.sha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: shapeUser(findUser(state, pull.user), urls),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt ?? null,
    merged_at: pull.merged?.at ?? null,
    merge_commit_sha: pull.merged?.sha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head),
    base: side(pull.base),
    _links: {
      comments: link(`${issueUrl}/comments`),
      commits: link(`${url}/commits`),
      statuses: link(`${urls.api}/repos/${fullName}/statuses/${pull.head.sha}`),
      html: link(htmlUrl),
      issue: link(issueUrl),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${urls.api}/repos/${fullName}/pulls/comments{/number}`),
      self: link(url),
    },
    author_association: authorAssociation(repo, pull.user),
    auto_merge: null,
    draft: false,
    merged: pull.merged !== undefined,
    mergeable: facts.mergeable,
    rebaseable: facts.mergeable,
    mergeable_state: facts.mergeableState,
    merged_by: pull.merged === undefined ? null : shapeUser(findUser(state, pull.merged.by), urls),
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: facts.commits,
    additions: facts.files.reduce((sum, file) => sum + file.additions, 0),
    deletions: facts.files.reduce((sum, file) => sum + file.deletions, 0),
    changed_files: facts.files.length,
  };
}

/** A changed file as GitHub lists it, its URLs at `headSha` (a pull request's head, a commit, a comparison's head). */
export function shapeDiffEntry(repo: RepositoryRecord, headSha: string, file: PullFileRecord, urls: Urls): Schemas['diff-entry'] {
  const fullName = `${repo.owner}/${repo.name}`;
  const path = file.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${urls.web}/${fullName}/blob/${headSha}/${path}`,
    raw_url: `${urls.web}/${fullName}/raw/${headSha}/${path}`,
    contents_url: `${urls.api}/repos/${fullName}/contents/${path}?ref=${headSha}`,
    ...(file.patch !== undefined && { patch: file.patch }),
    ...(file.previousFilename !== undefined && { previous_filename: file.previousFilename }),
  };
}
