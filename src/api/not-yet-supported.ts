import type { PathSegment, RolloutIssue } from './types.js';

/**
 * Argo fields the schema knows but Gradual does not act on yet. Each is an
 * error naming the field, never silently ignored (a canary that skipped its
 * analysis would promote what it should have stopped). `*` stands for every
 * index of an array. Later issues shrink this list as they land.
 */
export const notYetSupportedFields: readonly (readonly string[])[] = [['spec', 'strategy', 'canary', 'steps', '*', 'plugin']];

/**
 * The not-yet-supported fields present in `object` (a Rollout as parsed from
 * YAML or read from the cluster, before or without schema validation, so
 * they are reported even when something else is wrong too).
 */
export function findNotYetSupported(object: unknown): RolloutIssue[] {
  const issues: RolloutIssue[] = [];
  for (const pattern of notYetSupportedFields) {
    for (const path of expand(object, pattern, [])) {
      issues.push({ path, message: `not yet supported by Gradual: ${String(path.at(-1))}`, at: 'key' });
    }
  }
  return issues;
}

function expand(node: unknown, pattern: readonly string[], prefix: PathSegment[]): PathSegment[][] {
  const [head, ...rest] = pattern;
  if (head === undefined) return [prefix];
  if (head === '*') {
    if (!Array.isArray(node)) return [];
    return node.flatMap((item: unknown, index) => expand(item, rest, [...prefix, index]));
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, head)) return [];
  return expand((node as Record<string, unknown>)[head], rest, [...prefix, head]);
}
