import type { operations } from '@octokit/openapi-types';
import { GithubApiError, notFound, validationFailed } from './errors.js';
import { bodyOf, requireRepository, stringParam, type Handler, type HandlerInput, type HandlerResult } from './handler.js';
import { seedRepository } from './seed.js';
import { shapeFullRepository } from './shape-repository.js';
import { shapeUser, type Schemas } from './shape-user.js';
import type { CollaboratorPermission } from './types.js';

export const getRepository: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapeFullRepository(input.state, repo, input.urls) };
};

/** `permission` is the legacy level (maintain reads as write, triage as read); `role_name` the real one. */
const legacyPermission: Record<CollaboratorPermission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
};

export const getCollaboratorPermission: Handler = (input) => {
  const repo = requireRepository(input);
  const username = stringParam(input, 'username');
  const user = input.state.users.find((candidate) => candidate.login.toLowerCase() === username.toLowerCase());
  if (user === undefined) throw notFound();
  const role = repo.collaborators[user.login];
  const permission = role === undefined ? (repo.private ? 'none' : 'read') : legacyPermission[role];
  const roleName = role ?? (repo.private ? 'none' : 'read');
  const shaped: Schemas['repository-collaborator-permission'] = {
    permission,
    role_name: roleName,
    user: {
      ...shapeUser(user, input.urls),
      permissions: {
        pull: permission !== 'none',
        triage: ['admin', 'maintain', 'write', 'triage'].includes(roleName),
        push: ['admin', 'maintain', 'write'].includes(roleName),
        maintain: ['admin', 'maintain'].includes(roleName),
        admin: roleName === 'admin',
      },
      role_name: roleName,
    },
  };
  return { status: 200, body: shaped };
};

export const getRateLimit: Handler = (input) => {
  const core = { ...input.rate };
  const search = { limit: 30, remaining: 30, used: 0, reset: input.rate.reset };
  return { status: 200, body: { resources: { core, search, graphql: { ...core }, integration_manifest: { ...core } }, rate: core } };
};

type CreateRepositoryBody = NonNullable<operations['repos/create-in-org']['requestBody']>['content']['application/json'];

/**
 * Creates a repository and its bare git repository on the git server (empty:
 * the first push creates the default branch). The person who creates it is
 * its admin. `POST /orgs/{org}/repos` creates the organization on first use:
 * the local GitHub has no other way to make one.
 */
export const createRepositoryInOrg: Handler = (input) => createRepository(input, stringParam(input, 'org'));

export const createRepositoryForUser: Handler = (input) => {
  if (input.principal.kind !== 'user') throw new GithubApiError(403, 'Resource not accessible by integration');
  return createRepository(input, input.principal.login);
};

function createRepository(input: HandlerInput, owner: string): HandlerResult {
  const body = bodyOf(input) as CreateRepositoryBody;
  if (input.git === undefined) throw validationFailed('Repository', 'name', 'The local GitHub was started without a git server');
  if (!/^[\w.-]+$/.test(body.name) || body.name.startsWith('.')) throw validationFailed('Repository', 'name', 'name is invalid');
  if (
    input.state.repositories.some(
      (repo) => repo.owner.toLowerCase() === owner.toLowerCase() && repo.name.toLowerCase() === body.name.toLowerCase(),
    )
  ) {
    throw new GithubApiError(422, 'Repository creation failed.', [
      { resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' },
    ]);
  }
  const creator = input.principal.kind === 'user' ? input.principal.login : undefined;
  const repo = seedRepository(input.state, {
    owner,
    name: body.name,
    private: body.private ?? body.visibility === 'private',
    ...(creator !== undefined && creator !== owner && { collaborators: { [creator]: 'admin' } }),
    now: input.now,
  });
  repo.description = body.description ?? null;
  repo.heads = {};
  input.git.create(owner, body.name, repo.defaultBranch);
  return { status: 201, body: shapeFullRepository(input.state, repo, input.urls), changed: true };
}

type CreateForkBody = NonNullable<operations['repos/create-fork']['requestBody']>['content']['application/json'];

/**
 * Forks a git-backed repository into the caller's account (or `organization`),
 * with all its branches, as GitHub does (202: GitHub copies in the background;
 * here the copy is done before the answer). A second fork returns the first.
 */
export const createFork: Handler = (input) => {
  const parent = requireRepository(input);
  if (input.principal.kind !== 'user') throw new GithubApiError(403, 'Resource not accessible by integration');
  if (input.git === undefined || parent.heads === undefined)
    throw validationFailed('Repository', 'name', 'The repository has no git repository behind it');
  // The body is optional (a fork with the parent's name into the caller's account).
  const body: NonNullable<CreateForkBody> = typeof input.body === 'object' && input.body !== null ? input.body : {};
  const owner = body.organization ?? input.principal.login;
  const name = body.name ?? parent.name;
  const existing = input.state.repositories.find((repo) => repo.forkOf === parent.id && repo.owner.toLowerCase() === owner.toLowerCase());
  if (existing !== undefined) return { status: 202, body: shapeFullRepository(input.state, existing, input.urls) };
  if (
    input.state.repositories.some(
      (repo) => repo.owner.toLowerCase() === owner.toLowerCase() && repo.name.toLowerCase() === name.toLowerCase(),
    )
  ) {
    throw new GithubApiError(422, 'Repository creation failed.', [
      { resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' },
    ]);
  }
  const fork = seedRepository(input.state, {
    owner,
    name,
    private: parent.private,
    defaultBranch: parent.defaultBranch,
    ...(owner !== input.principal.login && { collaborators: { [input.principal.login]: 'admin' } }),
    now: input.now,
  });
  fork.forkOf = parent.id;
  const repository = input.git.fork({ owner: parent.owner, name: parent.name }, { owner, name });
  const heads = repository.heads();
  fork.heads =
    body.default_branch_only === true
      ? Object.fromEntries(Object.entries(heads).filter(([branch]) => branch === parent.defaultBranch))
      : heads;
  return { status: 202, body: shapeFullRepository(input.state, fork, input.urls), changed: true };
};
