import { describe, expect, it } from 'vitest';
import { countedApprovers, decideDeploy } from './decide-deploy.js';
import { testEnvironment } from './testing/test-environment.js';
import type { DeployTrigger, FreezeWindow, PullRequestApproval } from './types.js';

const now = new Date('2026-06-03T10:00:00Z');
const writer: PullRequestApproval = { login: 'alice', permission: 'write' };
const admin: PullRequestApproval = { login: 'carol', permission: 'admin' };

describe('decideDeploy: which event deploys under which trigger', () => {
  const events: DeployTrigger[] = ['pull_request', 'approved', 'command', 'merge'];
  // Rows: the environment's trigger; columns: the event, in the order above. Approvals are there (one writer).
  it.each([
    { trigger: 'pull_request', deploys: [true, true, true, true] },
    { trigger: 'approved', deploys: [true, true, true, true] },
    { trigger: 'command', deploys: [false, false, true, true] },
    { trigger: 'merge', deploys: [false, false, false, true] },
  ] as const)('trigger $trigger', ({ trigger, deploys }) => {
    const environment = testEnvironment({ trigger });
    const decided = events.map((event) => decideDeploy({ environment, trigger: event, pullRequest: { fromFork: false, approvals: [writer] }, now }).deploy);
    expect(decided).toEqual(deploys);
  });

  it.each([
    { trigger: 'command', reason: '`production` is deployed when someone with the permission comments `/deploy`.' },
    { trigger: 'merge', reason: '`production` is deployed only once the pull request merges.' },
  ] as const)('says what a $trigger environment waits for', ({ trigger, reason }) => {
    expect(decideDeploy({ environment: testEnvironment({ trigger }), trigger: 'pull_request', pullRequest: { fromFork: false, approvals: [] }, now })).toEqual({ deploy: false, reason });
  });
});

describe('decideDeploy: approvals', () => {
  it.each([
    { name: 'no approval needed', trigger: 'pull_request', required: 0, approvals: [], deploy: true },
    { name: 'approved needs at least one', trigger: 'approved', required: 0, approvals: [], reason: '`production` needs 1 approval from people with write permission; it has none.' },
    { name: 'a reader does not count', trigger: 'approved', required: 0, approvals: [{ login: 'bob', permission: 'read' }, { login: 'tia', permission: 'triage' }], reason: '`production` needs 1 approval from people with write permission; it has none.' },
    { name: 'a writer counts', trigger: 'approved', required: 0, approvals: [writer], deploy: true },
    { name: 'one person counts once', trigger: 'pull_request', required: 2, approvals: [writer, { login: 'Alice', permission: 'write' }], reason: '`production` needs 2 approvals from people with write permission; it has 1 (@alice).' },
    { name: 'two people', trigger: 'command', required: 2, approvals: [writer, admin], deploy: true },
    { name: 'approvals are needed on merge too', trigger: 'merge', required: 1, approvals: [], reason: '`production` needs 1 approval from people with write permission; it has none.' },
  ] as const)('$name', ({ trigger, required, approvals, ...expected }) => {
    const event = trigger === 'merge' ? 'merge' : trigger === 'command' ? 'command' : 'pull_request';
    const decision = decideDeploy({ environment: testEnvironment({ trigger, requiredApprovals: required }), trigger: event, pullRequest: { fromFork: false, approvals }, now });
    expect(decision).toEqual('deploy' in expected ? { deploy: true } : { deploy: false, reason: expected.reason });
  });

  it('counts distinct people with write permission or more', () => {
    expect(countedApprovers([writer, { login: 'bob', permission: 'read' }, { login: 'ALICE', permission: 'admin' }, admin, { login: 'm', permission: 'maintain' }])).toEqual(['alice', 'carol', 'm']);
  });
});

describe('decideDeploy: pull requests from forks', () => {
  it.each([
    { allowForks: false, event: 'pull_request', deploy: false },
    { allowForks: false, event: 'command', deploy: false },
    // Once merged, the manifests are the default branch's, which someone with write permission accepted.
    { allowForks: false, event: 'merge', deploy: true },
    { allowForks: true, event: 'pull_request', deploy: true },
  ] as const)('allowForks $allowForks, event $event', ({ allowForks, event, deploy }) => {
    const decision = decideDeploy({ environment: testEnvironment({ allowForks }), trigger: event, pullRequest: { fromFork: true, approvals: [] }, now });
    expect(decision.deploy).toBe(deploy);
    if (!decision.deploy) expect(decision.reason).toBe('Pull requests from forks are not deployed to `production` before they merge (its policy has `allowForks: false`).');
  });
});

describe('decideDeploy: freeze windows', () => {
  const weekend: FreezeWindow = { kind: 'recurring', name: 'weekend', schedule: '0 18 * * FRI', durationSeconds: 62 * 3600, timeZone: 'Europe/Berlin', source: '.gradual.yml:3' };
  const environment = testEnvironment({ freezeWindows: [weekend] });

  it.each([
    { at: '2026-06-05T15:59:59Z', deploy: true },
    { at: '2026-06-05T16:00:00Z', deploy: false },
    { at: '2026-06-08T05:59:59Z', deploy: false },
    { at: '2026-06-08T06:00:00Z', deploy: true },
  ])('at $at', ({ at, deploy }) => {
    const decision = decideDeploy({ environment, trigger: 'pull_request', pullRequest: { fromFork: false, approvals: [] }, now: new Date(at) });
    expect(decision).toEqual(
      deploy
        ? { deploy: true }
        : {
            deploy: false,
            reason: '`production` is frozen by the window `weekend` until 2026-06-08 08:00 Europe/Berlin; the deploy waits until then.',
            retryAt: new Date('2026-06-08T06:00:00Z'),
          },
    );
  });

  it('reports a missing approval before the freeze, which a retry would not lift', () => {
    const decision = decideDeploy({ environment: testEnvironment({ freezeWindows: [weekend], requiredApprovals: 1 }), trigger: 'pull_request', pullRequest: { fromFork: false, approvals: [] }, now: new Date('2026-06-06T10:00:00Z') });
    expect(decision).toEqual({ deploy: false, reason: '`production` needs 1 approval from people with write permission; it has none.' });
  });
});
