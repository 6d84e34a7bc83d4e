import { createRequire } from 'node:module';
import type { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeQueue, openPullRequest, personOctokit, pushBranch, type Person } from './person.js';
import { seedPerson } from './seed.js';
import type { TestGithub } from './testing.js';
import { startGithubWithRepository } from './testing-calls.js';
import { shapeDifferences } from './webhook-shape.js';

/**
 * The merge queue (README, "GitHub's rules"; merge-queue.ts): groups on
 * `gh-readonly-queue/<base>/pr-<n>-<parent>` branches, `merge_group`
 * webhooks, the base branch's required checks read on the group's head, a
 * passing first group fast-forwarding the base, a failing one leaving the
 * queue and the groups after it built again.
 */

const owner = 'acme';
const repo = 'queued';
let github: TestGithub;
let alice: Person;
let bob: Person;
let app: Octokit;

interface Group {
  action: string;
  reason?: string;
  merge_group: { head_sha: string; head_ref: string; base_sha: string; base_ref: string; head_commit: { id: string; message: string } };
}

/** The merge_group deliveries since the given delivery id, in order. */
function groupDeliveries(since: number): Group[] {
  return github.server
    .state()
    .deliveries.filter((delivery) => delivery.id > since && delivery.event === 'merge_group')
    .map((delivery) => JSON.parse(delivery.body) as Group);
}

function lastDelivery(): number {
  return github.server.state().deliveries.at(-1)?.id ?? 0;
}

async function ci(sha: string, conclusion: 'success' | 'failure'): Promise<void> {
  await app.rest.checks.create({ owner, repo, head_sha: sha, name: 'ci', status: 'completed', conclusion });
  await github.server.idle();
}

async function branches(): Promise<Record<string, string>> {
  const listed = await app.paginate(app.rest.repos.listBranches, { owner, repo, per_page: 100 });
  return Object.fromEntries(listed.map((branch) => [branch.name, branch.commit.sha]));
}

async function fileAt(ref: string, path: string): Promise<boolean> {
  return app.rest.repos.getContent({ owner, repo, path, ref }).then(
    () => true,
    () => false,
  );
}

let heads: Record<number, string> = {};

beforeAll(async () => {
  let people;
  ({ github, app, people } = await startGithubWithRepository({
    owner,
    repo,
    files: { 'README.md': '# queued\n' },
    people: { bob: 'write' },
  }));
  ({ alice, bob } = people);
  await personOctokit(alice).rest.repos.createRepoRuleset({
    owner,
    repo,
    name: 'queue',
    enforcement: 'active',
    target: 'branch',
    conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    rules: [
      { type: 'merge_queue' },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: 'ci', integration_id: github.appId }],
        },
      },
    ],
  });
  for (const number of [1, 2, 3]) {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: `change-${String(number)}`,
      files: { [`file-${String(number)}.txt`]: `${String(number)}\n` },
      message: `file ${String(number)}`,
    });
    expect(await openPullRequest(bob, { owner, repo, head: `change-${String(number)}`, title: `Change ${String(number)}` })).toBe(number);
    heads = { ...heads, [number]: sha };
  }
}, 60_000);

afterAll(async () => {
  expect(github.violations).toEqual([]);
  await github.stop();
});

describe('the merge queue', () => {
  it('with a merge_queue rule a direct merge is a rule violation (405), and only a pull request that meets the requirements is queued', async () => {
    const direct = await personOctokit(alice)
      .rest.pulls.merge({ owner, repo, pull_number: 1 })
      .then(
        () => undefined,
        (error: unknown) => error as { status: number; message: string },
      );
    expect(direct?.status).toBe(405);
    expect(direct?.message).toContain('Changes must be made through the merge queue');
    // The required check has not passed on the pull request yet.
    await expect(mergeQueue(bob, { owner, repo, number: 1, action: 'enqueue' })).rejects.toThrow(
      /422 .*Repository rule violations found Required status check "ci" is expected/u,
    );
    // A person without write access may not queue.
    const reader = await github.server.update((state) =>
      seedPerson(state, { login: 'rita', role: 'read', repository: { owner, name: repo }, now: new Date() }),
    );
    await expect(
      mergeQueue({ login: 'rita', token: reader, apiUrl: github.server.url }, { owner, repo, number: 1, action: 'enqueue' }),
    ).rejects.toThrow(/403/u);
    expect(github.server.state().mergeQueue ?? []).toEqual([]);
  });

  it('queued pull requests get chained groups and checks_requested; removing one rebuilds the groups after it', async () => {
    for (const number of [1, 2, 3]) await ci(heads[number] ?? '', 'success');
    const main = (await branches())['main'] ?? '';
    const since = lastDelivery();
    expect(await mergeQueue(bob, { owner, repo, number: 1, action: 'enqueue' })).toEqual([1]);
    expect(await mergeQueue(bob, { owner, repo, number: 2, action: 'enqueue' })).toEqual([1, 2]);
    expect(await mergeQueue(bob, { owner, repo, number: 3, action: 'enqueue' })).toEqual([1, 2, 3]);
    await expect(mergeQueue(bob, { owner, repo, number: 3, action: 'enqueue' })).rejects.toThrow(/already in the merge queue/u);
    await github.server.idle();
    const requested = groupDeliveries(since);
    expect(requested.map((group) => group.action)).toEqual(['checks_requested', 'checks_requested', 'checks_requested']);
    const [one, two, three] = requested.map((group) => group.merge_group);
    expect(one?.base_sha).toBe(main);
    expect(two?.base_sha).toBe(one?.head_sha);
    expect(three?.base_sha).toBe(two?.head_sha);
    expect(one?.base_ref).toBe('refs/heads/main');
    expect(one?.head_ref).toBe(`refs/heads/gh-readonly-queue/main/pr-1-${main}`);
    expect(one?.head_commit.id).toBe(one?.head_sha);
    expect(one?.head_commit.message).toMatch(/^Merge pull request #1 from acme\/change-1/u);
    // Each group holds the base and every pull request up to its own.
    expect(await fileAt(three?.head_sha ?? '', 'file-1.txt')).toBe(true);
    expect(await fileAt(three?.head_sha ?? '', 'file-2.txt')).toBe(true);
    expect(await fileAt(three?.head_sha ?? '', 'file-3.txt')).toBe(true);
    expect(await fileAt(one?.head_sha ?? '', 'file-2.txt')).toBe(false);
    expect(Object.keys(await branches()).filter((name) => name.startsWith('gh-readonly-queue/'))).toHaveLength(3);

    const before = lastDelivery();
    expect(await mergeQueue(bob, { owner, repo, number: 2, action: 'dequeue' })).toEqual([1, 3]);
    await github.server.idle();
    const after = groupDeliveries(before);
    expect(after.map((group) => `${group.action}${group.reason === undefined ? '' : `:${group.reason}`}`)).toEqual([
      'destroyed:dequeued',
      'destroyed:invalidated',
      'checks_requested',
    ]);
    expect(after[0]?.merge_group.head_sha).toBe(two?.head_sha);
    expect(after[1]?.merge_group.head_sha).toBe(three?.head_sha);
    // The new group of #3 is built on #1's group, without #2.
    expect(after[2]?.merge_group.base_sha).toBe(one?.head_sha);
    expect(await fileAt(after[2]?.merge_group.head_sha ?? '', 'file-2.txt')).toBe(false);
    expect(Object.keys(await branches()).filter((name) => name.startsWith('gh-readonly-queue/'))).toHaveLength(2);
  });

  it('a failing required check on the first group takes its pull request out; a passing one fast-forwards the base and merges the pull request', async () => {
    const queue = github.server.state().mergeQueue ?? [];
    const first = queue[0]?.group?.headSha ?? '';
    const since = lastDelivery();
    await ci(first, 'failure');
    const failed = groupDeliveries(since);
    expect(failed.map((group) => `${group.action}${group.reason === undefined ? '' : `:${group.reason}`}`)).toEqual([
      'destroyed:dequeued',
      'destroyed:invalidated',
      'checks_requested',
    ]);
    const pulls = personOctokit(alice).rest.pulls;
    expect((await pulls.get({ owner, repo, pull_number: 1 })).data).toMatchObject({ state: 'open', merged: false });
    const main = (await branches())['main'];
    const rebuilt = failed[2]?.merge_group;
    expect(rebuilt?.base_sha).toBe(main);

    const merging = lastDelivery();
    await ci(rebuilt?.head_sha ?? '', 'success');
    expect(groupDeliveries(merging).map((group) => `${group.action}:${group.reason ?? ''}`)).toEqual(['destroyed:merged']);
    expect((await branches())['main']).toBe(rebuilt?.head_sha);
    const merged = (await pulls.get({ owner, repo, pull_number: 3 })).data;
    expect(merged).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: rebuilt?.head_sha });
    expect(Object.keys(await branches()).filter((name) => name.startsWith('gh-readonly-queue/'))).toEqual([]);
    expect(github.server.state().mergeQueue).toEqual([]);
    const events = github.server
      .state()
      .deliveries.filter((delivery) => delivery.id > merging)
      .map((delivery) => `${delivery.event}.${delivery.action ?? ''}`);
    expect(events).toContain('pull_request.closed');
    expect(events).toContain('push.');
  });

  it("every merge_group delivery has the shape of GitHub's published checks_requested example", () => {
    const examples = (
      createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[]
    )
      .filter((entry) => entry.name === 'merge_group')
      .flatMap((entry) => entry.examples);
    expect(examples.length).toBeGreaterThan(0);
    const sent = github.server
      .state()
      .deliveries.filter((delivery) => delivery.event === 'merge_group')
      .map((delivery) => JSON.parse(delivery.body) as Record<string, unknown>);
    expect(sent.map((payload) => payload['action'])).toEqual(expect.arrayContaining(['checks_requested', 'destroyed']));
    // The published examples are all checks_requested; destroyed is the same group plus `reason` (checked by the webhook schema).
    for (const payload of sent) {
      const example = examples.find((candidate) => candidate['action'] === 'checks_requested') ?? {};
      expect(shapeDifferences({ ...example, action: payload['action'] }, payload)).toEqual([]);
    }
  });

  it('hostile: without a token the queue is refused (401); a person’s commit status named like the required check does not pass a group the app must check', async () => {
    const anonymous = await fetch(`${github.server.url}/_local/repos/${owner}/${repo}/pulls/1/merge-queue`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    await mergeQueue(bob, { owner, repo, number: 1, action: 'enqueue' });
    const group = github.server.state().mergeQueue?.[0]?.group?.headSha ?? '';
    await personOctokit(alice).rest.repos.createCommitStatus({
      owner,
      repo,
      sha: group,
      state: 'success',
      context: 'ci',
    });
    await github.server.idle();
    // The ruleset names the app (integration_id): alice's status neither merges the group nor takes it out.
    expect(github.server.state().mergeQueue?.map((entry) => [entry.pullNumber, entry.group?.headSha])).toEqual([[1, group]]);
    expect(await mergeQueue(bob, { owner, repo, number: 1, action: 'dequeue' })).toEqual([]);
    await github.server.idle();
  });

  it('the pull page offers "Merge when ready" where the queue is required, and "Remove from queue" with the position once queued', async () => {
    const page = async (): Promise<string> => (await fetch(`${github.server.url}/${owner}/${repo}/pull/1?as=bob`)).text();
    expect(await page()).toMatch(/<button id="merge" data-queue="enqueue" >Merge when ready<\/button>/u);
    await mergeQueue(bob, { owner, repo, number: 1, action: 'enqueue' });
    const queued = await page();
    expect(queued).toContain('Queued: 1 of 1 in the merge queue.');
    expect(queued).toContain('data-queue="dequeue">Remove from queue</button>');
    expect(await mergeQueue(bob, { owner, repo, number: 1, action: 'dequeue' })).toEqual([]);
    await github.server.idle();
  });

  it('a push to a queued pull request takes it out of the queue (its group destroyed)', async () => {
    await ci(heads[1] ?? '', 'success');
    expect(await mergeQueue(bob, { owner, repo, number: 1, action: 'enqueue' })).toEqual([1]);
    await github.server.idle();
    const since = lastDelivery();
    await pushBranch(bob, { owner, repo, branch: 'change-1', files: { 'file-1.txt': 'changed\n' }, message: 'file 1 again' });
    await github.server.idle();
    expect(groupDeliveries(since).map((group) => `${group.action}:${group.reason ?? ''}`)).toEqual(['destroyed:dequeued']);
    expect(github.server.state().mergeQueue).toEqual([]);
  });
});
