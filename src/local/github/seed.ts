import { createHash } from 'node:crypto';
import { nextId } from './initial-state.js';
import { issueToken } from './tokens.js';
import type {
  CollaboratorPermission,
  GithubState,
  TeamRecord,
  InstallationRecord,
  PermissionSet,
  PullFileRecord,
  PullRequestRecord,
  RepositoryRecord,
  UserRecord,
} from './types.js';

/**
 * Functions that put things into a local GitHub's state the way a person
 * would have on github.com (an account, a repository, a pull request, an
 * installation). They change the given state and return what they made; run
 * them through the server's `update` so the result is saved.
 */
export function seedUser(state: GithubState, login: string, type: UserRecord['type'] = 'User'): UserRecord {
  const existing = state.users.find((user) => user.login === login);
  if (existing !== undefined) return existing;
  const user: UserRecord = { id: nextId(state), login, type };
  state.users.push(user);
  return user;
}

export function seedInstallation(state: GithubState, account: string, now: Date, permissions?: PermissionSet): InstallationRecord {
  seedUser(state, account, 'Organization');
  const existing = state.installations.find((installation) => installation.account === account);
  if (existing !== undefined) return existing;
  const installation: InstallationRecord = {
    id: nextId(state),
    account,
    permissions: { ...(permissions ?? state.app.permissions) },
    events: [...state.app.events],
    createdAt: now.toISOString(),
  };
  state.installations.push(installation);
  return installation;
}

export function seedRepository(
  state: GithubState,
  options: {
    owner: string;
    name: string;
    private?: boolean;
    defaultBranch?: string;
    collaborators?: Record<string, CollaboratorPermission>;
    now: Date;
  },
): RepositoryRecord {
  seedUser(state, options.owner, 'Organization');
  for (const login of Object.keys(options.collaborators ?? {})) seedUser(state, login);
  const repo: RepositoryRecord = {
    id: nextId(state),
    owner: options.owner,
    name: options.name,
    private: options.private ?? false,
    defaultBranch: options.defaultBranch ?? 'main',
    description: null,
    createdAt: options.now.toISOString(),
    pushedAt: options.now.toISOString(),
    collaborators: { ...options.collaborators },
  };
  state.repositories.push(repo);
  return repo;
}

export interface SeedFile {
  filename: string;
  status?: PullFileRecord['status'];
  additions?: number;
  deletions?: number;
  patch?: string;
}

export function seedPullRequest(
  state: GithubState,
  options: {
    repositoryId: number;
    title: string;
    body?: string;
    user: string;
    head: { ref: string; sha: string };
    base?: { ref: string; sha: string };
    files?: SeedFile[];
    now: Date;
  },
): PullRequestRecord {
  seedUser(state, options.user);
  const numbers = state.pullRequests.filter((pull) => pull.repositoryId === options.repositoryId).map((pull) => pull.number);
  const pull: PullRequestRecord = {
    id: nextId(state),
    repositoryId: options.repositoryId,
    number: Math.max(0, ...numbers) + 1,
    title: options.title,
    body: options.body ?? null,
    state: 'open',
    user: options.user,
    head: options.head,
    base: options.base ?? { ref: 'main', sha: '0'.repeat(40) },
    files: (options.files ?? []).map((file) => ({
      filename: file.filename,
      status: file.status ?? 'modified',
      additions: file.additions ?? 0,
      deletions: file.deletions ?? 0,
      ...(file.patch !== undefined && { patch: file.patch }),
      sha: createHash('sha1').update(`${options.head.sha}:${file.filename}`).digest('hex'),
    })),
    createdAt: options.now.toISOString(),
    updatedAt: options.now.toISOString(),
  };
  state.pullRequests.push(pull);
  return pull;
}

/** A personal access token for a person (tests acting as a user); the token is returned once and only its digest kept. */
export function seedUserToken(state: GithubState, login: string, now: Date, permissions?: PermissionSet): string {
  seedUser(state, login);
  return issueToken(
    state,
    {
      kind: 'user',
      login,
      permissions: permissions ?? { issues: 'write', pull_requests: 'write', metadata: 'read', checks: 'read', statuses: 'read' },
    },
    now,
  ).token;
}

/** What a writer's token may do; maintainers may do the same, admins administration besides. */
const writePermissions: PermissionSet = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  metadata: 'read',
  checks: 'read',
  statuses: 'write',
  deployments: 'write',
};

/** What a personal access token of someone with this role on a repository may do. */
const personPermissions: Record<CollaboratorPermission, PermissionSet> = {
  admin: { administration: 'write', ...writePermissions },
  maintain: { ...writePermissions },
  write: { ...writePermissions },
  triage: { issues: 'write', pull_requests: 'write', metadata: 'read', checks: 'read', statuses: 'read' },
  read: { issues: 'write', pull_requests: 'read', metadata: 'read', checks: 'read', statuses: 'read' },
};

/**
 * A person with a role: on the repository `owner/name` if given (as a
 * collaborator), else on their organization `owner` (admin of every
 * repository they create there). Returns a fresh token for them.
 */
export function seedPerson(
  state: GithubState,
  options: { login: string; role: CollaboratorPermission; repository?: { owner: string; name: string } | undefined; now: Date },
): string {
  seedUser(state, options.login);
  const target = options.repository;
  if (target !== undefined) {
    const repo = state.repositories.find((candidate) => candidate.owner === target.owner && candidate.name === target.name);
    if (repo === undefined) throw new Error(`seedPerson: no repository ${target.owner}/${target.name}`);
    repo.collaborators[options.login] = options.role;
  }
  return issueToken(state, { kind: 'user', login: options.login, permissions: personPermissions[options.role] }, options.now).token;
}

/** An organization's team with these members (replacing the members of a team of that slug). */
export function seedTeam(state: GithubState, team: TeamRecord): TeamRecord {
  seedUser(state, team.org, 'Organization');
  for (const login of team.members) seedUser(state, login);
  const teams = (state.teams ??= []);
  const existing = teams.find(
    (candidate) => candidate.org.toLowerCase() === team.org.toLowerCase() && candidate.slug.toLowerCase() === team.slug.toLowerCase(),
  );
  if (existing !== undefined) {
    existing.members = [...team.members];
    return existing;
  }
  const record = { org: team.org, slug: team.slug, members: [...team.members] };
  teams.push(record);
  return record;
}
