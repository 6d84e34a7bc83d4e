import type { operations } from '@octokit/openapi-types';
import { notFound, validationFailed } from './errors.js';
import { bodyOf, numberParam, listed, requireRepository, type Handler, type HandlerInput, type WebhookEvent } from './handler.js';
import { findPull } from './handlers-pulls.js';
import { nextId } from './initial-state.js';
import { shapeIssueComment, shapeReaction } from './shape-issue-comment.js';
import { issueCommentPayload } from './webhook-payloads.js';
import type { IssueCommentRecord, Principal, RepositoryRecord } from './types.js';

type CommentBody = NonNullable<operations['issues/create-comment']['requestBody']>['content']['application/json'];
type ReactionBody = NonNullable<operations['reactions/create-for-issue-comment']['requestBody']>['content']['application/json'];

/** GitHub's documented limit for a comment body. */
export const maxCommentLength = 65_536;

function author(input: HandlerInput): { user: string; appId?: number } {
  return authorOf(input.principal, input.state.app.slug, input.state.app.id);
}

function authorOf(principal: Principal, appSlug: string, appId: number): { user: string; appId?: number } {
  if (principal.kind === 'user') return { user: principal.login };
  return { user: `${appSlug}[bot]`, appId };
}

function checkBody(body: string): void {
  if (body.length > maxCommentLength) {
    throw validationFailed('IssueComment', 'body', `Body is too long (maximum is ${String(maxCommentLength)} characters)`);
  }
}

function findComment(input: HandlerInput, repo: RepositoryRecord): IssueCommentRecord {
  const id = numberParam(input, 'comment_id');
  const comment = input.state.issueComments.find((candidate) => candidate.id === id && candidate.repositoryId === repo.id);
  if (comment === undefined) throw notFound();
  return comment;
}

function commentEvent(comment: IssueCommentRecord, action: 'created' | 'edited' | 'deleted', changes?: { body: string }): WebhookEvent {
  const snapshot = structuredClone(comment);
  return {
    name: 'issue_comment',
    action,
    repositoryId: comment.repositoryId,
    // A deleted comment is no longer in the state, so the payload is built from the copy taken here.
    payload: (state, urls) =>
      issueCommentPayload(
        state,
        urls,
        action === 'deleted' ? snapshot : (state.issueComments.find((c) => c.id === comment.id) ?? snapshot),
        action,
        changes,
      ),
  };
}

export const createIssueComment: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'issue_number');
  const { body } = bodyOf(input) as CommentBody;
  checkBody(body);
  const now = input.now.toISOString();
  const comment: IssueCommentRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    issueNumber: pull.number,
    body,
    ...author(input),
    createdAt: now,
    updatedAt: now,
    reactions: [],
  };
  input.state.issueComments.push(comment);
  return {
    status: 201,
    body: shapeIssueComment(input.state, repo, comment, input.urls),
    changed: true,
    events: [commentEvent(comment, 'created')],
  };
};

export const updateIssueComment: Handler = (input) => {
  const repo = requireRepository(input);
  const comment = findComment(input, repo);
  const { body } = bodyOf(input) as CommentBody;
  checkBody(body);
  const previous = comment.body;
  comment.body = body;
  comment.updatedAt = input.now.toISOString();
  return {
    status: 200,
    body: shapeIssueComment(input.state, repo, comment, input.urls),
    changed: true,
    events: [commentEvent(comment, 'edited', { body: previous })],
  };
};

export const deleteIssueComment: Handler = (input) => {
  const repo = requireRepository(input);
  const comment = findComment(input, repo);
  input.state.issueComments = input.state.issueComments.filter((candidate) => candidate.id !== comment.id);
  return { status: 204, changed: true, events: [commentEvent(comment, 'deleted')] };
};

export const getIssueComment: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapeIssueComment(input.state, repo, findComment(input, repo), input.urls) };
};

export const listIssueComments: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'issue_number');
  const since = typeof input.query['since'] === 'string' ? Date.parse(input.query['since']) : Number.NEGATIVE_INFINITY;
  const comments = input.state.issueComments.filter(
    (comment) => comment.repositoryId === repo.id && comment.issueNumber === pull.number && Date.parse(comment.updatedAt) >= since,
  );
  return { status: 200, ...listed(input, comments, (comment) => shapeIssueComment(input.state, repo, comment, input.urls)) };
};

/** A second identical reaction by the same user is not stored again: GitHub answers 200 with the existing one. */
export const createIssueCommentReaction: Handler = (input) => {
  const repo = requireRepository(input);
  const comment = findComment(input, repo);
  const { content } = bodyOf(input) as ReactionBody;
  const { user: login } = author(input);
  const existing = comment.reactions.find((reaction) => reaction.user === login && reaction.content === content);
  if (existing !== undefined) return { status: 200, body: shapeReaction(input.state, existing, input.urls) };
  const reaction = { id: nextId(input.state), user: login, content, createdAt: input.now.toISOString() };
  comment.reactions.push(reaction);
  return { status: 201, body: shapeReaction(input.state, reaction, input.urls), changed: true };
};

export const listIssueCommentReactions: Handler = (input) => {
  const repo = requireRepository(input);
  const comment = findComment(input, repo);
  const content = input.query['content'];
  const reactions = comment.reactions.filter((reaction) => content === undefined || reaction.content === content);
  return { status: 200, ...listed(input, reactions, (reaction) => shapeReaction(input.state, reaction, input.urls)) };
};
