import { distance as editDistance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { PolicyPath } from './types.js';

export interface FieldProblem {
  path: PolicyPath;
  message: string;
  /** Whether the problem is about the field's name (unknown field) or its value. */
  at: 'key' | 'value';
}

/** Zod's issues reworded for a person editing a policy file; one problem per unknown field. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], knownFieldsAt: (path: PolicyPath) => readonly string[]): FieldProblem[] {
  return issues.flatMap((issue): FieldProblem[] => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownFieldsAt(path);
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        const hint = guess === undefined ? (known.length > 0 ? ` (known fields: ${known.join(', ')})` : '') : ` (did you mean "${guess}"?)`;
        return { path: [...path, key], message: `unknown field "${key}"${hint}`, at: 'key' };
      });
    }
    return [{ path, message: describeIssue(issue, path), at: 'value' }];
  });
}

function describeIssue(issue: z.core.$ZodIssue, path: PolicyPath): string {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing field "${String(path.at(-1) ?? '')}"`;
      return `expected ${typeName(issue.expected)}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, got ${describeValue(input)}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `${issue.message}, got ${describeValue(input)}` : issue.message;
    case 'too_small':
      return issue.origin === 'array' ? 'expected at least one entry' : `expected at least ${String(issue.minimum)}, got ${describeValue(input)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}, got ${describeValue(input)}`;
    default:
      return issue.message;
  }
}

function typeName(expected: string): string {
  const names: Readonly<Record<string, string>> = {
    int: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map of fields',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

/** A value as a person would recognise it in their YAML. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
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

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
