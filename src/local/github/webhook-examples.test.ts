import { createRequire } from 'node:module';
import type { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, close, comment, merge, openPullRequest, personOctokit, pushBranch, type Person } from './person.js';
import type { TestGithub } from './testing.js';
import { startGithubWithRepository } from './testing-calls.js';
import { shapeDifferences } from './webhook-shape.js';

/**
 * The local GitHub's deliveries against GitHub's published examples
 * (@octokit/webhooks-examples, the payloads GitHub's docs show): for each
 * event and action the stand-in sends, every key of the example is present in
 * the delivery with the same JSON type (webhook-shape.ts). The schemas say
 * what is allowed; the examples say what GitHub really sends, which catches
 * a field the stand-in leaves out because the schema marks it optional.
 */

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];

/** Keys GitHub's example has and the stand-in leaves out on purpose, by `event.action`, with the reason. */
const knownOmissions: Record<string, Record<string, string>> = {
  'installation.created': {
    // The example stamps epoch seconds; the webhook schema allows a date-time string or an integer, and the REST shape the stand-in shares is the string.
    '$.installation.created_at': 'string or integer (schema oneOf)',
    '$.installation.updated_at': 'string or integer (schema oneOf)',
  },
};

const owner = 'acme';
const repo = 'hooks';
let github: TestGithub;
let app: Octokit;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  let people;
  ({ github, app, people } = await startGithubWithRepository({
    owner,
    repo,
    files: { 'apps/web.yaml': 'kind: Rollout\nimage: web:v1\n' },
    people: { bob: 'write' },
  }));
  ({ alice, bob } = people);
}, 60_000);

afterAll(async () => {
  await github.stop();
});

describe('deliveries have the keys and types of GitHub’s published examples', { timeout: 120_000 }, () => {
  it('every event and action the local GitHub sends in a pull request’s life', async () => {
    const sha = await pushBranch(bob, {
      owner,
      repo,
      branch: 'change',
      files: { 'apps/web.yaml': 'kind: Rollout\nimage: web:v2\n' },
      message: 'web v2',
    });
    const number = await openPullRequest(bob, { owner, repo, head: 'change', title: 'web v2' });
    const run = (
      await app.rest.checks.create({
        owner,
        repo,
        name: 'gradual/rollout',
        head_sha: sha,
        status: 'in_progress',
        actions: [{ label: 'Promote', description: 'Next step', identifier: 'promote' }],
      })
    ).data.id;
    await github.server.requestCheckRunAction({ checkRunId: run, identifier: 'promote', login: 'bob' });
    await app.rest.checks.update({ owner, repo, check_run_id: run, status: 'completed', conclusion: 'success' });
    await personOctokit(alice).rest.checks.rerequestRun({ owner, repo, check_run_id: run });
    const said = await comment(bob, { owner, repo, number, body: '/status' });
    await personOctokit(bob).rest.issues.updateComment({ owner, repo, comment_id: said, body: '/status please' });
    await approve(alice, { owner, repo, number });
    const deployment = (
      await app.rest.repos.createDeployment({ owner, repo, ref: sha, environment: 'staging', required_contexts: [], auto_merge: false })
    ).data as { id: number };
    await app.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: 'success',
      log_url: `${github.server.url}/${owner}/${repo}/runs/${String(run)}`,
    });
    await pushBranch(bob, {
      owner,
      repo,
      branch: 'change',
      files: { 'apps/web.yaml': 'kind: Rollout\nimage: web:v3\n' },
      message: 'web v3',
    });
    await merge(alice, { owner, repo, number });
    const other = await openPullRequest(bob, {
      owner,
      repo,
      head: (await pushBranch(bob, { owner, repo, branch: 'other', files: { 'apps/other.yaml': 'x: 1\n' }, message: 'other' }), 'other'),
      title: 'other',
    });
    await close(bob, { owner, repo, number: other });
    await github.server.install({ account: 'bob' });
    await github.server.idle();

    const report: string[] = [];
    const checked = new Set<string>();
    for (const webhook of github.received) {
      const event = String(webhook.headers['x-github-event']);
      const payload = JSON.parse(webhook.body) as Record<string, unknown>;
      const action = typeof payload['action'] === 'string' ? payload['action'] : undefined;
      const key = action === undefined ? event : `${event}.${action}`;
      const published = examples.find((entry) => entry.name === event)?.examples.filter((example) => example['action'] === action) ?? [];
      if (published.length === 0) {
        report.push(`${key}: no published example to compare with`);
        continue;
      }
      // A delivery matches when it has the shape of at least one published example of its event and action.
      const differences = published.map((example) =>
        shapeDifferences(example, payload).filter((difference) => knownOmissions[key]?.[difference.split(':')[0] ?? ''] === undefined),
      );
      const best = differences.reduce((fewest, current) => (current.length < fewest.length ? current : fewest));
      if (best.length > 0) report.push(...best.map((difference) => `${key}: ${difference}`));
      checked.add(key);
    }
    console.log(`webhook examples: ${String(checked.size)} event/actions compared (${[...checked].sort().join(', ')})`);
    expect([...checked]).toEqual(
      expect.arrayContaining([
        'pull_request.opened',
        'pull_request.synchronize',
        'pull_request.closed',
        'issue_comment.created',
        'check_run.created',
        'check_run.completed',
        'check_run.requested_action',
        'push',
        'deployment.created',
        'deployment_status.created',
        'pull_request_review.submitted',
        'installation.created',
      ]),
    );
    expect([...new Set(report)]).toEqual([]);
  });

  it('the comparison finds a missing key (also one whose example value is null: GitHub sends the key), a wrong type and a non-string permission level; null values and extra keys pass', () => {
    const example = { a: 1, b: { c: 'x', d: [{ e: true }] }, n: null, permissions: { checks: 'write' } };
    expect(
      shapeDifferences(example, { a: 2, b: { c: 'y', d: [{ e: false }] }, n: 'now', extra: 1, permissions: { issues: 'read' } }),
    ).toEqual([]);
    expect(shapeDifferences(example, { a: '2', b: { d: [{ e: 'yes' }] }, permissions: { issues: 1 } })).toEqual([
      '$.a: string where the example has number',
      '$.b.c: missing',
      '$.b.d[0].e: string where the example has boolean',
      '$.n: missing',
      '$.permissions.issues: number where a permission level (string) belongs',
    ]);
  });
});
