import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveHealthz } from '../engine/controller/http-endpoints.js';
import { prepareConfiguredBot } from './bot-command.js';
import { startupErrorText } from './startup-error.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

afterEach(() => {
  vi.unstubAllEnvs();
});

async function configFile(text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'gradual-bot-startup-')), 'gradual.yaml');
  await writeFile(file, text);
  return file;
}

describe('the bot’s start-up (gradual bot, gradual start)', { timeout: 60_000 }, () => {
  it.each([
    [
      'an unknown field',
      'clusters: { local: {} }\nrepositories:\n  - match: acme/*\n    environments: { "*": local }\nresyncSecond: 5\n',
      /^gradual: invalid Gradual config:\n {2}.*gradual\.yaml:5: \(top\): Unrecognized key: "resyncSecond"\n$/u,
    ],
    [
      'a resync interval below its floor',
      'clusters: { local: {} }\nrepositories:\n  - match: acme/*\n    environments: { "*": local }\nresyncSeconds: 0\n',
      /^gradual: invalid Gradual config:\n {2}.*gradual\.yaml:5: resyncSeconds: /u,
    ],
    [
      'a default policy that cannot be read',
      'clusters: { local: {} }\nrepositories:\n  - match: acme/*\n    environments: { "*": local }\ndefaultPolicy: /nonexistent/policy.yml\n',
      /^gradual: cannot read the default policy \/nonexistent\/policy\.yml: [^\n]+\n$/u,
    ],
  ])('a bad config (%s) fails before any election or listening, in one clear line per problem', async (_name, text, expected) => {
    vi.stubEnv('APP_ID', '1');
    vi.stubEnv('PRIVATE_KEY', privateKey);
    vi.stubEnv('WEBHOOK_SECRET', 'a-webhook-secret');
    const failure: unknown = await prepareConfiguredBot({ config: await configFile(text) }).then(
      () => undefined,
      (cause: unknown) => cause,
    );
    expect(startupErrorText(failure)).toMatch(expected);
  });

  it('a good config is accepted and nothing is started until asked', async () => {
    vi.stubEnv('APP_ID', '1');
    vi.stubEnv('PRIVATE_KEY', privateKey);
    vi.stubEnv('WEBHOOK_SECRET', 'a-webhook-secret');
    const start = await prepareConfiguredBot({
      config: await configFile(
        'clusters: { local: {} }\nrepositories:\n  - match: acme/*\n    environments: { "*": local }\nresyncSeconds: 60\n',
      ),
    });
    expect(typeof start).toBe('function');
  });

  it('/readyz says whether this replica serves webhooks; /healthz stays 200 on a follower', async () => {
    let serving = false;
    const server = await serveHealthz(
      () => true,
      0,
      '127.0.0.1',
      () => serving,
    );
    try {
      const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
      expect([(await fetch(`${base}/healthz`)).status, (await fetch(`${base}/readyz`)).status]).toEqual([200, 503]);
      serving = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
