import type { operations } from '@octokit/openapi-types';
import { GithubApiError, notFound } from './errors.js';
import { numberParam, listed, paginate, stringParam, type Handler } from './handler.js';
import { shapeRepository } from './shape-repository.js';
import { shapeApp, shapeInstallation } from './shape-app.js';
import { issueToken, narrowPermissions } from './tokens.js';

type TokenBody = NonNullable<operations['apps/create-installation-access-token']['requestBody']>['content']['application/json'];

export const getAuthenticatedApp: Handler = (input) => ({ status: 200, body: shapeApp(input.state, input.urls) });

export const listInstallations: Handler = (input) => ({
  status: 200,
  ...listed(input, input.state.installations, (installation) => shapeInstallation(input.state, installation, input.urls)),
});

export const getInstallation: Handler = (input) => {
  const id = numberParam(input, 'installation_id');
  const installation = input.state.installations.find((candidate) => candidate.id === id);
  if (installation === undefined) throw notFound();
  return { status: 200, body: shapeInstallation(input.state, installation, input.urls) };
};

export const getRepoInstallation: Handler = (input) => {
  const owner = stringParam(input, 'owner').toLowerCase();
  const name = stringParam(input, 'repo').toLowerCase();
  const repo = input.state.repositories.find(
    (candidate) => candidate.owner.toLowerCase() === owner && candidate.name.toLowerCase() === name,
  );
  const installation = input.state.installations.find((candidate) => candidate.account.toLowerCase() === owner);
  if (repo === undefined || installation === undefined) throw notFound();
  return { status: 200, body: shapeInstallation(input.state, installation, input.urls) };
};

export const createInstallationAccessToken: Handler = (input) => {
  const id = numberParam(input, 'installation_id');
  const installation = input.state.installations.find((candidate) => candidate.id === id);
  if (installation === undefined) throw notFound();
  const body = (typeof input.body === 'object' && input.body !== null ? input.body : {}) as TokenBody;
  const permissions = narrowPermissions(installation.permissions, body.permissions);
  const repositories = input.state.repositories.filter((repo) => repo.owner.toLowerCase() === installation.account.toLowerCase());
  const wanted = body.repositories;
  if (wanted?.some((name) => !repositories.some((repo) => repo.name === name)) === true) {
    throw new GithubApiError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
  }
  const { token, expiresAt } = issueToken(input.state, { kind: 'installation', installationId: installation.id, permissions }, input.now);
  return {
    status: 201,
    body: { token, expires_at: expiresAt, permissions, repository_selection: wanted === undefined ? 'all' : 'selected' },
    changed: true,
  };
};

/**
 * GET /installation/repositories: the repositories the installation's token reaches, as
 * `{ total_count, repositories }` (docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation).
 * Only an installation token may ask ("Resource not accessible by personal access token" otherwise); every
 * installation here is for all repositories of its account.
 */
export const listInstallationRepositories: Handler = (input) => {
  if (input.principal.kind !== 'installation') throw new GithubApiError(403, 'Resource not accessible by personal access token');
  const { installationId } = input.principal;
  const installation = input.state.installations.find((candidate) => candidate.id === installationId);
  if (installation === undefined) throw notFound();
  const repositories = input.state.repositories.filter((repo) => repo.owner.toLowerCase() === installation.account.toLowerCase());
  const page = paginate(input, repositories);
  return {
    status: 200,
    body: {
      total_count: repositories.length,
      repository_selection: 'all',
      repositories: page.items.map((repo) => shapeRepository(input.state, repo, input.urls)),
    },
    headers: page.headers,
  };
};
