import { z } from 'zod';
import type { PathSegment, RolloutIssue } from './types.js';

/*
 * Zod's issues, reworded for a person editing a manifest or a policy file:
 * which field, what was expected, what was found, and for a misspelt field
 * the name it probably meant. One issue per unknown field, so each gets its
 * own line. The one translator for every schema of the project: the
 * Rollout's (lint, the engine's InvalidSpec) and the policy file's.
 */

export function fromZodIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): RolloutIssue[] {
  return zodIssueProblems(issues, (path) => knownKeys(schemaAt(schema, path)));
}

export interface ZodIssueWording {
  /** An unknown field with no likely meaning lists the known ones (a policy file's few fields), instead of nothing (a Rollout's many). */
  listKnownFields?: boolean;
}

/** Zod's issues as problems at their path, the fields known at a path coming from the caller (for "did you mean"). */
export function zodIssueProblems(
  issues: readonly z.core.$ZodIssue[],
  knownFieldsAt: (path: readonly PathSegment[]) => readonly string[],
  wording: ZodIssueWording = {},
): RolloutIssue[] {
  return issues.flatMap((issue): RolloutIssue[] => {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownFieldsAt(path);
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownFieldMessage(key, known, wording), at: 'key' }));
    }
    return [{ path, message: describeIssue(issue, path) }];
  });
}

function unknownFieldMessage(key: string, known: readonly string[], wording: ZodIssueWording): string {
  const guess = closest(key, known);
  if (guess !== undefined) return `unknown field "${key}" (did you mean "${guess}"?)`;
  return wording.listKnownFields === true && known.length > 0
    ? `unknown field "${key}" (known fields: ${known.join(', ')})`
    : `unknown field "${key}"`;
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PathSegment[]): string {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing field "${String(path.at(-1) ?? '')}"`;
      return `expected ${typeName(issue.expected)}, got ${describeValue(input)}`;
    case 'invalid_union':
      return input === undefined ? issue.message : `${issue.message}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${describeValue(input)}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return `expected a date-time such as "2024-05-01T10:00:00Z", got ${describeValue(input)}`;
      // A pattern that names what it expects (the policy file's) says so itself; zod's own words start with "Invalid".
      if (!issue.message.startsWith('Invalid')) return issue.message;
      return `expected the ${issue.format} format, got ${describeValue(input)}`;
    case 'too_small':
      if (issue.origin === 'array') return 'expected at least one entry';
      return issue.origin === 'number' ? numberBound('at least', issue.minimum, input) : issue.message;
    case 'too_big':
      return issue.origin === 'number' ? numberBound('at most', issue.maximum, input) : issue.message;
    default:
      return issue.message;
  }
}

/**
 * A bound at or past int32's is the bound of the type (Argo's int32 and int64 fields), not a
 * chosen limit: it is named as the type. A chosen limit (a policy's) is named as the number.
 */
function numberBound(side: 'at least' | 'at most', bound: number | bigint, input: unknown): string {
  if (Math.abs(Number(bound)) >= INT32_MAX) return `expected a 32-bit integer, got ${describeValue(input)}`;
  return `expected ${side} ${String(bound)}, got ${describeValue(input)}`;
}

const INT32_MAX = 2 ** 31 - 1;

function typeName(expected: string): string {
  const names: Readonly<Record<string, string>> = {
    int: 'an integer',
    // Every number in a Rollout is an integer (Argo's int32 and int64 fields).
    number: 'an integer',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map of fields',
    record: 'a map of fields',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

/** A value as a person would recognise it in their YAML. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'a map of fields';
    default:
      return typeof value;
  }
}

/** The schema that validates the value at `path`, looking through optional wrappers; undefined where the path leaves the schema. */
function schemaAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (node instanceof z.ZodObject && typeof segment === 'string') node = (node.shape as Record<string, z.ZodType | undefined>)[segment];
    else if (node instanceof z.ZodArray && typeof segment === 'number') node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return undefined;
    node = node === undefined ? undefined : unwrap(node);
  }
  return node;
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

function knownKeys(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The known name nearest to a misspelt one: same letters in another case, or at most two edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  const sameLetters = known.find((name) => name.toLowerCase() === key.toLowerCase());
  if (sameLetters !== undefined) return sameLetters;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= Math.min(2, Math.floor(name.length / 3)) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance, counting a swap of two neighbouring letters as one edit (`setWieght`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row !== undefined) row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
