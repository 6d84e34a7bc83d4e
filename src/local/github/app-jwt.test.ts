import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAppJwt } from './app-jwt.js';
import { GithubApiError } from './errors.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const other = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const now = new Date('2026-01-01T12:00:00Z');
const seconds = now.getTime() / 1000;

function jwt(claims: Record<string, unknown>, key = privateKey, alg = 'RS256'): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
}

function refusal(token: string): string | undefined {
  try {
    verifyAppJwt(token, { publicKey, appId: 7, clientId: 'Iv1.abc', now });
    return undefined;
  } catch (error) {
    if (!(error instanceof GithubApiError)) throw error;
    expect(error.status).toBe(401);
    return error.message;
  }
}

describe('verifyAppJwt, by GitHub’s rules for app JWTs', () => {
  it('accepts what @octokit/auth-app makes: iat 30 s back, exp 10 min after iat, iss the app id or client id', () => {
    expect(refusal(jwt({ iat: seconds - 30, exp: seconds + 570, iss: 7 }))).toBeUndefined();
    expect(refusal(jwt({ iat: seconds - 30, exp: seconds + 570, iss: 'Iv1.abc' }))).toBeUndefined();
  });

  it('refuses an expired token, one that lives longer than ten minutes, and an iat in the future', () => {
    expect(refusal(jwt({ iat: seconds - 700, exp: seconds - 1, iss: 7 }))).toMatch(
      /^'Expiration time' claim \('exp'\) must be a numeric value/,
    );
    expect(refusal(jwt({ iat: seconds, exp: seconds + 3600, iss: 7 }))).toBe("'Expiration time' claim ('exp') is too far in the future.");
    expect(refusal(jwt({ iat: seconds + 300, exp: seconds + 500, iss: 7 }))).toMatch(/^'Issued at' claim \('iat'\)/);
  });

  it('refuses another app, another key, another algorithm, and garbage', () => {
    expect(refusal(jwt({ iat: seconds, exp: seconds + 500, iss: 8 }))).toMatch(/'Issuer' claim/);
    expect(refusal(jwt({ iat: seconds, exp: seconds + 500, iss: 7 }, other.privateKey))).toBe('A JSON web token could not be decoded');
    expect(refusal(jwt({ iat: seconds, exp: seconds + 500, iss: 7 }, privateKey, 'HS256'))).toBe('A JSON web token could not be decoded');
    expect(refusal('a.b.c')).toBe('A JSON web token could not be decoded');
  });
});
