import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedInstallation, seedRepository, seedUserToken } from './seed.js';
import { startTestGithub, type TestGithub } from './testing.js';
import type { CheckRunRecord } from './types.js';

let github: TestGithub;
let token: string;

beforeAll(async () => {
  github = await startTestGithub();
  token = await github.server.update((state) => {
    const now = new Date();
    seedInstallation(state, 'acme', now);
    const repo = seedRepository(state, { owner: 'acme', name: 'deploys', now });
    // A record no handler would write (a corrupted state file): its shape breaks the check-run schema.
    const broken = {
      id: 99,
      repositoryId: repo.id,
      appId: state.app.id,
      checkSuiteId: 98,
      headSha: 'e'.repeat(40),
      name: 'broken',
      status: 'exploded',
      conclusion: null,
      startedAt: now.toISOString(),
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
    } as unknown as CheckRunRecord;
    state.checkRuns.push(broken);
    return seedUserToken(state, 'alice', now, { checks: 'read', metadata: 'read' });
  });
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe('responses are validated against the operation’s response schema', () => {
  it('a response that breaks the schema is a 500 and a reported violation, not a silent lie', async () => {
    const response = await fetch(`${github.server.url}/repos/acme/deploys/check-runs/99`, { headers: { authorization: `token ${token}` } });
    expect(response.status).toBe(500);
    expect(github.violations).toHaveLength(1);
    expect(github.violations[0]).toMatchObject({ kind: 'response', name: 'checks/get' });
    expect(github.violations[0]?.errors.map((error) => error.instancePath)).toContain('/status');
  });
});
