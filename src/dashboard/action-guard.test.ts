import { describe, expect, it } from 'vitest';
import { decideActionRequest, type ActionRequest } from './action-guard.js';
import { checkBind, DashboardBindError, isLoopbackHost } from './bind-policy.js';

const good: ActionRequest = { method: 'POST', action: 'promote', host: '127.0.0.1:3100', origin: 'http://127.0.0.1:3100', secFetchSite: 'same-origin', actionHeader: 'promote' };
const policy = { enableActions: true, loopbackOnly: true };

describe('decideActionRequest', () => {
  it('allows a same-origin POST with the header', () => {
    expect(decideActionRequest(good, policy)).toEqual({ allowed: true });
  });

  it.each<[string, Partial<ActionRequest>, { enableActions?: boolean; loopbackOnly?: boolean }, number, RegExp]>([
    ['actions disabled', {}, { enableActions: false }, 403, /--enable-actions/u],
    ['a GET', { method: 'GET' }, {}, 405, /POST/u],
    ['no header (a form post from anywhere)', { actionHeader: undefined }, {}, 403, /x-gradual-action/u],
    ['a header naming another action', { actionHeader: 'abort' }, {}, 403, /x-gradual-action/u],
    ['no Host', { host: undefined }, {}, 403, /Host/u],
    ['a rebound DNS name on loopback', { host: 'evil.example:3100', origin: 'http://evil.example:3100' }, {}, 403, /not a loopback name/u],
    ['another origin', { origin: 'http://evil.example' }, {}, 403, /cross-origin/u],
    ['another port', { origin: 'http://127.0.0.1:8080' }, {}, 403, /cross-origin/u],
    ['a cross-site fetch', { origin: undefined, secFetchSite: 'cross-site' }, {}, 403, /cross-site/u],
    ['a same-site fetch from a sibling', { origin: undefined, secFetchSite: 'same-site' }, {}, 403, /cross-site/u],
  ])('refuses %s', (_name, change, policyChange, status, reason) => {
    const decision = decideActionRequest({ ...good, ...change }, { ...policy, ...policyChange });
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.status).toBe(status);
    expect(decision.reason).toMatch(reason);
  });

  it.each<[string, Partial<ActionRequest>, boolean]>([
    ['a client without Origin or Sec-Fetch-Site (curl)', { origin: undefined, secFetchSite: undefined }, true],
    ['localhost', { host: 'localhost:3100', origin: 'http://localhost:3100' }, true],
    ['IPv6 loopback', { host: '[::1]:3100', origin: 'http://[::1]:3100' }, true],
    ['a remote name when bound beyond loopback', { host: 'dash.example:3100', origin: 'http://dash.example:3100' }, false],
  ])('allows %s', (_name, change, loopbackOnly) => {
    expect(decideActionRequest({ ...good, ...change }, { enableActions: true, loopbackOnly })).toEqual({ allowed: true });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['app.localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('checkBind', () => {
  it.each([
    ['127.0.0.1', true, false, true],
    ['0.0.0.0', false, false, true],
    ['0.0.0.0', true, false, false],
    ['0.0.0.0', true, true, true],
    ['::', true, false, false],
  ])('%s with actions %s, remote consent %s: allowed %s', (host, enableActions, allowRemoteActions, allowed) => {
    const attempt = () => {
      checkBind({ host, enableActions, allowRemoteActions });
    };
    if (allowed) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(DashboardBindError);
  });
});
