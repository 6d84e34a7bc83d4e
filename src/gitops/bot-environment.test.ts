import { describe, expect, it } from 'vitest';
import { readBotEnvironment } from './bot-environment.js';
import { provenanceKeyFrom } from './provenance.js';

// The provenance key is derived from the App's private key (provenance.ts): a bot started without one, or
// with one that is not a key, must not start with some fallback key a cluster user could guess and sign with.
describe('the bot without its App key', () => {
  const base = { APP_ID: '1', WEBHOOK_SECRET: 'a-webhook-secret' };

  it.each([
    ['absent', {}],
    ['empty', { PRIVATE_KEY: '' }],
    ['not a PEM key', { PRIVATE_KEY: 'not-a-key-at-all' }],
  ])('does not start when PRIVATE_KEY is %s', async (_case, key) => {
    await expect(readBotEnvironment({ ...base, ...key })).rejects.toThrow(
      "PRIVATE_KEY or PRIVATE_KEY_PATH must give the GitHub App's PEM private key",
    );
  });

  it('does not start when PRIVATE_KEY_PATH cannot be read, naming the path', async () => {
    await expect(readBotEnvironment({ ...base, PRIVATE_KEY_PATH: '/nonexistent/gradual-app-key.pem' })).rejects.toThrow(
      'PRIVATE_KEY_PATH /nonexistent/gradual-app-key.pem cannot be read',
    );
  });

  it('derives no provenance key from a PEM that only looks like one', () => {
    expect(() => provenanceKeyFrom('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 1)).toThrow();
    expect(() => provenanceKeyFrom('', 1)).toThrow();
  });
});
