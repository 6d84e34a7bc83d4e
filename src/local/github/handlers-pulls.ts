import { notFound } from './errors.js';
import { numberParam, listed, requireRepository, type Handler, type HandlerInput } from './handler.js';
import { shapeDiffEntry, shapePullRequest } from './shape-pull-request.js';
import type { PullRequestRecord, RepositoryRecord } from './types.js';

export function findPull(input: HandlerInput, repo: RepositoryRecord, parameter: string): PullRequestRecord {
  const number = numberParam(input, parameter);
  const pull = input.state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === number);
  if (pull === undefined) throw notFound();
  return pull;
}

export const getPull: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapePullRequest(input.state, repo, findPull(input, repo, 'pull_number'), input.urls) };
};

export const listPullFiles: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  return { status: 200, ...listed(input, pull.files, (file) => shapeDiffEntry(repo, pull, file, input.urls)) };
};
