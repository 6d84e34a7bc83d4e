import type { Schemas } from './shape-user.js';
import type { RepositoryRecord } from './types.js';

/**
 * How GitHub relates an author to a repository in `author_association`:
 * the account that owns it is OWNER, a collaborator (any role) is
 * COLLABORATOR, anyone else NONE. The local GitHub has no organization
 * membership or contribution history, so MEMBER and CONTRIBUTOR never
 * occur; the bot must read the permission level for decisions anyway.
 */
export function authorAssociation(repo: RepositoryRecord, login: string): Schemas['author-association'] {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  return repo.collaborators[login] === undefined ? 'NONE' : 'COLLABORATOR';
}
