import { describe, expect, it } from 'vitest';
import { credentialRedactor, urlWithoutCredentials } from './redact-credentials.js';
import { repositoryKey } from './repository-key.js';

describe('credentials of a manifest repository', () => {
  const token = 'ghs_plantedSecretToken1234';

  it('names a repository without its user and password', () => {
    expect(urlWithoutCredentials(`https://x-access-token:${token}@git.example.com/org/manifests.git`)).toBe(
      'https://git.example.com/org/manifests.git',
    );
    expect(urlWithoutCredentials(`not a url ${token}`)).toBe('<unparseable repository URL>');
  });

  it('keys the cache by the URL without credentials, a trailing .git or slash', () => {
    const key = repositoryKey('https://git.example.com/org/manifests');
    expect(repositoryKey(`https://x-access-token:${token}@git.example.com/org/manifests.git`)).toBe(key);
    expect(repositoryKey('https://git.example.com/org/manifests/')).toBe(key);
    expect(repositoryKey('https://git.example.com/org/other')).not.toBe(key);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
  });

  it('removes tokens from URLs, headers and basic-auth headers in any text', () => {
    const encoded = Buffer.from(`x-access-token:${token}`).toString('base64');
    const url = `https://x-access-token:${encodeURIComponent(token)}@host/r.git`;
    const fromUrl = credentialRedactor(url);
    expect(fromUrl(`GET ${url} failed for ${token}; also https://u:${token}@host`)).toBe(
      'GET https://host/r.git failed for [redacted]; also https://u:[redacted]@host',
    );
    const fromHeaders = credentialRedactor('https://host/r.git', { authorization: `Basic ${encoded}` });
    expect(fromHeaders(`sent ${encoded}; token ${token}`)).toBe('sent [redacted]; token [redacted]');
    const bearer = credentialRedactor('https://host/r.git', { authorization: `Bearer ${token}` });
    expect(bearer(`authorization: Bearer ${token}`)).toBe('authorization: [redacted]');
  });
});
