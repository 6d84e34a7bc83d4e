import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { ApiException } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestClient, RestRequest } from '../kube/index.js';
import { seedInstallation, seedPullRequest, seedRepository } from '../local/github/seed.js';
import { startTestGithub, type TestGithub } from '../local/github/testing.js';
import { createLogger } from '../log/index.js';
import { outboundPolicy, systemConnect, type ConnectTarget } from '../providers/outbound/outbound-request.js';
import { parseNotificationConfig, type ServiceConfig } from './config.js';
import { createNotifier } from './notifier.js';
import { planNotifications, type TransitionEvent } from './plan-notifications.js';
import { repositoryOf, truncate } from './send-github.js';
import { sendNotification } from './send-notification.js';

/*
 * The GitHub service against the local GitHub (src/local/github, in process on loopback): the app's
 * JWT exchanged for an installation token, a commit status and a pull request comment written with
 * the rendered template, GitHub's refusals answered as failed sends, and the private key nowhere.
 */

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
let github: TestGithub;
let installationId = 0;
/** GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY"), what Argo's docs put in the Secret. */
let pkcs1Key = '';
/** A key GitHub does not know (not the app's). */
let otherKey = '';

beforeAll(async () => {
  github = await startTestGithub();
  pkcs1Key = createPrivateKey(github.privateKey).export({ type: 'pkcs1', format: 'pem' }).toString();
  otherKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  installationId = await github.server.update((state) => {
    const now = new Date('2026-12-07T12:00:00Z');
    const installation = seedInstallation(state, 'acme', now);
    const repository = seedRepository(state, { owner: 'acme', name: 'shop', now });
    seedPullRequest(state, { repositoryId: repository.id, title: 'Roll out v2', user: 'alice', head: { ref: 'v2', sha: SHA }, now });
    return installation.id;
  });
  // Two RSA keys made on a busy machine.
}, 120_000);

afterAll(async () => {
  await github.stop();
});

/** The ConfigMap as an Argo Rollouts user writes it, the key from the Secret. */
function configMap(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'service.github': `appID: ${String(github.appId)}\ninstallationID: "${String(installationId)}"\nprivateKey: $github-privateKey\nenterpriseBaseURL: ${github.server.url}/api/v3\n`,
    'trigger.on-rollout-aborted': '- send: [rollout-aborted-github]\n',
    'template.rollout-aborted-github': [
      'message: Rollout {{.rollout.metadata.name}} has been aborted.',
      'github:',
      '  repoURLPath: "{{index .rollout.metadata.annotations \\"example.com/repo\\"}}"',
      '  revisionPath: "{{index .rollout.metadata.annotations \\"example.com/revision\\"}}"',
      '  status:',
      '    state: failure',
      '    label: "continuous-delivery/{{.rollout.metadata.name}}"',
      '    targetURL: "https://rollouts.example.com/rollouts/{{.rollout.metadata.namespace}}/{{.rollout.metadata.name}}"',
      '  pullRequestComment:',
      '    content: |',
      '      Rollout {{.rollout.metadata.name}} was aborted at step {{.rollout.status.currentStepIndex}}.',
      '',
    ].join('\n'),
    ...overrides,
  };
}

const rollout = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'uid-1',
    annotations: {
      'notifications.argoproj.io/subscribe.on-rollout-aborted.github': '',
      'example.com/repo': 'https://github.com/acme/shop.git',
      'example.com/revision': SHA,
    },
  },
  status: { phase: 'Degraded', currentStepIndex: 2 },
};
const aborted: TransitionEvent = { type: 'Warning', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' };

function planned(
  data: Record<string, string>,
  secret: Record<string, string>,
): { service: ServiceConfig; send: ReturnType<typeof planNotifications>['sends'][number] } {
  const parsed = parseNotificationConfig(data, secret);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const plan = planNotifications({ config: parsed.config, rollout, previousStatus: rollout.status, events: [aborted], notified: {} });
  const [send] = plan.sends;
  const service = parsed.config.services.get('github');
  if (send === undefined || service === undefined) throw new Error(`nothing planned: ${JSON.stringify(plan.problems)}`);
  return { service, send };
}

const policy = outboundPolicy();

describe('the GitHub notification service', { timeout: 60_000 }, () => {
  it('sets a commit status and comments on the pull request with the rendered template, as the app installation', async () => {
    const { service, send } = planned(configMap(), { 'github-privateKey': pkcs1Key });
    const since = github.server.requestLog().length;
    const result = await sendNotification(service, send.destination, send.notification, { policy, timeoutMs: 10_000 });
    expect(result).toEqual({ ok: true });
    const state = github.server.state();
    const status = state.statuses.find((candidate) => candidate.sha === SHA && candidate.context === 'continuous-delivery/web');
    expect(status).toMatchObject({
      state: 'failure',
      description: 'Rollout web has been aborted.',
      targetUrl: 'https://rollouts.example.com/rollouts/shop/web',
      creator: `${state.app.slug}[bot]`,
    });
    const comments = state.issueComments.filter((comment) => comment.issueNumber === 1);
    expect(comments.map((comment) => comment.body)).toEqual(['Rollout web was aborted at step 2.\n']);
    expect(comments[0]?.appId).toBe(github.appId);
    // The token exchange went first, with the app's JWT; then the status, the lookup of the pull requests and the comment.
    const routes = github.server
      .requestLog()
      .slice(since)
      .map((entry) => `${entry.method} ${entry.path.replace(/^\/api\/v3/u, '')}`);
    expect(routes).toEqual([
      `POST /app/installations/${String(installationId)}/access_tokens`,
      `POST /repos/acme/shop/statuses/${SHA}`,
      `GET /repos/acme/shop/commits/${SHA}/pulls`,
      'POST /repos/acme/shop/issues/1/comments',
    ]);
    expect(github.violations).toEqual([]);
  });

  it('a comment tag updates the tagged comment instead of adding one (notifications-engine appends the marker twice)', async () => {
    const data = configMap();
    data['template.rollout-aborted-github'] =
      `${data['template.rollout-aborted-github'] ?? ''}    commentTag: "cd/{{.rollout.metadata.name}}"\n`;
    const { service, send } = planned(data, { 'github-privateKey': pkcs1Key });
    const marker = '<!-- argocd-notifications cd/{{.rollout.metadata.name}} -->';
    for (let round = 0; round < 2; round += 1) {
      const result = await sendNotification(service, send.destination, send.notification, { policy, timeoutMs: 10_000 });
      expect(result).toEqual({ ok: true });
    }
    const tagged = github.server.state().issueComments.filter((comment) => comment.body.includes(marker));
    expect(tagged).toHaveLength(1);
    expect(tagged[0]?.body).toBe(`Rollout web was aborted at step 2.\n\n${marker}\n${marker}`);
  });

  it("a status longer than GitHub's 140 characters is truncated as notifications-engine does; the local GitHub refuses a longer one", async () => {
    expect(truncate('é'.repeat(141), 140)).toBe(`${'é'.repeat(137)}...`);
    expect(truncate('x'.repeat(140), 140)).toBe('x'.repeat(140));
    const data = configMap({
      'template.rollout-aborted-github': (configMap()['template.rollout-aborted-github'] ?? '').replace(
        'has been aborted.',
        '!'.repeat(200),
      ),
    });
    const { service, send } = planned(data, { 'github-privateKey': pkcs1Key });
    expect(await sendNotification(service, send.destination, send.notification, { policy, timeoutMs: 10_000 })).toEqual({ ok: true });
    const refused = await fetch(`${github.server.url}/repos/acme/shop/statuses/${SHA}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await installationToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success', description: 'd'.repeat(141) }),
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('description is too long (maximum is 140 characters)');
  });

  it.each([
    ['https://github.com/acme/shop.git', 'acme/shop'],
    ['https://ghe.example.com/acme/shop/tree/main', 'acme/shop'],
    ['git@github.com:acme/shop.git', 'acme/shop'],
    ['ssh://git@github.com/acme/shop', 'acme/shop'],
    ['acme/shop', 'acme/shop'],
    ['<no value>', undefined],
    ['https://github.com/acme', undefined],
  ])('repository of %s', (url, expected) => {
    const found = repositoryOf(url);
    expect(found === undefined ? undefined : `${found.owner}/${found.repo}`).toBe(expected);
  });

  it("without repoURLPath the default is Argo CD's .app field, which a Rollout does not have: a clear failure, nothing sent", async () => {
    const data = configMap();
    data['template.rollout-aborted-github'] = 'message: aborted\ngithub:\n  status:\n    state: failure\n    label: cd\n';
    const { service, send } = planned(data, { 'github-privateKey': pkcs1Key });
    const since = github.server.requestLog().length;
    const result = await sendNotification(service, send.destination, send.notification, { policy, timeoutMs: 10_000 });
    expect(result).toEqual({
      ok: false,
      message: "github github: GitHub.repoURL (<no value>) does not have a `/` (set the template's github.repoURLPath)",
    });
    expect(github.server.requestLog().length).toBe(since);
  });

  it('a wrong key (401) and an unknown repository (404) are failed sends naming the request and the status, without the key', async () => {
    const wrong = planned(configMap(), { 'github-privateKey': otherKey });
    const unauthorized = await sendNotification(wrong.service, wrong.send.destination, wrong.send.notification, {
      policy,
      timeoutMs: 10_000,
    });
    expect(unauthorized.ok).toBe(false);
    expect(!unauthorized.ok && unauthorized.message).toMatch(/^github github: .*HTTP 401/u);
    expect(JSON.stringify(unauthorized)).not.toContain(otherKey.split('\n')[1] ?? 'unreachable');

    const elsewhere = planned(configMap(), { 'github-privateKey': pkcs1Key });
    const rendered = elsewhere.send.notification.github;
    if (rendered === undefined) throw new Error('no github section rendered');
    const notification = {
      ...elsewhere.send.notification,
      github: { ...rendered, repoURL: 'https://github.com/acme/nope' },
    };
    const missing = await sendNotification(elsewhere.service, elsewhere.send.destination, notification, { policy, timeoutMs: 10_000 });
    expect(missing).toEqual({
      ok: false,
      message: `github github: POST /repos/acme/nope/statuses/${SHA} answered HTTP 404: Not Found`,
    });
  });

  it('an enterpriseBaseURL resolving to a metadata address is refused before any socket', async () => {
    const connects: ConnectTarget[] = [];
    const guarded = outboundPolicy({
      lookup: (hostname) => Promise.resolve(hostname === 'ghe.internal' ? [{ address: '169.254.169.254', family: 4 }] : []),
      connect: (target): Duplex => {
        connects.push(target);
        return systemConnect(target);
      },
    });
    const { service, send } = planned(
      configMap({ 'service.github': `appID: 1\ninstallationID: 2\nprivateKey: $k\nenterpriseBaseURL: http://ghe.internal/api/v3\n` }),
      {
        k: pkcs1Key,
      },
    );
    const result = await sendNotification(service, send.destination, send.notification, { policy: guarded, timeoutMs: 10_000 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(
      /^github github: POST http:\/\/ghe\.internal\/api\/v3\/app\/installations\/2\/access_tokens: .*169\.254\.169\.254/u,
    );
    expect(connects).toEqual([]);
  });

  it('hostile: the private key is in no Event, log line or metric, and a failing GitHub never stalls the caller', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString('utf8'));
          callback();
        },
      }),
    });
    const events: TransitionEvent[] = [];
    const registry = new Registry();
    // The template quotes the key back, as a hostile template author would try: .rollout is all it sees.
    const secret = { 'github-privateKey': otherKey };
    const notifier = createNotifier({
      rest: fakeRest(configMap(), secret),
      logger,
      namespace: 'argo-rollouts',
      registry,
      timeoutMs: 10_000,
      recordEvent: (_rollout, event) => events.push(event),
    });
    const before = github.server.requestLog().length;
    notifier.notify(rollout, rollout.status, [aborted]);
    // Synchronous return: nothing has been asked of GitHub yet.
    expect(github.server.requestLog().length).toBe(before);
    await notifier.idle();
    expect(events.map((event) => [event.type, event.reason])).toEqual([['Warning', 'NotificationFailed']]);
    expect(events[0]?.message).toMatch(/^Notification on-rollout-aborted to github failed: github github: .*HTTP 401/u);
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.find((metric) => metric.name === 'notification_send_error')?.values).toEqual([
      { value: 1, labels: { namespace: 'shop', name: 'web', type: 'Warning', reason: 'RolloutAborted' } },
    ]);
    const everything = [...lines, JSON.stringify(events), await registry.metrics()].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of otherKey.split('\n').filter((keyLine) => keyLine.length >= 16)) expect(everything).not.toContain(line);
  });
});

/** An installation token from the local GitHub, for requests the test makes itself. */
async function installationToken(): Promise<string> {
  const octokit = new ProbotOctokit({
    auth: { appId: github.appId, privateKey: github.privateKey, installationId },
    baseUrl: github.server.url,
  });
  return ((await octokit.auth({ type: 'installation' })) as { token: string }).token;
}

/** The API server as the notifier sees it: the ConfigMap, the Secret (base64 as stored) and a ledger it may write. */
function fakeRest(data: Record<string, string>, secret: Record<string, string>): RestClient {
  let ledger: { data: Record<string, string>; metadata: { resourceVersion: string } } | undefined;
  return {
    request<T>(request: RestRequest): Promise<T> {
      if (request.path.endsWith('/configmaps/argo-rollouts-notification-configmap')) return Promise.resolve({ data } as T);
      if (request.path.endsWith('/secrets/argo-rollouts-notification-secret'))
        return Promise.resolve({
          data: Object.fromEntries(Object.entries(secret).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
        } as T);
      if (request.path.endsWith('/configmaps/gradual-notifications-sent') && request.method === 'GET')
        return ledger === undefined ? Promise.reject(new ApiException(404, 'not found', {}, {})) : Promise.resolve(ledger as T);
      if (request.path.includes('/configmaps')) {
        const body = request.body as { data: Record<string, string> };
        ledger = { data: body.data, metadata: { resourceVersion: '1' } };
        return Promise.resolve(ledger as T);
      }
      return Promise.reject(new Error(`unexpected ${request.method} ${request.path}`));
    },
  };
}
