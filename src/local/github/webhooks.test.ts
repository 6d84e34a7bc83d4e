import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { verify } from '@octokit/webhooks-methods';
import type { Octokit } from '@octokit/rest';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedWebhook, TestGithub } from './testing.js';
import { appOctokit, startGithubWithPullRequest } from './testing-calls.js';

const owner = 'acme';
const repo = 'deploys';
const headSha = 'c'.repeat(40);

let github: TestGithub;
let octokit: Octokit;

/** An independent validator over @octokit/webhooks-schemas, so the test does not trust the server's own check. */
function schemaValidator(): (event: string, action: string, payload: unknown) => boolean {
  const schema = JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-schemas/schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false });
  formatsPlugin.default(ajv);
  ajv.addSchema({ $id: 'webhooks', definitions: schema['definitions'] });
  return (event, action, payload) => {
    const validate = ajv.getSchema(`webhooks#/definitions/${encodeURIComponent(`${event}$${action}`)}`);
    if (validate === undefined) throw new Error(`no schema for ${event}.${action}`);
    return validate(payload) === true;
  };
}

function header(webhook: ReceivedWebhook, name: string): string {
  const value = webhook.headers[name];
  return Array.isArray(value) ? value.join(',') : String(value);
}

function eventsOf(received: readonly ReceivedWebhook[]): string[] {
  return received.map((webhook) => `${header(webhook, 'x-github-event')}.${(JSON.parse(webhook.body) as { action: string }).action}`);
}

beforeAll(async () => {
  let installationId;
  ({ github, installationId } = await startGithubWithPullRequest({
    owner,
    repo,
    collaborators: { alice: 'write' },
    title: 'Roll out v4',
    head: { ref: 'v4', sha: headSha },
  }));
  octokit = appOctokit(github, installationId);
}, 60_000);

afterAll(async () => {
  await github.stop();
});

// Each test makes several round trips through the whole pipeline; two loaded cores make that seconds.
describe('webhooks from the local GitHub', { timeout: 30_000 }, () => {
  it('sends issue_comment and check_run events, signed, with payloads that match @octokit/webhooks-schemas', async () => {
    const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'Rollout started' });
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.data.id, body: 'Rollout at 50%' });
    const run = await octokit.rest.checks.create({
      owner,
      repo,
      name: 'gradual/rollout',
      head_sha: headSha,
      status: 'in_progress',
      output: { title: 'Rolling out', summary: '| step | weight |\n| --- | --- |\n| 1 | 20 |' },
      actions: [{ label: 'Abort', description: 'Abort the rollout', identifier: 'abort' }],
    });
    await octokit.rest.checks.update({ owner, repo, check_run_id: run.data.id, conclusion: 'success' });
    await github.server.requestCheckRunAction({ checkRunId: run.data.id, identifier: 'abort', login: 'alice' });
    await octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.data.id });
    await github.server.idle();

    expect(eventsOf(github.received)).toEqual([
      'issue_comment.created',
      'issue_comment.edited',
      'check_run.created',
      'check_run.completed',
      'check_suite.completed',
      'check_run.requested_action',
      'issue_comment.deleted',
    ]);
    const valid = schemaValidator();
    for (const webhook of github.received) {
      expect(header(webhook, 'content-type')).toBe('application/json');
      expect(header(webhook, 'x-github-delivery')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await verify(github.webhookSecret, webhook.body, header(webhook, 'x-hub-signature-256'))).toBe(true);
      const payload = JSON.parse(webhook.body) as { action: string };
      expect(valid(header(webhook, 'x-github-event'), payload.action, payload)).toBe(true);
    }
    const requested = JSON.parse(github.received[5]?.body ?? '{}') as {
      requested_action: { identifier: string };
      sender: { login: string };
      check_run: { id: number };
    };
    expect([requested.requested_action.identifier, requested.sender.login, requested.check_run.id]).toEqual([
      'abort',
      'alice',
      run.data.id,
    ]);
    const created = JSON.parse(github.received[0]?.body ?? '{}') as {
      comment: { body: string };
      issue: { number: number; pull_request: unknown };
      installation: { id: number };
    };
    expect(created.comment.body).toBe('Rollout started');
    expect(created.issue.number).toBe(1);
    expect(created.issue.pull_request).toBeDefined();
    expect(github.violations).toEqual([]);
  });

  it('a tampered body or a wrong secret does not verify', async () => {
    const webhook = github.received[0];
    if (webhook === undefined) throw new Error('no webhook received');
    const signature = header(webhook, 'x-hub-signature-256');
    expect(await verify(github.webhookSecret, webhook.body.replace('Rollout started', 'Rollout stopped'), signature)).toBe(false);
    expect(await verify('another secret', webhook.body, signature)).toBe(false);
  });

  it('keeps a deliveries log and redelivers with the same delivery id and body', async () => {
    const log = github.server.state().deliveries;
    expect(log.map((delivery) => `${delivery.event}.${String(delivery.action)}`)).toEqual(eventsOf(github.received));
    expect(log.every((delivery) => delivery.statusCode === 202)).toBe(true);
    const first = log[0];
    if (first === undefined) throw new Error('empty deliveries log');
    const count = github.received.length;
    const again = await github.server.redeliver(first.id);
    expect(again).toMatchObject({ guid: first.guid, redelivery: true, statusCode: 202 });
    const resent = github.received[count];
    expect(resent?.body).toBe(github.received[0]?.body);
    expect(resent === undefined ? undefined : header(resent, 'x-github-delivery')).toBe(first.guid);
    expect(github.server.state().deliveries).toHaveLength(log.length + 1);
  });

  it("serves the deliveries log and redelivers through GitHub's API (GET /app/hook/deliveries, POST …/attempts)", async () => {
    const asApp = appOctokit(github);
    const listed = await asApp.rest.apps.listWebhookDeliveries({ per_page: 100 });
    expect(listed.data.map((delivery) => delivery.guid)).toEqual(
      [...github.server.state().deliveries].reverse().map((delivery) => delivery.guid),
    );
    const completed = listed.data.find((delivery) => delivery.event === 'check_run' && delivery.action === 'completed');
    if (completed === undefined) throw new Error('no check_run.completed delivery');
    const one = await asApp.rest.apps.getWebhookDelivery({ delivery_id: completed.id });
    expect(one.data.request.payload).toMatchObject({ action: 'completed', check_run: { conclusion: 'success' } });
    const count = github.received.length;
    const accepted = await asApp.rest.apps.redeliverWebhookDelivery({ delivery_id: completed.id });
    expect(accepted.status).toBe(202);
    await github.server.idle();
    const resent = github.received[count];
    expect(resent === undefined ? undefined : header(resent, 'x-github-delivery')).toBe(completed.guid);
    expect(github.server.state().deliveries.at(-1)).toMatchObject({ guid: completed.guid, redelivery: true });
    expect(github.violations).toEqual([]);
  });

  it('sends installation.created when the app is installed on an account, once', async () => {
    const from = github.received.length;
    const id = await github.server.install({ account: 'globex', sender: 'alice' });
    expect(await github.server.install({ account: 'globex' })).toBe(id);
    await github.server.idle();
    const sent = github.received.slice(from);
    expect(eventsOf(sent)).toEqual(['installation.created']);
    const payload = JSON.parse(sent[0]?.body ?? '{}') as {
      installation: { id: number; account: { login: string }; app_id: number };
      sender: { login: string };
    };
    expect([payload.installation.id, payload.installation.account.login, payload.installation.app_id, payload.sender.login]).toEqual([
      id,
      'globex',
      github.appId,
      'alice',
    ]);
    expect(schemaValidator()('installation', 'created', payload)).toBe(true);
    expect(github.violations).toEqual([]);
  });
});
