import { describe, expect, it } from 'vitest';
import { LEDGER_MAX_BYTES, ledgerSent, ledgerWithEntry } from './sent-ledger.js';

const web = { namespace: 'shop', name: 'web', uid: 'u1' };

describe('the notification ledger', () => {
  it.each([
    ['no ledger', undefined, {}],
    ['another Rollout', { 'shop.api': '{"uid":"u1","sent":{"k":1}}' }, {}],
    ['the same name, another uid (deleted and created again)', { 'shop.web': '{"uid":"u0","sent":{"k":1}}' }, {}],
    ['an unreadable entry', { 'shop.web': '{not json' }, {}],
    ['non-numbers dropped', { 'shop.web': '{"uid":"u1","sent":{"k":1,"x":"2"}}' }, { k: 1 }],
    ['this Rollout', { 'shop.web': '{"uid":"u1","sent":{"k":1}}' }, { k: 1 }],
  ])('reads %s', (_name, data, expected) => {
    expect(ledgerSent(data, web)).toEqual(expected);
  });

  it('writes this Rollout’s entry and keeps the others', () => {
    const data = ledgerWithEntry({ 'shop.api': '{"uid":"u9","sent":{"a":5}}' }, web, '{"k":7}');
    expect(data).toEqual({ 'shop.api': '{"uid":"u9","sent":{"a":5}}', 'shop.web': '{"uid":"u1","sent":{"k":7}}' });
    expect(ledgerSent(data, web)).toEqual({ k: 7 });
  });

  it('past its size drops the Rollouts that sent longest ago, never the one written', () => {
    const big = 'x'.repeat(200 * 1024);
    const data: Record<string, string> = {};
    for (let i = 0; i < 5; i += 1) data[`ns.r${String(i)}`] = JSON.stringify({ uid: 'u', sent: { [big]: 100 + i } });
    const out = ledgerWithEntry(data, { ...web, uid: 'u1' }, JSON.stringify({ [big]: 1 }));
    const size = Object.entries(out).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
    expect(size).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
    expect(Object.keys(out).sort()).toEqual(['ns.r3', 'ns.r4', 'shop.web']);
  });
});
