import { createHash, randomBytes } from 'node:crypto';
import { GithubApiError } from './errors.js';
import { looksLikeJwt, verifyAppJwt } from './app-jwt.js';
import type { GithubState, PermissionSet, Principal, TokenRecord } from './types.js';

/** Installation tokens live an hour, as GitHub's do. */
const installationTokenSeconds = 3600;

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token in GitHub's format (`ghs_` installation, `ghp_` personal); only its digest is stored. */
export function issueToken(
  state: GithubState,
  record: Omit<TokenRecord, 'digest' | 'expiresAt'>,
  now: Date,
): { token: string; expiresAt: string } {
  const prefix = record.kind === 'installation' ? 'ghs_' : 'ghp_';
  const token = `${prefix}${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
  const expiresAt = new Date(
    now.getTime() + (record.kind === 'installation' ? installationTokenSeconds : 365 * 86_400) * 1000,
  ).toISOString();
  // Expired tokens are dropped here so the state does not grow with every token ever issued.
  state.tokens = state.tokens.filter((existing) => Date.parse(existing.expiresAt) > now.getTime());
  state.tokens.push({ ...record, digest: tokenDigest(token), expiresAt });
  return { token, expiresAt };
}

/**
 * Who the Authorization header names. No header is anonymous (the operation
 * decides whether that is enough); a header that names nobody is GitHub's 401
 * "Bad credentials".
 */
export function authenticate(header: string | undefined, state: GithubState, options: { publicKey: string; now: Date }): Principal {
  if (header === undefined || header.trim() === '') return { kind: 'anonymous' };
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header.trim());
  const credential = match?.[1];
  if (credential === undefined) throw badCredentials();
  if (looksLikeJwt(credential)) {
    verifyAppJwt(credential, {
      publicKey: state.app.publicKey ?? options.publicKey,
      appId: state.app.id,
      clientId: state.app.clientId,
      now: options.now,
    });
    return { kind: 'app', appId: state.app.id };
  }
  const digest = tokenDigest(credential);
  const record = state.tokens.find((token) => token.digest === digest);
  if (record === undefined || Date.parse(record.expiresAt) <= options.now.getTime()) throw badCredentials();
  if (record.kind === 'installation' && record.installationId !== undefined) {
    if (!state.installations.some((installation) => installation.id === record.installationId)) throw badCredentials();
    return { kind: 'installation', installationId: record.installationId, permissions: record.permissions };
  }
  if (record.kind === 'user' && record.login !== undefined) return { kind: 'user', login: record.login, permissions: record.permissions };
  throw badCredentials();
}

export function badCredentials(): GithubApiError {
  return new GithubApiError(401, 'Bad credentials');
}

/** The permissions an installation token gets: those asked for, which must not exceed the installation's. */
export function narrowPermissions(granted: PermissionSet, requested: PermissionSet | undefined): PermissionSet {
  if (requested === undefined) return { ...granted };
  const rank = { read: 1, write: 2 } as const;
  const result: PermissionSet = {};
  for (const [name, level] of Object.entries(requested) as [keyof PermissionSet, 'read' | 'write'][]) {
    const has = granted[name];
    if (has === undefined || rank[has] < rank[level]) {
      throw new GithubApiError(422, `The permissions requested are not granted to this installation.`);
    }
    result[name] = level;
  }
  return result;
}
