import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../api/index.js';
import { createLogger } from '../log/index.js';
import { parseDefaultPolicy } from '../policies/index.js';
import type { GithubPort } from './github-port.js';
import {
  evaluateMergeGroup,
  mergeGroupCheckName,
  pullRequestHoldsBack,
  reportMergeGroup,
  type GroupPull,
  type RolloutsOf,
} from './merge-queue.js';
import type { BotServices, RepositoryContext } from './services.js';
import { defaultPolicyFile } from './start-bot.js';
import type { CheckRunOutput } from './types.js';

const healthy = {
  metadata: { namespace: 'shop', name: 'web' },
  status: { phase: 'Healthy', stableRS: 'abc', currentPodHash: 'abc' },
} as unknown as Rollout;
const paused = {
  metadata: { namespace: 'shop', name: 'api' },
  status: { phase: 'Paused', stableRS: 'abc', currentPodHash: 'def' },
} as unknown as Rollout;
const sha = (c: string): string => c.repeat(40);

function pull(overrides: Partial<GroupPull>): GroupPull {
  return {
    number: 1,
    headSha: sha('a'),
    environments: ['production'],
    rollouts: [{ namespace: 'shop', name: 'web', deployedSha: sha('a'), rollout: healthy }],
    manifestsDiffer: [],
    ...overrides,
  };
}

describe('a merge group’s verdict', () => {
  it.each([
    ['rolled out, promoted and Healthy at its head', pull({}), undefined],
    ['changing no environment', pull({ environments: [], rollouts: [] }), undefined],
    ['never rolled out', pull({ rollouts: [] }), 'it was never rolled out (to production)'],
    [
      'changed after its rollout',
      pull({ headSha: sha('b') }),
      `its manifests changed after its rollout: shop/web runs aaaaaaa, the pull request's head is bbbbbbb`,
    ],
    [
      'merged with other manifests',
      pull({ manifestsDiffer: ['apps/web.yaml'] }),
      'the group merges other manifests than it rolled out (`apps/web.yaml`)',
    ],
    [
      'paused',
      pull({ rollouts: [{ namespace: 'shop', name: 'api', deployedSha: sha('a'), rollout: paused }] }),
      'shop/api is Paused, not fully promoted and Healthy',
    ],
  ] as const)('a pull request %s', (_what, facts, reason) => {
    expect(pullRequestHoldsBack(facts)).toBe(reason);
  });

  it('fails naming each pull request that holds the group back; passes when none does; an empty group fails', () => {
    const failed = evaluateMergeGroup([pull({ number: 1 }), pull({ number: 2, headSha: sha('c') })]);
    expect([failed.conclusion, failed.title, failed.failing.map((entry) => entry.number)]).toEqual([
      'failure',
      'Not rolled out as merged: #2',
      [2],
    ]);
    expect(failed.summary).toContain('#2: its manifests changed after its rollout');
    expect(evaluateMergeGroup([pull({ number: 1 })]).conclusion).toBe('success');
    expect(evaluateMergeGroup([]).conclusion).toBe('failure');
  });
});

describe('reporting a merge group', () => {
  const policy = 'environments:\n  - name: production\n    paths: ["apps/**/*.yaml"]\n    namespace: shop\n';
  const defaults = parseDefaultPolicy(readFileSync(defaultPolicyFile, 'utf8'), defaultPolicyFile);
  if (!defaults.ok) throw new Error('the default policy does not parse');
  const services = { defaults: defaults.policy } as unknown as BotServices;

  /** Two queued pull requests: #1 rolled out and Healthy at its head; #2 pushed again after its rollout. */
  function setting(group: string, groupFiles: Record<string, string>): { context: RepositoryContext; written: CheckRunOutput[] } {
    const written: CheckRunOutput[] = [];
    const files: Record<string, Record<string, string>> = {
      main: { '.gradual.yml': policy },
      [sha('1')]: { 'apps/web.yaml': 'web v2' },
      [sha('2')]: { 'apps/api.yaml': 'api v3' },
      [group]: groupFiles,
    };
    const github = {
      readFile: (path: string, ref = 'main') => Promise.resolve(files[ref]?.[path]),
      commitsBetween: () => Promise.resolve(group === sha('9') ? [sha('1'), sha('2'), group] : [sha('1'), group]),
      openPullRequests: () =>
        Promise.resolve([
          { number: 1, headSha: sha('1') },
          { number: 2, headSha: sha('2') },
          { number: 3, headSha: sha('3') },
        ]),
      changedFiles: (number: number) => Promise.resolve(number === 1 ? ['apps/web.yaml'] : ['apps/api.yaml']),
      upsertCheckRun: (_head: string, output: CheckRunOutput) => {
        written.push(output);
        return Promise.resolve(written.length);
      },
    } as unknown as GithubPort;
    const context = {
      github,
      repository: { owner: 'acme', repo: 'shop' },
      installationId: 1,
      log: createLogger({ level: 'silent' }),
      gitHeaders: () => Promise.resolve({}),
    };
    return { context, written };
  }
  const rolloutsOf: RolloutsOf = (_repository, number) =>
    number === 1
      ? [{ rollout: healthy, origin: { headSha: sha('1') } }]
      : number === 2
        ? [{ rollout: { ...healthy, metadata: { namespace: 'shop', name: 'api' } }, origin: { headSha: sha('8') } }]
        : [];

  it('two queued, one changed after its rollout: every check on the group head fails naming it; without it the group passes', async () => {
    const both = setting(sha('9'), { 'apps/web.yaml': 'web v2', 'apps/api.yaml': 'api v3' });
    const verdict = await reportMergeGroup(both.context, services, rolloutsOf, {
      headSha: sha('9'),
      baseSha: sha('0'),
      baseRef: 'refs/heads/main',
      defaultBranch: 'main',
    });
    expect(verdict.failing.map((entry) => entry.number)).toEqual([2]);
    expect(both.written.map((output) => [output.name, output.conclusion])).toEqual([
      [mergeGroupCheckName, 'failure'],
      ['gradual/rollout shop/web', 'failure'],
      ['gradual/rollout shop/api', 'failure'],
    ]);
    expect(both.written[0]?.summary).toContain('#2: its manifests changed after its rollout');

    const alone = setting(sha('7'), { 'apps/web.yaml': 'web v2' });
    const passed = await reportMergeGroup(alone.context, services, rolloutsOf, {
      headSha: sha('7'),
      baseSha: sha('0'),
      baseRef: 'refs/heads/main',
      defaultBranch: 'main',
    });
    expect(passed.conclusion).toBe('success');
    expect(alone.written.map((output) => [output.name, output.conclusion])).toEqual([
      [mergeGroupCheckName, 'success'],
      ['gradual/rollout shop/web', 'success'],
    ]);
  });

  it('a group that merges other content than a pull request rolled out fails naming it (the hostile case: the rolled-out head is not what merges)', async () => {
    const tampered = setting(sha('7'), { 'apps/web.yaml': 'web v2 plus something else' });
    const verdict = await reportMergeGroup(tampered.context, services, rolloutsOf, {
      headSha: sha('7'),
      baseSha: sha('0'),
      baseRef: 'refs/heads/main',
      defaultBranch: 'main',
    });
    expect(verdict.failing).toEqual([{ number: 1, reason: 'the group merges other manifests than it rolled out (`apps/web.yaml`)' }]);
  });
});
