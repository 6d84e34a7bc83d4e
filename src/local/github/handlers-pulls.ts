import type { operations } from '@octokit/openapi-types';
import { GithubApiError, notFound, validationFailed } from './errors.js';
import { bodyOf, numberParam, listed, requireRepository, stringParam, type Handler, type HandlerInput } from './handler.js';
import { nextId } from './initial-state.js';
import { pullFacts } from './pull-facts.js';
import { pullRequestEvent } from './push-sync.js';
import { shapeDiffEntry, shapePullRequest } from './shape-pull-request.js';
import type { Principal, PullRequestRecord, RepositoryRecord } from './types.js';

type CreateBody = NonNullable<operations['pulls/create']['requestBody']>['content']['application/json'];
type UpdateBody = NonNullable<operations['pulls/update']['requestBody']>['content']['application/json'];

export function findPull(input: HandlerInput, repo: RepositoryRecord, parameter: string): PullRequestRecord {
  const number = numberParam(input, parameter);
  const pull = input.state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === number);
  if (pull === undefined) throw notFound();
  return pull;
}

/** Who a request acts as: a person, or the app's bot user for an installation. */
export function actor(principal: Principal, appSlug: string): string {
  return principal.kind === 'user' ? principal.login : `${appSlug}[bot]`;
}

export function shapePull(input: HandlerInput, repo: RepositoryRecord, pull: PullRequestRecord): ReturnType<typeof shapePullRequest> {
  return shapePullRequest(input.state, repo, pull, input.urls, pullFacts(input.state, repo, pull, input.git));
}

export const getPull: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapePull(input, repo, findPull(input, repo, 'pull_number')) };
};

export const listPulls: Handler = (input) => {
  const repo = requireRepository(input);
  const state = input.query['state'] ?? 'open';
  const base = input.query['base'];
  const head = typeof input.query['head'] === 'string' ? input.query['head'].replace(/^[^:]*:/, '') : undefined;
  const pulls = input.state.pullRequests
    .filter((pull) => pull.repositoryId === repo.id && (state === 'all' || pull.state === state))
    .filter((pull) => (base === undefined || pull.base.ref === base) && (head === undefined || pull.head.ref === head))
    .reverse();
  return { status: 200, ...listed(input, pulls, (pull) => shapePull(input, repo, pull)) };
};

/**
 * GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls: the pull requests whose head is the commit, or that merged it
 * (GitHub's "List pull requests associated with a commit"; notifications-engine's GitHub service finds where to comment with it).
 */
export const listPullsForCommit: Handler = (input) => {
  const repo = requireRepository(input);
  const sha = stringParam(input, 'commit_sha');
  const pulls = input.state.pullRequests
    .filter((pull) => pull.repositoryId === repo.id && (pull.head.sha === sha || pull.merged?.sha === sha))
    .reverse();
  return { status: 200, ...listed(input, pulls, (pull) => shapePull(input, repo, pull)) };
};

export const listPullFiles: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const { files } = pullFacts(input.state, repo, pull, input.git);
  return { status: 200, ...listed(input, files, (file) => shapeDiffEntry(repo, pull.head.sha, file, input.urls)) };
};

/** Opens a pull request between two branches of a git-backed repository; both must exist in git. */
export const createPull: Handler = (input) => {
  const repo = requireRepository(input);
  const body = bodyOf(input) as CreateBody;
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  if (repository === undefined) throw validationFailed('PullRequest', 'head', 'The repository has no git repository behind it');
  if (body.title === undefined) throw validationFailed('PullRequest', 'title', 'title is required');
  const headRef = body.head.replace(/^[^:]*:/, '');
  const headOwner = body.head.includes(':') ? body.head.slice(0, body.head.indexOf(':')) : repo.owner;
  // `owner:branch` with another owner: the branch lives in that owner's fork of this repository.
  const fork =
    headOwner.toLowerCase() === repo.owner.toLowerCase()
      ? undefined
      : input.state.repositories.find(
          (candidate) => candidate.forkOf === repo.id && candidate.owner.toLowerCase() === headOwner.toLowerCase(),
        );
  if (headOwner.toLowerCase() !== repo.owner.toLowerCase() && fork === undefined)
    throw new GithubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  const heads = repository.heads();
  const headSha = fork === undefined ? heads[headRef] : input.git?.open(fork.owner, fork.name)?.heads()[headRef];
  const baseSha = heads[body.base];
  if (headSha === undefined)
    throw new GithubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  if (baseSha === undefined)
    throw new GithubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  const number = Math.max(0, ...input.state.pullRequests.filter((pull) => pull.repositoryId === repo.id).map((pull) => pull.number)) + 1;
  const open = input.state.pullRequests.find(
    (pull) =>
      pull.repositoryId === repo.id &&
      pull.state === 'open' &&
      pull.head.ref === headRef &&
      pull.head.repositoryId === fork?.id &&
      pull.base.ref === body.base,
  );
  if (open !== undefined) throw validationFailed('PullRequest', 'head', `A pull request already exists for ${headOwner}:${headRef}.`);
  // GitHub keeps a fork's head in the base repository as refs/pull/N/head: reviewers and apps fetch it from there.
  if (fork !== undefined)
    input.git?.fetchRef(
      { owner: fork.owner, name: fork.name },
      headRef,
      { owner: repo.owner, name: repo.name },
      `refs/pull/${String(number)}/head`,
    );
  if (repository.log(headSha, baseSha).length === 0)
    throw validationFailed('PullRequest', 'head', `No commits between ${body.base} and ${headRef}`);
  const user = actor(input.principal, input.state.app.slug);
  const now = input.now.toISOString();
  const pull: PullRequestRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    number,
    title: body.title,
    body: body.body ?? null,
    state: 'open',
    user,
    head: { ref: headRef, sha: headSha, ...(fork !== undefined && { repositoryId: fork.id }) },
    base: { ref: body.base, sha: baseSha },
    files: [],
    createdAt: now,
    updatedAt: now,
  };
  input.state.pullRequests.push(pull);
  return {
    status: 201,
    body: shapePull(input, repo, pull),
    changed: true,
    events: [pullRequestEvent(input.state, repo, pull, input.git, 'opened', user)],
  };
};

/** Edits title, body or base, or closes and reopens: `edited` carries the old values, as GitHub's does. */
export const updatePull: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const body = bodyOf(input) as UpdateBody;
  const sender = actor(input.principal, input.state.app.slug);
  const changes: Record<string, { from: string }> = {};
  if (body.title !== undefined && body.title !== pull.title) {
    changes['title'] = { from: pull.title };
    pull.title = body.title;
  }
  if (body.body !== undefined && body.body !== pull.body) {
    changes['body'] = { from: pull.body ?? '' };
    pull.body = body.body;
  }
  if (body.base !== undefined && body.base !== pull.base.ref) {
    const sha = repo.heads?.[body.base];
    if (sha === undefined)
      throw new GithubApiError(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    changes['base'] = { from: pull.base.ref };
    pull.base = { ref: body.base, sha };
  }
  const events =
    Object.keys(changes).length === 0
      ? []
      : [pullRequestEvent(input.state, repo, pull, input.git, 'edited', sender, { changes: shapeChanges(changes) })];
  if (body.state !== undefined && body.state !== pull.state) {
    if (pull.merged !== undefined) throw validationFailed('PullRequest', 'state', 'Cannot change the state of a merged pull request');
    pull.state = body.state;
    if (body.state === 'closed') pull.closedAt = input.now.toISOString();
    else delete pull.closedAt;
    events.push(pullRequestEvent(input.state, repo, pull, input.git, body.state === 'closed' ? 'closed' : 'reopened', sender));
  }
  if (events.length > 0) pull.updatedAt = input.now.toISOString();
  return { status: 200, body: shapePull(input, repo, pull), changed: events.length > 0, events };
};

/** The webhook's `changes` names the base's old ref and sha; title and body their old text. */
function shapeChanges(changes: Record<string, { from: string }>): Record<string, unknown> {
  const base = changes['base'];
  return { ...changes, ...(base !== undefined && { base: { ref: { from: base.from }, sha: { from: base.from } } }) };
}
