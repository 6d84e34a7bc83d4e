import { authorAssociation } from './author-association.js';
import type { operations } from '@octokit/openapi-types';
import { validationFailed } from './errors.js';
import { bodyOf, listed, requireRepository, type Handler, type WebhookEvent } from './handler.js';
import { actor, findPull } from './handlers-pulls.js';
import { nextId } from './initial-state.js';
import { pullFacts } from './pull-facts.js';
import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, RepositoryRecord, ReviewRecord } from './types.js';
import { reviewPayload } from './webhook-payloads-pull.js';

type ReviewBody = NonNullable<operations['pulls/create-review']['requestBody']>['content']['application/json'];

const verdicts = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as const;

/**
 * Submits a review at once. Pending reviews (no `event`) are not kept: the
 * local GitHub has no review comments to gather, so it refuses them rather
 * than store something nothing can submit.
 */
export const createReview: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const body = bodyOf(input) as ReviewBody;
  if (body.event === undefined)
    throw validationFailed(
      'PullRequestReview',
      'event',
      'The local GitHub submits reviews at once: give event APPROVE, REQUEST_CHANGES or COMMENT',
    );
  const user = actor(input.principal, input.state.app.slug);
  if (body.event === 'APPROVE' && user === pull.user)
    throw validationFailed('PullRequestReview', 'event', 'Can not approve your own pull request');
  if (body.event !== 'APPROVE' && (body.body ?? '') === '')
    throw validationFailed('PullRequestReview', 'body', `Body is required when event is ${body.event}`);
  const review: ReviewRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    pullNumber: pull.number,
    user,
    body: body.body ?? null,
    state: verdicts[body.event],
    commitId: body.commit_id ?? pull.head.sha,
    submittedAt: input.now.toISOString(),
  };
  input.state.reviews.push(review);
  const facts = pullFacts(input.state, repo, pull, input.git);
  const snapshot = structuredClone(pull);
  const event: WebhookEvent = {
    name: 'pull_request_review',
    action: 'submitted',
    repositoryId: repo.id,
    payload: (state, urls) => reviewPayload(state, urls, { repo, pull: snapshot, facts, review }),
  };
  return { status: 200, body: shapeReview(input.state, repo, review, input.urls), changed: true, events: [event] };
};

export const listReviews: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const reviews = input.state.reviews.filter((review) => review.repositoryId === repo.id && review.pullNumber === pull.number);
  return { status: 200, ...listed(input, reviews, (review) => shapeReview(input.state, repo, review, input.urls)) };
};

function shapeReview(state: GithubState, repo: RepositoryRecord, review: ReviewRecord, urls: Urls): Schemas['pull-request-review'] {
  const pullUrl = `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${String(review.pullNumber)}`;
  const htmlUrl = `${urls.web}/${repo.owner}/${repo.name}/pull/${String(review.pullNumber)}#pullrequestreview-${String(review.id)}`;
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: shapeUser(findUser(state, review.user), urls),
    body: review.body ?? '',
    state: review.state,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
    author_association: authorAssociation(repo, review.user),
  };
}
