import { describe, expect, test } from 'vitest';
import { xorshift32 as random } from './testing/xorshift.js';
import type { AnalysisRun, Measurement } from '../api/index.js';
import { finishAnalysisRun, planAnalysisRun } from './reconcile-analysis-run.js';
import { secretMask, secretRedactor } from './redact-secrets.js';

const secret = 's3cr3t/p@ss wörd+=&?#"\\';

describe('secretRedactor: every form a secret takes on the way', () => {
  const mask = secretRedactor([secret]);
  test.each([
    ['as is (an echoed header)', `{"auth":"Bearer ${secret}"}`.replace(secret, secret)],
    ['encodeURIComponent (a URL path segment or query value)', `/echo/${encodeURIComponent(secret)}`],
    [
      'encodeURIComponent with lower-case hex',
      `/echo/${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/gu, (escape) => escape.toLowerCase())}`,
    ],
    ['encodeURI (a whole URL)', `http://h/${encodeURI(secret)}`],
    ['a form (URLSearchParams)', `a=1&${new URLSearchParams({ token: secret }).toString()}`],
    ['base64', `token ${Buffer.from(secret).toString('base64')} end`],
    ['base64url without padding', `jwt.${Buffer.from(secret).toString('base64url')}.sig`],
    ['Basic authentication (base64 of user:secret, the secret at an offset)', `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`],
    ['base64url at another offset', Buffer.from(`ab${secret}xyz`).toString('base64url')],
    ['JSON-escaped', JSON.stringify({ echoed: secret })],
    ['JSON-escaped with \\/ and \\u escapes', JSON.stringify({ echoed: secret }).replaceAll('/', '\\/').replace('ö', '\\u00f6')],
  ])('%s', (_name, text) => {
    const masked = mask(text);
    expect(masked).not.toBe(text);
    expect(masked).toContain(secretMask);
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)])
      expect(masked).not.toContain(form);
  });

  test('text without the secret is left alone, and no secret masks nothing', () => {
    expect(mask('{"ratio":0.99}')).toBe('{"ratio":0.99}');
    expect(secretRedactor([''])('anything')).toBe('anything');
    expect(secretRedactor([])('anything')).toBe('anything');
  });

  test('seeded: base64 of the secret inside any text, at any offset, never keeps the bits that are only the secret (2,000 cases)', () => {
    const next = random(20);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:+=%?&# ';
    const word = (length: number): string => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    let masked = 0;
    for (let index = 0; index < 2000; index += 1) {
      const planted = word(12 + Math.floor(next() * 40));
      const text = Buffer.from(`${word(Math.floor(next() * 6))}${planted}${word(Math.floor(next() * 6))}`).toString(
        next() < 0.5 ? 'base64' : 'base64url',
      );
      const result = secretRedactor([planted])(text);
      // Decoding what is left never gives the planted secret back.
      for (const encoding of ['base64', 'base64url'] as const)
        expect(Buffer.from(result.replaceAll(secretMask, ''), encoding).toString('latin1')).not.toContain(planted);
      if (result !== text) masked += 1;
    }
    expect(masked).toBe(2000);
  });
});

describe('finishAnalysisRun masks secrets in values, messages and metadata', () => {
  test('an echoed secret (raw, percent-encoded, base64) is stored as the mask', () => {
    const run: AnalysisRun = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run' },
      spec: { metrics: [{ name: 'echo', provider: { web: { url: 'http://h' } } }] },
    };
    const plan = planAnalysisRun(run, new Date(0));
    if (plan.kind !== 'measure') throw new Error(plan.kind);
    const task = plan.tasks[0];
    if (task === undefined) throw new Error('no task');
    const text = JSON.stringify({
      header: `Bearer ${secret}`,
      path: `/x/${encodeURIComponent(secret)}`,
      basic: Buffer.from(`u:${secret}`).toString('base64'),
    });
    const outcome = finishAnalysisRun(
      run,
      [{ task, startedAt: '1970-01-01T00:00:00Z', answer: { kind: 'value', value: text, text, metadata: { echoed: secret } } }],
      plan,
      new Date(1000),
      [secret],
    );
    const measurement: Measurement | undefined = outcome.status.metricResults?.[0]?.measurements?.[0];
    const stored = JSON.stringify(outcome.status);
    expect(stored).not.toContain('s3cr3t');
    expect(stored).not.toContain(Buffer.from(secret).toString('base64').slice(4, 16));
    // Only the base64 characters that also carry "u:" or the padding are left around the mask.
    expect(measurement?.value).toMatch(
      /^\{"header":"Bearer \*{5}","path":"\/x\/\*{5}","basic":"[A-Za-z0-9+/]{0,3}\*{5}[A-Za-z0-9+/=]{0,4}"\}$/u,
    );
    expect(measurement?.metadata).toEqual({ echoed: secretMask });
  });
});
