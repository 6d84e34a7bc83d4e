import { describe, expect, it } from 'vitest';
import { initialState } from './initial-state.js';
import { handleLocalRoute, type LocalRouteContext } from './local-routes.js';
import type { GithubState } from './types.js';

function context(): { context: LocalRouteContext; state: GithubState; synced: unknown[]; pressed: unknown[]; installed: unknown[] } {
  const now = new Date('2026-01-01T00:00:00Z');
  const state = initialState({ appId: 1, appSlug: 'gradual', appName: 'Gradual', owner: 'gradual-local', now });
  const synced: unknown[] = [];
  const pressed: unknown[] = [];
  const installed: unknown[] = [];
  return {
    state,
    synced,
    pressed,
    installed,
    context: {
      adminToken: 'secret-admin-token',
      now: () => now,
      syncGit: (request) => {
        synced.push(request);
        return Promise.resolve();
      },
      update: (change) => Promise.resolve(change(state)),
      queueAction: (request) => Promise.resolve({ status: 201, body: { action: request.action, number: request.number } }),
      requestCheckRunAction: (options) => {
        pressed.push(options);
        return Promise.resolve();
      },
      install: (options) => {
        installed.push(options);
        return Promise.resolve(77);
      },
      requestLog: () => [
        {
          seq: 1,
          method: 'POST',
          route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
          path: '/repos/acme/deploys/issues/1/comments',
          operationId: 'issues/create-comment',
          status: 201,
          at: now.toISOString(),
          caller: 'installation:7',
        },
        {
          seq: 2,
          method: 'GET',
          route: '/repos/{owner}/{repo}',
          path: '/repos/acme/deploys',
          operationId: 'repos/get',
          status: 200,
          at: now.toISOString(),
          caller: 'app',
        },
      ],
    },
  };
}

const post = (
  path: string,
  body: unknown,
  authorization?: string,
): { method: string; path: string; authorization: string | undefined; rawBody: string } => ({
  method: 'POST',
  path,
  authorization,
  rawBody: JSON.stringify(body),
});

describe('the local routes', () => {
  it('mints a person token only with the admin token, and stores nothing otherwise', async () => {
    const { context: routes, state } = context();
    expect((await handleLocalRoute(routes, post('/_local/people', { login: 'alice', role: 'write' }))).status).toBe(401);
    expect(
      (await handleLocalRoute(routes, post('/_local/people', { login: 'alice', role: 'write' }, 'Bearer wrong-admin-token!'))).status,
    ).toBe(401);
    expect(state.tokens).toEqual([]);
    const minted = await handleLocalRoute(routes, post('/_local/people', { login: 'alice', role: 'write' }, 'Bearer secret-admin-token'));
    expect(minted.status).toBe(201);
    expect((minted.body as { token: string }).token.length).toBeGreaterThan(20);
    expect(state.tokens).toHaveLength(1);
    expect(
      (await handleLocalRoute(routes, post('/_local/people', { login: 'alice', role: 'owner' }, 'Bearer secret-admin-token'))).status,
    ).toBe(400);
  });

  it('passes a valid push notice on and refuses a malformed one', async () => {
    const { context: routes, synced } = context();
    expect((await handleLocalRoute(routes, post('/_local/git/pushed', { repository: 'acme/deploys', pusher: 'bob' }))).status).toBe(204);
    expect((await handleLocalRoute(routes, post('/_local/git/pushed', { repository: '../etc' }))).status).toBe(400);
    expect(synced).toEqual([{ repository: 'acme/deploys', pusher: 'bob' }]);
  });

  it('presses a check-run button as the named person', async () => {
    const { context: routes, pressed } = context();
    expect((await handleLocalRoute(routes, post('/_local/check-runs/42/press', { identifier: 'abort', login: 'alice' }))).status).toBe(202);
    expect(pressed).toEqual([{ checkRunId: 42, identifier: 'abort', login: 'alice' }]);
  });

  it('serves the request log after a given seq, and refuses a malformed since', async () => {
    const { context: routes } = context();
    const get = (since: string): { method: string; path: string; query: URLSearchParams; authorization: undefined; rawBody: string } => ({
      method: 'GET',
      path: '/_local/requests',
      query: new URLSearchParams({ since }),
      authorization: undefined,
      rawBody: '',
    });
    const all = await handleLocalRoute(routes, get('0'));
    expect((all.body as { entries: { seq: number }[] }).entries.map((entry) => entry.seq)).toEqual([1, 2]);
    const later = await handleLocalRoute(routes, get('1'));
    expect((later.body as { entries: { operationId: string }[] }).entries.map((entry) => entry.operationId)).toEqual(['repos/get']);
    expect((await handleLocalRoute(routes, get('-3'))).status).toBe(400);
    expect((await handleLocalRoute(routes, { ...get('0'), method: 'POST' })).status).toBe(405);
  });

  it('installs the app on an account only with the admin token', async () => {
    const { context: routes, installed } = context();
    expect((await handleLocalRoute(routes, post('/_local/installations', { account: 'acme' }))).status).toBe(401);
    expect((await handleLocalRoute(routes, post('/_local/installations', { account: '../x' }, 'Bearer secret-admin-token'))).status).toBe(
      400,
    );
    const answer = await handleLocalRoute(
      routes,
      post('/_local/installations', { account: 'acme', sender: 'alice' }, 'Bearer secret-admin-token'),
    );
    expect(answer).toEqual({ status: 201, body: { id: 77, account: 'acme' } });
    expect(installed).toEqual([{ account: 'acme', sender: 'alice' }]);
  });
});
