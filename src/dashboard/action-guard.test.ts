import { describe, expect, it } from 'vitest';
import { decideActionRequest, type ActionPolicy, type ActionRequest } from './action-guard.js';
import { checkBind, DashboardBindError, decideHost, isLoopbackHost } from './bind-policy.js';

const token = 'dashboard-token-5d8e2f71a9c4';
const good: ActionRequest = {
  method: 'POST',
  action: 'promote',
  host: '127.0.0.1:3100',
  origin: 'http://127.0.0.1:3100',
  secFetchSite: 'same-origin',
  actionHeader: 'promote',
  authorization: `Bearer ${token}`,
  namespace: 'shop',
};
const policy: ActionPolicy = { enableActions: true, loopbackOnly: true, token, namespaces: ['shop'] };

describe('decideActionRequest', () => {
  it('allows a same-origin POST with the header', () => {
    expect(decideActionRequest(good, policy)).toEqual({ allowed: true });
  });

  it.each<[string, Partial<ActionRequest>, Partial<ActionPolicy>, number, RegExp]>([
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
    ['no token, even from loopback with every CSRF header right', { authorization: undefined }, {}, 401, /token/u],
    ['a wrong token', { authorization: 'Bearer dashboard-token-5d8e2f71a9c5' }, {}, 401, /token/u],
    ['the token as Basic', { authorization: `Basic ${token}` }, {}, 401, /token/u],
    ['a token prefix', { authorization: `Bearer ${token.slice(0, -1)}` }, {}, 401, /token/u],
    ['an empty configured token', { authorization: 'Bearer ' }, { token: '' }, 401, /token/u],
    ['with the token, a namespace not served', { namespace: 'kube-system' }, {}, 403, /not served/u],
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
    ['the token in any case of the scheme', { authorization: `bearer ${token}` }, true],
    ['any namespace when all are served', { namespace: 'other' }, true],
  ])('allows %s', (_name, change, loopbackOnly) => {
    const namespaces = change.namespace === 'other' ? undefined : policy.namespaces;
    expect(decideActionRequest({ ...good, ...change }, { ...policy, loopbackOnly, namespaces })).toEqual({ allowed: true });
  });
});

describe('decideHost: every route, GET included', () => {
  it.each<[string, string | undefined, string, readonly string[] | undefined, boolean]>([
    ['127.0.0.1 on loopback', '127.0.0.1:3100', '127.0.0.1', undefined, true],
    ['localhost on loopback', 'localhost:3100', '127.0.0.1', undefined, true],
    ['[::1] on loopback', '[::1]:3100', '::1', undefined, true],
    ['a rebound DNS name on loopback', 'attacker.example:3100', '127.0.0.1', undefined, false],
    ['a name ending like localhost but not one', 'localhost.attacker.example:3100', '127.0.0.1', undefined, false],
    ['a LAN address on loopback', '192.0.2.7:3100', '127.0.0.1', undefined, false],
    ['no Host at all', undefined, '127.0.0.1', undefined, false],
    ['an empty Host', '', '0.0.0.0', undefined, false],
    ['an address when bound to all', '192.0.2.7:3100', '0.0.0.0', undefined, true],
    ['an IPv6 address when bound to all', '[2001:db8::1]:3100', '::', undefined, true],
    ['a name when bound to all', 'attacker.example:3100', '0.0.0.0', undefined, false],
    ['an allowed name when bound to all', 'Dash.Example:3100', '0.0.0.0', ['dash.example'], true],
    ['a sibling of an allowed name', 'x.dash.example:3100', '0.0.0.0', ['dash.example'], false],
  ])('%s', (_name, host, bound, allowedHosts, allowed) => {
    const decision = decideHost(host, { bound, allowedHosts });
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.status).toBe(421);
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
