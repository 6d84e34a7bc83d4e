import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodIssueProblems } from './zod-issues.js';

/** The one translator serves a Rollout's schema (int32 fields, many names) and a policy's (chosen limits, few names). */
describe('zodIssueProblems', () => {
  const schema = z.strictObject({
    replicas: z.int32().optional(),
    approvals: z.int().min(0).max(100).optional(),
    paths: z.array(z.string()).min(1).optional(),
  });
  const known = (): readonly string[] => ['replicas', 'approvals', 'paths'];
  const messages = (value: unknown, listKnownFields = false): string[] => {
    const parsed = schema.safeParse(value, { reportInput: true });
    return parsed.success ? [] : zodIssueProblems(parsed.error.issues, known, { listKnownFields }).map((problem) => problem.message);
  };

  it.each([
    ['a number past int32 names the type', { replicas: 2 ** 31 }, 'expected a 32-bit integer, got the number 2147483648'],
    ['a chosen upper limit names the number', { approvals: 101 }, 'expected at most 100, got the number 101'],
    ['a chosen lower limit names the number', { approvals: -1 }, 'expected at least 0, got the number -1'],
    ['an empty list', { paths: [] }, 'expected at least one entry'],
    ['a misspelt field', { replicaz: 1 }, 'unknown field "replicaz" (did you mean "replicas"?)'],
    ['an unknown field, nothing near', { colour: 1 }, 'unknown field "colour"'],
  ])('%s', (_name, value, message) => {
    expect(messages(value)).toEqual([message]);
  });

  it('lists the known fields where asked and nothing is near', () => {
    expect(messages({ colour: 1 }, true)).toEqual(['unknown field "colour" (known fields: replicas, approvals, paths)']);
  });
});
