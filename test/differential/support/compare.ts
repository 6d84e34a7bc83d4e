import type { KnownDifference } from './scenario.js';
import type { Json } from './snapshot.js';

/** One field whose value differs between the two controllers. */
export interface Difference {
  /** `<checkpoint> › rollout.message`, `events`, ... */
  field: string;
  gradual: string;
  argo: string;
  /** Longer context printed under the difference (e.g. every Event line of both sides). */
  detail?: { gradual: string[]; argo: string[] };
}

export interface Verdict {
  /** Differences no known-difference entry explains: the scenario fails on any. */
  unexpected: Difference[];
  /** Differences explained by an entry, with it. */
  allowed: { difference: Difference; because: KnownDifference }[];
  /** Entries that matched nothing this run (the difference is gone, or the entry is wrong). */
  unused: KnownDifference[];
}

const absent = '(absent)';

/** Every leaf (arrays are leaves: their order is part of the value) that differs, by path. */
export function diffTrees(prefix: string, gradual: Json | undefined, argo: Json | undefined): Difference[] {
  if (isRecord(gradual) && isRecord(argo)) {
    const keys = [...new Set([...Object.keys(gradual), ...Object.keys(argo)])].sort();
    return keys.flatMap((key) => diffTrees(joinPath(prefix, key), gradual[key], argo[key]));
  }
  const left = show(gradual);
  const right = show(argo);
  return left === right ? [] : [{ field: prefix, gradual: left, argo: right }];
}

/**
 * Ordered lists (Event reasons) compared element by element after their
 * common prefix, so a reader sees where the two stories part.
 */
export function diffSequences(field: string, gradual: readonly string[], argo: readonly string[]): Difference[] {
  if (gradual.length === argo.length && gradual.every((item, index) => item === argo[index])) return [];
  let common = 0;
  while (common < gradual.length && common < argo.length && gradual[common] === argo[common]) common += 1;
  const tail = (items: readonly string[]): string => (items.length === 0 ? absent : items.slice(common).join(', ') || '(nothing more)');
  return [
    {
      field: `${field} (after ${String(common)} equal: ${gradual.slice(0, common).join(', ') || 'none'})`,
      gradual: tail(gradual),
      argo: tail(argo),
    },
  ];
}

/** `*` in a known difference's field (or value) matches any run of characters; everything else literally. */
export function fieldPattern(field: string): RegExp {
  return new RegExp(
    `^${field
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export function judge(differences: readonly Difference[], known: readonly KnownDifference[]): Verdict {
  const patterns = known.map((entry) => ({
    entry,
    test: (difference: Difference): boolean =>
      fieldPattern(entry.field).test(difference.field) &&
      (entry.gradual === undefined || fieldPattern(entry.gradual).test(difference.gradual)) &&
      (entry.argo === undefined || fieldPattern(entry.argo).test(difference.argo)),
  }));
  const used = new Set<KnownDifference>();
  const unexpected: Difference[] = [];
  const allowed: Verdict['allowed'] = [];
  for (const difference of differences) {
    const match = patterns.find(({ test }) => test(difference));
    if (match === undefined) {
      unexpected.push(difference);
    } else {
      used.add(match.entry);
      allowed.push({ difference, because: match.entry });
    }
  }
  return { unexpected, allowed, unused: known.filter((entry) => !used.has(entry)) };
}

/** A readable report: one block per field, Gradual's value above Argo's. */
export function renderVerdict(scenario: string, verdict: Verdict): string {
  const lines = [`differential scenario "${scenario}":`];
  if (verdict.unexpected.length === 0) lines.push('  no unexplained difference');
  for (const difference of verdict.unexpected) lines.push(...renderDifference('✗', difference));
  for (const { difference, because } of verdict.allowed)
    lines.push(...renderDifference(`~ known (${because.kind}: ${because.reason})`, difference));
  for (const entry of verdict.unused) lines.push(`  ? known difference "${entry.field}" did not occur in this run`);
  return lines.join('\n');
}

function renderDifference(mark: string, difference: Difference): string[] {
  const lines = [`  ${mark} ${difference.field}`, `      gradual: ${difference.gradual}`, `      argo:    ${difference.argo}`];
  if (difference.detail !== undefined) {
    lines.push('      gradual, in full:', ...difference.detail.gradual.map((line) => `        ${line}`));
    lines.push('      argo, in full:', ...difference.detail.argo.map((line) => `        ${line}`));
  }
  return lines;
}

/** `checkpoint ›` then `rollout.message`: the checkpoint's name may hold dots and spaces, the fields none. */
function joinPath(prefix: string, key: string): string {
  if (prefix === '') return key;
  return prefix.endsWith('›') ? `${prefix} ${key}` : `${prefix}.${key}`;
}

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json | undefined): string {
  return value === undefined ? absent : JSON.stringify(value);
}

/**
 * The condition states persisted since the previous checkpoint, which had seen `seen` of them: from the last one it
 * saw (the state carried over), so a checkpoint that only repeats it still shows where it started.
 */
export function statesSince(states: readonly string[], seen: number): string[] {
  return states.slice(Math.max(0, seen - 1));
}
