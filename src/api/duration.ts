import type { IntOrString } from './types.js';

const unitSeconds: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6, // U+00B5 micro sign
  μs: 1e-6, // U+03BC Greek mu
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Go's time.ParseDuration, in seconds: a sign, then one or more decimal
 * numbers each with a unit (`300ms`, `1.5h`, `2h45m`); `0` alone needs no
 * unit. Undefined when the text is not a Go duration. Argo parses pause
 * durations with it, so the same strings must mean the same here.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const component = /^(\d*)(?:\.(\d*))?([^\d.]+)/u;
  while (rest !== '') {
    const match = component.exec(rest);
    if (match === null) return undefined;
    const [whole, integer = '', fraction, unit = ''] = match;
    if (integer === '' && (fraction === undefined || fraction === '')) return undefined;
    const scale = unitSeconds[unit];
    if (scale === undefined) return undefined;
    total += Number(`${integer === '' ? '0' : integer}.${fraction ?? '0'}`) * scale;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

/**
 * The seconds of a pause step's duration as Argo computes them: an integer is
 * seconds; a string is first read as a base-10 integer (`"30"`), then as a Go
 * duration (`"30s"`, `"1h"`), truncated to whole seconds. Undefined when the
 * string is neither (Argo reports such a step as InvalidSpec).
 */
export function pauseDurationSeconds(duration: IntOrString): number | undefined {
  if (typeof duration === 'number') return duration;
  if (/^[+-]?\d+$/u.test(duration)) {
    const seconds = Number(duration);
    return Math.abs(seconds) <= 2_147_483_647 ? seconds : undefined;
  }
  const seconds = parseGoDuration(duration);
  return seconds === undefined ? undefined : Math.trunc(seconds);
}
