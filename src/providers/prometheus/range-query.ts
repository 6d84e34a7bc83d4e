import { parseGoDuration } from '../../api/index.js';

/*
 * rangeQuery's start and end as Argo evaluates them (evaluate.EvalTime, an `expr` program with
 * now() and duration()): Gradual reads the forms Argo documents — now(), and now() plus or
 * minus duration("…") terms, e.g. now() - duration("{{args.lookback}}") once the args are
 * filled in. Anything else is an Error measurement that names the field and says what is read,
 * never a silently different window. Pure.
 */

const term = /^\s*([+-])\s*duration\(\s*"([^"]*)"\s*\)/u;

export type TimeResult = { ok: true; seconds: number } | { ok: false; message: string };

export function evaluateTimeExpression(text: string, nowSeconds: number, field: 'start' | 'end'): TimeResult {
  const failed = (why: string): TimeResult => ({ ok: false, message: `failed to parse rangeQuery.${field} as time: ${why}` });
  const head = /^\s*now\(\s*\)/u.exec(text);
  if (head === null) return failed(`Gradual reads now(), optionally with + or - duration("…") terms; got ${JSON.stringify(text)}`);
  let seconds = nowSeconds;
  let rest = text.slice(head[0].length);
  while (rest.trim() !== '') {
    const match = term.exec(rest);
    if (match === null) return failed(`Gradual reads now(), optionally with + or - duration("…") terms; got ${JSON.stringify(text)}`);
    const [whole, sign, duration = ''] = match;
    const value = parseGoDuration(duration);
    if (value === undefined) return failed(`time: invalid duration ${JSON.stringify(duration)}`);
    seconds += sign === '-' ? -value : value;
    rest = rest.slice(whole.length);
  }
  return { ok: true, seconds };
}

/** Go's strconv.FormatFloat(seconds, 'f', -1, 64), as the Prometheus client sends times and steps. */
export function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1e9) / 1e9);
}
