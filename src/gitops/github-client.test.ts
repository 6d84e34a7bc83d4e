import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { githubClientMetrics, gradualOctokit, observingFetch } from './github-client.js';

// A loopback server answers from a script per path: each request takes the next answer.
const scripts = new Map<string, { status: number; headers?: Record<string, string>; body: unknown }[]>();
const seen: string[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    seen.push(`${request.method ?? ''} ${path}`);
    const next = scripts.get(path)?.shift() ?? { status: 200, body: { ok: true } };
    response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

function client(options: { maxRateLimitRetries?: number } = {}): {
  octokit: InstanceType<ReturnType<typeof gradualOctokit>>;
  registry: Registry;
  lines: string[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination, format: 'json' });
  const registry = new Registry();
  const metrics = githubClientMetrics(registry);
  const Octokit = gradualOctokit({ logger, metrics, retryAfterBaseMs: 5, ...options });
  return { octokit: new Octokit({ baseUrl, request: { fetch: observingFetch(metrics, logger) } }), registry, lines };
}

const secondary = {
  status: 403,
  headers: { 'retry-after': '1' },
  body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
};

async function counter(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return (metric?.values ?? []).map((value) => ({ labels: { ...value.labels } as Record<string, string | number>, value: value.value }));
}

// The throttling plugin spaces writes one second apart (GitHub's advice for content creation), so a test of a few writes takes seconds.
describe('the bot’s GitHub client (throttling and retry plugins)', { timeout: 30_000 }, () => {
  it('a secondary rate limit with retry-after is waited for and retried: the write lands once, logged and counted', async () => {
    const path = '/repos/acme/app/check-runs';
    scripts.set(path, [secondary, { ...secondary, status: 429 }, { status: 201, body: { id: 7 } }]);
    const { octokit, registry, lines } = client();
    const before = seen.length;
    const created = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: 'acme',
      repo: 'app',
      name: 'x',
      head_sha: 'a'.repeat(40),
    });
    expect(created.status).toBe(201);
    expect(seen.slice(before)).toEqual([`POST ${path}`, `POST ${path}`, `POST ${path}`]);
    expect(await counter(registry, 'gradual_github_rate_limited_total')).toEqual([
      { labels: { kind: 'secondary', route: 'POST /repos/{owner}/{repo}/check-runs' }, value: 2 },
    ]);
    expect(lines.filter((line) => line.includes('secondary rate limit; waiting retry-after and retrying'))).toHaveLength(2);
  });

  it('a secondary rate limit that does not lift fails after the retries allowed (not forever)', async () => {
    const path = '/repos/acme/app/issues/1/comments';
    scripts.set(path, [secondary, secondary, secondary, secondary]);
    const { octokit, lines } = client({ maxRateLimitRetries: 2 });
    const failed = await octokit
      .request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'app', issue_number: 1, body: 'hi' })
      .then(
        () => undefined,
        (error: unknown) => (error as { status: number }).status,
      );
    expect(failed).toBe(403);
    expect(scripts.get(path)).toHaveLength(1);
    expect(lines.some((line) => line.includes('giving up'))).toBe(true);
  });

  it('a transient 502 is retried and counted; a 422 or 405 (GitHub’s decision) is not retried', async () => {
    const transientPath = '/repos/acme/app/pulls/2';
    scripts.set(transientPath, [
      { status: 502, body: { message: 'Server Error' } },
      { status: 200, body: { number: 2 } },
    ]);
    const { octokit, registry, lines } = client();
    const pull = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'app', pull_number: 2 });
    expect(pull.data).toEqual({ number: 2 });
    expect(await counter(registry, 'gradual_github_transient_errors_total')).toEqual([{ labels: { status: '502' }, value: 1 }]);
    expect(lines.some((line) => line.includes('transient error'))).toBe(true);

    for (const status of [405, 422]) {
      const path = `/repos/acme/app/pulls/${String(status)}/merge`;
      scripts.set(path, [
        { status, body: { message: 'refused' } },
        { status: 200, body: { merged: true } },
      ]);
      const refused = await octokit
        .request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', { owner: 'acme', repo: 'app', pull_number: status })
        .then(
          () => undefined,
          (error: unknown) => (error as { status: number }).status,
        );
      expect(refused).toBe(status);
      expect(scripts.get(path)).toHaveLength(1);
    }
  });
});
