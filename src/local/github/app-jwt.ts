import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GithubApiError } from './errors.js';

/** GitHub allows an app JWT at most ten minutes of life, and tolerates a minute of clock drift on `iat`. */
const maxLifetimeSeconds = 600;
const clockDriftSeconds = 60;

/**
 * Verifies a GitHub App JWT: RS256 signed with the app's private key, `iss`
 * the app id (or client id), `iat` not in the future beyond the drift
 * allowance, `exp` in the future and at most ten minutes away. The messages
 * are GitHub's; every failure is a 401.
 */
export function verifyAppJwt(token: string, options: { publicKey: string | KeyObject; appId: number; clientId: string; now: Date }): void {
  const parts = token.split('.');
  const [header64, payload64, signature64] = parts;
  if (parts.length !== 3 || header64 === undefined || payload64 === undefined || signature64 === undefined) throw undecodable();
  const header = decodeJson(header64);
  const claims = decodeJson(payload64);
  if (header['alg'] !== 'RS256') throw undecodable();
  const key = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const signed = verify('RSA-SHA256', Buffer.from(`${header64}.${payload64}`), key, Buffer.from(signature64, 'base64url'));
  if (!signed) throw new GithubApiError(401, 'A JSON web token could not be decoded');
  const issuer = claims['iss'];
  if (String(issuer) !== String(options.appId) && issuer !== options.clientId) {
    throw new GithubApiError(401, "'Issuer' claim ('iss') must be an Integer");
  }
  const now = Math.floor(options.now.getTime() / 1000);
  const iat = claims['iat'];
  const exp = claims['exp'];
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + clockDriftSeconds) {
    throw new GithubApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.");
  }
  if (typeof exp !== 'number' || exp <= now) {
    throw new GithubApiError(
      401,
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
    );
  }
  if (exp > now + maxLifetimeSeconds + clockDriftSeconds || exp - iat > maxLifetimeSeconds + clockDriftSeconds) {
    throw new GithubApiError(401, "'Expiration time' claim ('exp') is too far in the future.");
  }
}

export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

function undecodable(): GithubApiError {
  return new GithubApiError(401, 'A JSON web token could not be decoded');
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw undecodable();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw undecodable();
  return value as Record<string, unknown>;
}
