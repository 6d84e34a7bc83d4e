import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRunSchema } from '../../src/api/index.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { testCluster } from './support/test-cluster.js';

// The planted-secret sweep on the failure paths, over every process's log: `gradual start`
// (the engine, the AnalysisRun controller, the bot and its read-only dashboard, in one
// process) and `gradual dashboard --enable-actions`. A provider that answers 401 or 503
// and echoes the credential it got, one that redirects to another loopback host with the
// token in the query, a header that is not a valid header value, a GitHub that answers 404
// to the bot; then no log line may hold the token in any encoding, nor the app key, the
// webhook secret, the dashboard's token or a GitHub credential. Only the logs are asserted
// here: what the runs and check runs show is the web provider's part.
const cluster = testCluster('secret-sweep');
const { namespace, core, custom } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
/** What the AnalysisRuns send as a header and in a URL: it must appear in no log. */
const plantedToken = 'planted-sweep-token-8e41c07b3d';
const dashboardToken = 'dashboard-sweep-token-52f0c9a1e7';

interface Running {
  child: ChildProcess;
  log: string[];
}

let github: TestGithub;
let provider: Server;
let elsewhere: Server;
let start: Running | undefined;
let dashboard: Running | undefined;
let work: string;
/** The credentials the provider was sent: proof that the token was in the processes' hands (a sweep of a process that never held it proves nothing). */
const providerSaw: string[] = [];

function echo(request: IncomingMessage): string {
  return JSON.stringify({ received: request.headers.authorization ?? '', url: request.url ?? '' });
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv): Running {
  const cli = ownCliInvocation();
  const child = spawn(cli.command, [...cli.args, ...args], {
    cwd: cli.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const log: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return { child, log };
}

async function untilLogged(running: Running, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  await waitUntil(() => Promise.resolve(pattern.test(running.log.join('')) || running.child.exitCode !== null), {
    what,
    timeoutMs: 90_000,
    intervalMs: 100,
  });
  const found = pattern.exec(running.log.join(''));
  if (found === null)
    throw new Error(`${what}: not seen (exit ${String(running.child.exitCode)}); log:\n${running.log.join('').slice(-4000)}`);
  return found;
}

function stop(running: Running | undefined): Promise<void> {
  if (running === undefined || running.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    running.child.once('exit', () => {
      resolve();
    });
    running.child.kill('SIGTERM');
  });
}

async function createRun(name: string, url: string, header: string): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name },
      spec: {
        args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'provider-token', key: 'token' } } }],
        metrics: [
          {
            name: 'probe',
            count: 1,
            consecutiveErrorLimit: 0,
            successCondition: 'result == true',
            provider: { web: { url, headers: [{ key: 'Authorization', value: header }], jsonPath: '{$.ok}' } },
          },
        ],
      },
    },
  });
}

async function untilMeasured(name: string): Promise<string> {
  let phase = '';
  await waitUntil(
    async () => {
      const run = analysisRunSchema.parse(await custom.getNamespacedCustomObject({ ...api, name }));
      phase = run.status?.phase ?? '';
      return (
        (run.status?.metricResults?.[0]?.measurements?.length ?? 0) >= 1 &&
        ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(phase)
      );
    },
    { what: `AnalysisRun ${name} to finish its measurement`, timeoutMs: 90_000, intervalMs: 200 },
  );
  return phase;
}

function postAction(url: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: 'POST', headers }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(response.statusCode ?? 0);
      });
    });
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gradual-sweep-'));
  await cluster.setUp();
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'provider-token' }, stringData: { token: plantedToken } } });
  // Another loopback host, the target of the redirect: it echoes too.
  elsewhere = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(echo(request));
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
  const elsewherePort = (elsewhere.address() as AddressInfo).port;
  provider = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://provider.invalid').pathname;
    providerSaw.push(`${path} ${request.headers.authorization ?? ''}`);
    if (path === '/unauthorized')
      response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${request.headers.authorization ?? ''}"` })
        .end(echo(request));
    else if (path === '/unavailable')
      response
        .writeHead(503, { 'content-type': 'text/plain' })
        .end(`upstream down; you sent ${request.headers.authorization ?? ''} to ${request.url ?? ''}`);
    else if (path === '/redirect')
      response
        .writeHead(302, { location: `http://127.0.0.2:${String(elsewherePort)}/landing?token=${encodeURIComponent(plantedToken)}` })
        .end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end(echo(request));
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));

  github = await startTestGithub({});
  const configFile = join(work, 'gradual.yaml');
  await writeFile(
    configFile,
    `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: acme/*\n    environments: { '*': local }\ncacheDir: ${join(work, 'clones')}\n`,
  );
  start = spawnLogged(
    [
      'start',
      '--config',
      configFile,
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--namespace',
      namespace,
      '--no-leader-elect',
      '--healthz-port',
      '0',
      '--metrics-port',
      '0',
      '--dashboard-port',
      '0',
    ],
    {
      APP_ID: String(github.appId),
      PRIVATE_KEY: github.privateKey,
      WEBHOOK_SECRET: github.webhookSecret,
      GHE_HOST: new URL(github.server.url).host,
      GHE_PROTOCOL: 'http',
      PORT: '0',
      HOST: '127.0.0.1',
      // Every line the processes can write is swept.
      GRADUAL_LOG_LEVEL: 'debug',
    },
  );
  const tokenFile = join(work, 'dashboard-token');
  await writeFile(tokenFile, `${dashboardToken}\n`, { mode: 0o600 });
  dashboard = spawnLogged(
    ['dashboard', '--kubeconfig', cluster.kubeconfigPath, '-n', namespace, '--port', '0', '--enable-actions', '--token-file', tokenFile],
    { GRADUAL_LOG_LEVEL: 'debug' },
  );
}, 180_000);

afterAll(async () => {
  await stop(start);
  await stop(dashboard);
  await (github as TestGithub | undefined)?.stop();
  await cluster.tearDown();
  for (const server of [provider, elsewhere] as (Server | undefined)[]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else
        server.close(() => {
          resolve();
        });
    });
  }
});

describe('the planted-secret sweep on failure paths, every process', { timeout: 240_000 }, () => {
  it('drives the provider failures: 401, 503, a redirect to another loopback host, an invalid header value', async () => {
    const base = `http://127.0.0.1:${String((provider.address() as AddressInfo).port)}`;
    await untilLogged(start as Running, /"msg":"bot listening"/u, 'gradual start to listen');
    await createRun('unauthorized', `${base}/unauthorized?key={{args.token}}`, 'Bearer {{args.token}}');
    await createRun('unavailable', `${base}/unavailable/{{args.token}}`, 'Bearer {{args.token}}');
    await createRun('redirect', `${base}/redirect`, 'Bearer {{args.token}}');
    await createRun('invalid-header', `${base}/ok`, 'Bearer {{args.token}}\r\nX-Injected: {{args.token}}');
    const phases = [
      await untilMeasured('unauthorized'),
      await untilMeasured('unavailable'),
      await untilMeasured('redirect'),
      await untilMeasured('invalid-header'),
    ];
    // None of them can succeed: a 401, a 503, a body on another host (or a refused redirect), a header refused.
    expect(phases.every((phase) => phase !== 'Successful' && phase !== '')).toBe(true);
    expect(providerSaw).toContain(`/unauthorized Bearer ${plantedToken}`);
    expect(providerSaw).toContain(`/unavailable/${plantedToken} Bearer ${plantedToken}`);
  });

  it('drives a GitHub 4xx: a signed webhook for an installation the GitHub does not know', async () => {
    const url =
      (
        await untilLogged(
          start as Running,
          /"url":"(http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks)"[^\n]*"msg":"bot listening"/u,
          'the bot URL',
        )
      )[1] ?? '';
    const body = JSON.stringify({
      action: 'created',
      installation: { id: 987_654 },
      repository: {
        id: 1,
        name: 'sweep',
        full_name: 'acme/sweep',
        owner: { login: 'acme', id: 2, type: 'Organization' },
        default_branch: 'main',
        private: false,
      },
      sender: { login: 'mallory', id: 3, type: 'User' },
      issue: {
        number: 1,
        title: 'x',
        state: 'open',
        user: { login: 'mallory', id: 3, type: 'User' },
        pull_request: { url: 'http://x.invalid' },
      },
      comment: {
        id: 4,
        body: '/promote',
        user: { login: 'mallory', id: 3, type: 'User' },
        author_association: 'NONE',
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      },
    });
    const signature = `sha256=${createHmac('sha256', github.webhookSecret).update(body).digest('hex')}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': 'sweep-4xx',
        'x-hub-signature-256': signature,
      },
      body,
    });
    expect(response.status).toBeGreaterThanOrEqual(200);
    // The bot met GitHub's 4xx (the installation token is refused) and logged it.
    await untilLogged(
      start as Running,
      /sweep-4xx[^\n]*"level":(40|50)|"level":(40|50)[^\n]*sweep-4xx/u,
      'the bot to log the failed delivery',
    );
  });

  it('drives the dashboard refusals: no token, a wrong one, a namespace not served, a foreign Host', async () => {
    const url = (await untilLogged(dashboard as Running, /dashboard: (http:\/\/127\.0\.0\.1:\d+)/u, 'the dashboard URL'))[1] ?? '';
    const headers = { 'x-gradual-action': 'abort', origin: url, 'sec-fetch-site': 'same-origin' };
    expect(await postAction(url, `/api/rollouts/${namespace}/web/actions/abort`, headers)).toBe(401);
    expect(
      await postAction(url, `/api/rollouts/${namespace}/web/actions/abort`, { ...headers, authorization: `Bearer ${dashboardToken}x` }),
    ).toBe(401);
    expect(
      await postAction(url, '/api/rollouts/kube-system/web/actions/abort', { ...headers, authorization: `Bearer ${dashboardToken}` }),
    ).toBe(403);
    expect(
      await postAction(url, `/api/rollouts/${namespace}/web/actions/abort`, {
        ...headers,
        host: `rebound.example:${new URL(url).port}`,
        authorization: `Bearer ${dashboardToken}`,
      }),
    ).toBe(421);
    // The dashboard prints the URL it serves, not the token it was given.
    await untilLogged(dashboard as Running, /"msg":"action refused"/u, 'the dashboard to log a refusal');
  });

  it('no process logged a secret, in any encoding', async () => {
    await stop(start);
    await stop(dashboard);
    const logs = { 'gradual start': (start as Running).log.join(''), 'gradual dashboard': (dashboard as Running).log.join('') };
    const keyLines = github.privateKey.split('\n').filter((line) => line.length > 16 && !line.startsWith('-----'));
    const secrets = [
      plantedToken,
      encodeURIComponent(plantedToken),
      Buffer.from(plantedToken).toString('base64'),
      Buffer.from(plantedToken).toString('base64url'),
      github.webhookSecret,
      dashboardToken,
      ...keyLines,
    ];
    const figures: string[] = [];
    for (const [name, log] of Object.entries(logs)) {
      figures.push(`${name}: ${String(log.split('\n').length)} lines, ${String(log.length)} bytes`);
      expect(log.length, `${name} wrote nothing`).toBeGreaterThan(200);
      for (const secret of secrets) expect(log.includes(secret), `a secret (${secret.slice(0, 6)}…) in the log of ${name}`).toBe(false);
      // A GitHub App JWT (the bot's credential towards GitHub) or an installation token.
      expect(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/u.test(log), `a JWT in the log of ${name}`).toBe(false);
      expect(/ghs_[A-Za-z0-9]{20,}/u.test(log), `an installation token in the log of ${name}`).toBe(false);
    }
    // The failure paths were really logged (a sweep of an empty log proves nothing).
    expect(logs['gradual start']).toMatch(/sweep-4xx/u);
    expect(logs['gradual dashboard']).toMatch(/action refused/u);
    expect(logs['gradual dashboard']).toMatch(/request for a host not served/u);
    // Kept for a post-mortem beside the test's other files.
    await writeFile(join(work, 'gradual-start.log'), logs['gradual start']);
    await writeFile(join(work, 'gradual-dashboard.log'), logs['gradual dashboard']);
    process.stdout.write(`secret sweep: ${figures.join('; ')} (logs in ${work})\n`);
  });
});
