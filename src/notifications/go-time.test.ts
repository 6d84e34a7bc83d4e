import { describe, expect, it } from 'vitest';
import { parseGoTemplate } from './go-template.js';
import { GoDuration, parseRfc3339 } from './go-time.js';
import { templateVars } from './template-vars.js';

// Expected texts are Go's (go1.26 time package), checked against test/infra/argo-notifications.
const NOW = Date.parse('2026-12-07T10:11:12.345Z');
const render = (source: string, nowMillis: number | undefined = NOW): string => renderAt(source, nowMillis);
const renderAt = (source: string, nowMillis: number | undefined): string =>
  parseGoTemplate('t', source).execute(
    templateVars({ metadata: { creationTimestamp: '2026-12-01T08:00:00Z' } }, { service: 'slack', recipient: 'ops' }, nowMillis),
  );

describe("Argo's .time helpers", () => {
  it.each([
    ['{{ (call .time.Now).Format "2006-01-02T15:04:05.000Z07:00" }}', '2026-12-07T10:11:12.345Z'],
    ['{{ (call .time.Now).Format "Mon Jan _2 3:04:05.999 PM MST 06 002" }}', 'Mon Dec  7 10:11:12.345 AM UTC 26 341'],
    ['{{ (call .time.Now).Format "January Monday .000000 ,9" }}', 'December Monday .345000 ,3'],
    ['{{ (call .time.Parse .rollout.metadata.creationTimestamp).Unix }}', '1796112000'],
    ['{{ call .time.Parse "2026-01-02T03:04:05.5+02:00" }}', '2026-01-02 03:04:05.5 +0200 +0200'],
    ['{{ (call .time.Parse "2026-01-02T03:04:05+02:00").UTC }}', '2026-01-02 01:04:05 +0000 UTC'],
    ['{{ (call .time.Now).Sub (call .time.Parse .rollout.metadata.creationTimestamp) }}', '146h11m12.345s'],
    ['{{ ((call .time.Now).Sub (call .time.Parse .rollout.metadata.creationTimestamp)).Truncate 60000000000 }}', '146h11m0s'],
    ['{{ $t := call .time.Now }}{{ "15:04" | $t.Format }}', '10:11'],
    ['{{ .serviceType }}/{{ .recipient }}', 'slack/ops'],
  ])('%s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it.each([
    ['{{ call .time.Parse "yesterday" }}', /parsing time "yesterday"/],
    ['{{ call .time.Parse "2026-02-30T00:00:00Z" }}', /day out of range/],
    ['{{ call .time.Now 1 }}', /wrong number of args for .time.Now: got 1 want 0/],
    ['{{ call .rollout.metadata }}', /non-function of type map/],
    ['{{ call .nothing }}', /call of nil/],
    ['{{ (call .time.Now).Format }}', /wrong number of args for Format/],
    ['{{ (call .time.Now).Nope }}', /can't evaluate field Nope in type time.Time/],
    ['{{ .rollout.metadata "x" }}', /metadata is not a method but has arguments/],
  ])('%s fails as Go does', (source, message) => {
    expect(() => render(source)).toThrow(message);
  });

  it('without a clock, time.Now fails instead of rendering a made-up instant', () => {
    expect(() => renderAt('{{ call .time.Now }}', undefined)).toThrow(/no clock/);
  });

  it.each([
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [100_000_000n, '100ms'],
    [1_500_000_000n, '1.5s'],
    [120_000_000_000n, '2m0s'],
    [3_600_000_000_000n, '1h0m0s'],
    [-90_000_000_000n, '-1m30s'],
  ])('Duration(%s).String() is %s', (nanos, text) => {
    expect(new GoDuration(nanos).toString()).toBe(text);
  });

  it('parses RFC3339 as time.Parse does (fraction, offsets) and refuses what Go refuses', () => {
    expect(parseRfc3339('2026-12-07T10:11:12.123456789Z').nanos).toBe(123_456_789);
    expect(() => parseRfc3339('2026-12-07 10:11:12Z')).toThrow();
    expect(() => parseRfc3339('2026-12-07T10:11:12')).toThrow();
  });
});

describe('hostile templates', () => {
  it('names from Object.prototype are not functions', () => {
    expect(() => parseGoTemplate('t', '{{ constructor "x" }}')).toThrow(/function "constructor" not defined/);
    expect(() => parseGoTemplate('t', '{{ hasOwnProperty "x" }}')).toThrow(/not defined/);
  });

  it('repeat cannot make the controller build a huge string', () => {
    expect(() => parseGoTemplate('t', '{{ repeat 100000000 "abcdefgh" }}').execute({})).toThrow(/longer than 1000000 bytes/);
  });

  it('method names from Object.prototype are not methods of time.Time', () => {
    expect(() => render('{{ (call .time.Now).constructor }}')).toThrow(/can't evaluate field constructor/);
  });
});
