import { authorAssociation } from './author-association.js';
import type { GitCommit } from './git-repositories.js';
import type { PullFacts } from './pull-facts.js';
import { shapePullRequest } from './shape-pull-request.js';
import { findUser, nodeId, type Urls } from './shape-user.js';
import type { GithubState, PullRequestRecord, RepositoryRecord, ReviewRecord } from './types.js';
import { envelope, webhookRepository, webhookUser } from './webhook-payloads.js';

type Payload = Record<string, unknown>;

/** The head's repository and user in the webhook's shapes: the fork's for a pull request from a fork. */
function headSide(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  urls: Urls,
  repository: Payload,
  owner: Payload,
): { repo: Payload; user: Payload } {
  const fork =
    pull.head.repositoryId === undefined || pull.head.repositoryId === repo.id
      ? undefined
      : state.repositories.find((candidate) => candidate.id === pull.head.repositoryId);
  return fork === undefined
    ? { repo: repository, user: owner }
    : { repo: webhookRepository(state, fork, urls), user: webhookUser(findUser(state, fork.owner), urls) };
}

/** The webhook's pull request: the REST shape with the webhook schema's user and repository shapes. */
export function webhookPullRequest(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  urls: Urls,
  facts: PullFacts,
): Payload {
  const shaped = shapePullRequest(state, repo, pull, urls, facts);
  const repository = webhookRepository(state, repo, urls);
  const owner = webhookUser(findUser(state, repo.owner), urls);
  return {
    ...shaped,
    user: webhookUser(findUser(state, pull.user), urls),
    merged_by: pull.merged === undefined ? null : webhookUser(findUser(state, pull.merged.by), urls),
    head: { ...shaped.head, ...headSide(state, repo, pull, urls, repository, owner) },
    base: { ...shaped.base, repo: repository, user: owner },
  };
}

export function pullRequestPayload(
  state: GithubState,
  urls: Urls,
  options: { repo: RepositoryRecord; pull: PullRequestRecord; facts: PullFacts; action: string; sender: string; extra?: Payload },
): Payload {
  return {
    action: options.action,
    number: options.pull.number,
    pull_request: webhookPullRequest(state, options.repo, options.pull, urls, options.facts),
    ...options.extra,
    ...envelope(state, options.repo, options.sender, urls),
  };
}

export function reviewPayload(
  state: GithubState,
  urls: Urls,
  options: { repo: RepositoryRecord; pull: PullRequestRecord; facts: PullFacts; review: ReviewRecord },
): Payload {
  const { repo, pull, review } = options;
  const pullRequest = webhookPullRequest(state, repo, pull, urls, options.facts);
  // The review event carries the simple pull request: without the merge state and counters.
  const omitted = new Set([
    'merged',
    'mergeable',
    'rebaseable',
    'mergeable_state',
    'merged_by',
    'comments',
    'review_comments',
    'maintainer_can_modify',
    'commits',
    'additions',
    'deletions',
    'changed_files',
  ]);
  const simple = Object.fromEntries(Object.entries(pullRequest).filter(([key]) => !omitted.has(key)));
  const htmlUrl = `${urls.web}/${repo.owner}/${repo.name}/pull/${String(pull.number)}`;
  return {
    action: 'submitted',
    review: {
      id: review.id,
      node_id: nodeId('PullRequestReview', review.id),
      user: webhookUser(findUser(state, review.user), urls),
      body: review.body,
      commit_id: review.commitId,
      submitted_at: review.submittedAt,
      state: review.state.toLowerCase(),
      html_url: `${htmlUrl}#pullrequestreview-${String(review.id)}`,
      pull_request_url: `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${String(pull.number)}`,
      author_association: authorAssociation(repo, review.user),
      _links: {
        html: { href: `${htmlUrl}#pullrequestreview-${String(review.id)}` },
        pull_request: { href: `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${String(pull.number)}` },
      },
    },
    pull_request: simple,
    ...envelope(state, repo, review.user, urls),
  };
}

/** One branch update as a `push` event; `commits` are the new commits, oldest first (at most 20, as GitHub sends). */
export interface BranchUpdate {
  branch: string;
  before: string;
  after: string;
  forced: boolean;
  commits: (GitCommit & { added: string[]; removed: string[]; modified: string[] })[];
}

const zeroSha = '0'.repeat(40);

export function pushPayload(
  state: GithubState,
  urls: Urls,
  options: { repo: RepositoryRecord; update: BranchUpdate; pusher: string },
): Payload {
  const { repo, update } = options;
  const fullName = `${repo.owner}/${repo.name}`;
  const commit = (found: BranchUpdate['commits'][number]): Payload => ({
    id: found.sha,
    tree_id: found.tree,
    distinct: true,
    message: found.message,
    timestamp: found.committer.date,
    url: `${urls.web}/${fullName}/commit/${found.sha}`,
    author: { name: found.author.name, email: found.author.email, date: found.author.date },
    committer: { name: found.committer.name, email: found.committer.email, date: found.committer.date },
    added: found.added,
    removed: found.removed,
    modified: found.modified,
  });
  const created = update.before === zeroSha;
  const deleted = update.after === zeroSha;
  const repository = webhookRepository(state, repo, urls);
  const head = update.commits.at(-1);
  return {
    ref: `refs/heads/${update.branch}`,
    before: update.before,
    after: update.after,
    created,
    deleted,
    forced: update.forced,
    base_ref: null,
    compare: created
      ? `${urls.web}/${fullName}/commit/${update.after}`
      : `${urls.web}/${fullName}/compare/${update.before.slice(0, 12)}...${update.after.slice(0, 12)}`,
    commits: update.commits.slice(-20).map(commit),
    head_commit: head === undefined ? null : commit(head),
    pusher: { name: options.pusher, email: `${options.pusher}@users.noreply.local` },
    ...envelope(state, repo, options.pusher, urls),
    // The push event's repository stamps times as epoch seconds and names its owner.
    repository: {
      ...repository,
      // …and its owner carries `name` and `email` as well (GitHub's published push examples; email null when not public).
      owner: { ...(repository['owner'] as Record<string, unknown>), name: repo.owner, email: null },
      created_at: Math.floor(new Date(repo.createdAt).getTime() / 1000),
      pushed_at: Math.floor(new Date(repo.pushedAt).getTime() / 1000),
      master_branch: repo.defaultBranch,
      stargazers: 0,
    },
  };
}
