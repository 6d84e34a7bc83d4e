import { notFound } from './errors.js';
import { requireRepository, stringParam, type Handler } from './handler.js';
import { shapeFullRepository } from './shape-repository.js';
import { shapeUser, type Schemas } from './shape-user.js';
import type { CollaboratorPermission } from './types.js';

export const getRepository: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapeFullRepository(input.state, repo, input.urls) };
};

/** `permission` is the legacy level (maintain reads as write, triage as read); `role_name` the real one. */
const legacyPermission: Record<CollaboratorPermission, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };

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
      permissions: { pull: permission !== 'none', triage: ['admin', 'maintain', 'write', 'triage'].includes(roleName), push: ['admin', 'maintain', 'write'].includes(roleName), maintain: ['admin', 'maintain'].includes(roleName), admin: roleName === 'admin' },
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
