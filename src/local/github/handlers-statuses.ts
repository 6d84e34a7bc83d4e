import type { operations } from '@octokit/openapi-types';
import { validationFailed } from './errors.js';
import { bodyOf, listed, requireRepository, stringParam, type Handler } from './handler.js';
import { nextId } from './initial-state.js';
import { shapeCombinedStatus, shapeStatus } from './shape-status.js';
import type { StatusRecord } from './types.js';

type StatusBody = NonNullable<operations['repos/create-commit-status']['requestBody']>['content']['application/json'];

/**
 * GitHub refuses a longer description with 422 "description is too long (maximum is 140 characters)" (the OpenAPI
 * description does not say so; notifications-engine's github.go truncates to 140 for that reason, "maximum is 140 characters").
 */
const maxDescriptionLength = 140;

/** GitHub keeps at most 1,000 statuses per SHA and context. */
const maxStatusesPerContext = 1000;

export const createCommitStatus: Handler = (input) => {
  const repo = requireRepository(input);
  const sha = stringParam(input, 'sha');
  const body = bodyOf(input) as StatusBody;
  const context = body.context ?? 'default';
  if (typeof body.description === 'string' && Array.from(body.description).length > maxDescriptionLength)
    throw validationFailed('Status', 'description', `description is too long (maximum is ${String(maxDescriptionLength)} characters)`);
  const creator = input.principal.kind === 'user' ? input.principal.login : `${input.state.app.slug}[bot]`;
  const status: StatusRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    sha,
    state: body.state,
    context,
    description: body.description ?? null,
    targetUrl: body.target_url ?? null,
    creator,
    createdAt: input.now.toISOString(),
  };
  const same = input.state.statuses.filter(
    (candidate) => candidate.repositoryId === repo.id && candidate.sha === sha && candidate.context === context,
  );
  if (same.length >= maxStatusesPerContext) {
    const oldest = same[0];
    input.state.statuses = input.state.statuses.filter((candidate) => candidate !== oldest);
  }
  input.state.statuses.push(status);
  return { status: 201, body: shapeStatus(input.state, repo, status, input.urls), changed: true };
};

export const listCommitStatuses: Handler = (input) => {
  const repo = requireRepository(input);
  const ref = stringParam(input, 'ref');
  const statuses = input.state.statuses.filter((status) => status.repositoryId === repo.id && status.sha === ref).reverse();
  return { status: 200, ...listed(input, statuses, (status) => shapeStatus(input.state, repo, status, input.urls)) };
};

export const getCombinedStatus: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapeCombinedStatus(input.state, repo, stringParam(input, 'ref'), input.urls) };
};
