import { describe, expect, it } from 'vitest';
import { authorizeCommand } from './authorize-command.js';
import { testEnvironment } from './testing/test-environment.js';
import type { CommandActor, CommandInput, CommandName, FreezeWindow } from './types.js';

const now = new Date('2026-06-03T10:00:00Z');
const changedPaths = ['deploy/prod/api/rollout.yaml', 'deploy/prod/web/rollout.yaml', 'README.md'];

function input(command: CommandName, actor: CommandActor, more: Partial<CommandInput> = {}): CommandInput {
  return { environment: testEnvironment(), command, actor, changedPaths, codeowners: undefined, now, repository: 'acme/shop', ...more };
}

describe('authorizeCommand: permission levels (the shipped defaults)', () => {
  const levels = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
  // For each command, the levels that may run it, weakest first.
  it.each([
    { command: 'promote', allowed: ['write', 'maintain', 'admin'] },
    { command: 'abort', allowed: ['write', 'maintain', 'admin'] },
    { command: 'deploy', allowed: ['write', 'maintain', 'admin'] },
    { command: 'unlock', allowed: ['maintain', 'admin'] },
    { command: 'status', allowed: ['read', 'triage', 'write', 'maintain', 'admin'] },
    { command: 'help', allowed: ['read', 'triage', 'write', 'maintain', 'admin'] },
  ] as const)('/$command', ({ command, allowed }) => {
    const decisions = levels.map((permission) => authorizeCommand(input(command, { login: 'bob', permission, teams: [] })).allowed);
    expect(decisions).toEqual(levels.map((level) => (allowed as readonly string[]).includes(level)));
  });

  it('says who needs what, in a sentence for the pull request', () => {
    expect(authorizeCommand(input('promote', { login: 'bob', permission: 'read', teams: [] }))).toEqual({ allowed: false, reason: '`/promote` needs write permission on acme/shop; @bob has read.' });
    const withoutRepository: CommandInput = { environment: testEnvironment(), command: 'unlock', actor: { login: 'bob', permission: 'write', teams: [] }, changedPaths, codeowners: undefined, now };
    expect(authorizeCommand(withoutRepository)).toEqual({ allowed: false, reason: '`/unlock` needs maintain permission on this repository; @bob has write.' });
  });
});

describe('authorizeCommand: teams', () => {
  const environment = testEnvironment({}, { promote: { permission: 'write', teams: ['acme/sre', 'acme/release'], codeowners: false } });
  it.each([
    { teams: ['acme/sre'], allowed: true },
    { teams: ['@ACME/Release'], allowed: true },
    { teams: ['acme/frontend'], allowed: false },
    { teams: ['other/sre'], allowed: false },
    { teams: [], allowed: false },
  ])('a writer in $teams', ({ teams, allowed }) => {
    const decision = authorizeCommand(input('promote', { login: 'bob', permission: 'write', teams }, { environment }));
    expect(decision).toEqual(allowed ? { allowed: true } : { allowed: false, reason: '`/promote` on `production` is kept to members of @acme/sre, @acme/release; @bob is in none of them.' });
  });

  it('checks the permission as well as the team', () => {
    expect(authorizeCommand(input('promote', { login: 'bob', permission: 'read', teams: ['acme/sre'] }, { environment })).allowed).toBe(false);
  });
});

describe('authorizeCommand: code owners of the changed manifests', () => {
  const environment = testEnvironment({}, { promote: { permission: 'write', teams: [], codeowners: true } });
  const codeowners = ['* @acme/everyone', 'deploy/prod/ @acme/sre', 'deploy/prod/web/ @alice', 'README.md @nobody'].join('\n');

  it.each([
    // README.md changed too, but it is not a manifest of the environment.
    { name: 'a member of the team that owns every changed manifest', actor: { login: 'sam', teams: ['acme/sre'] }, changed: ['deploy/prod/api/rollout.yaml', 'README.md'], allowed: true },
    { name: 'the owner of one manifest only (the last matching rule wins)', actor: { login: 'alice', teams: [] }, changed: changedPaths, notOwned: '`deploy/prod/api/rollout.yaml`' },
    { name: 'the team that lost deploy/prod/web to a later rule', actor: { login: 'sam', teams: ['acme/sre'] }, changed: ['deploy/prod/web/rollout.yaml'], notOwned: '`deploy/prod/web/rollout.yaml`' },
    { name: 'a login written in another case', actor: { login: 'Alice', teams: [] }, changed: ['deploy/prod/web/rollout.yaml'], allowed: true },
    { name: 'an owner of everything else only', actor: { login: 'eve', teams: ['acme/everyone'] }, changed: changedPaths, notOwned: '`deploy/prod/api/rollout.yaml`, `deploy/prod/web/rollout.yaml`' },
  ])('$name', ({ actor, changed, ...expected }) => {
    const decision = authorizeCommand(input('promote', { ...actor, permission: 'write' }, { environment, changedPaths: changed, codeowners }));
    expect(decision).toEqual(
      'allowed' in expected
        ? { allowed: true }
        : { allowed: false, reason: `\`/promote\` on \`production\` needs a code owner of every changed manifest; @${actor.login} owns none of ${expected.notOwned} (see CODEOWNERS).` },
    );
  });

  it('refuses when there is no CODEOWNERS file or no changed manifest (fail closed)', () => {
    const actor: CommandActor = { login: 'sam', permission: 'admin', teams: ['acme/sre'] };
    expect(authorizeCommand(input('promote', actor, { environment, codeowners: undefined }))).toEqual({
      allowed: false,
      reason: '`/promote` on `production` needs a code owner of the changed manifests, and the default branch has no CODEOWNERS file.',
    });
    expect(authorizeCommand(input('promote', actor, { environment, codeowners, changedPaths: ['README.md'] }))).toEqual({
      allowed: false,
      reason: '`/promote` on `production` needs a code owner of the changed manifests, and this pull request changes none of its manifests.',
    });
  });
});

describe('authorizeCommand: freeze windows', () => {
  const yearEnd: FreezeWindow = { kind: 'fixed', name: 'year-end', start: new Date('2026-12-19T23:00:00Z'), end: new Date('2027-01-03T23:00:00Z'), timeZone: 'Europe/Berlin', source: '.gradual.yml:4' };
  const environment = testEnvironment({ freezeWindows: [yearEnd] });
  const admin: CommandActor = { login: 'carol', permission: 'admin', teams: [] };

  it.each([
    { command: 'promote', allowed: false },
    { command: 'deploy', allowed: false },
    { command: 'resume', allowed: false },
    { command: 'retry', allowed: false },
    { command: 'abort', allowed: true },
    { command: 'pause', allowed: true },
    { command: 'status', allowed: true },
    { command: 'unlock', allowed: true },
  ] as const)('/$command during the freeze', ({ command, allowed }) => {
    const decision = authorizeCommand(input(command, admin, { environment, now: new Date('2026-12-24T12:00:00Z') }));
    expect(decision).toEqual(allowed ? { allowed: true } : { allowed: false, reason: `\`/${command}\` is refused: \`production\` is frozen by the window \`year-end\` until 2027-01-04 00:00 Europe/Berlin.` });
  });

  it('allows /promote from the end of the window on', () => {
    expect(authorizeCommand(input('promote', admin, { environment, now: yearEnd.end })).allowed).toBe(true);
  });
});
