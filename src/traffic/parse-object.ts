import type { z } from 'zod';
import { formatPath } from '../api/format-path.js';
import type { PathSegment } from '../api/types.js';
import { problemAt } from './plan.js';
import type { ObjectRef, RouterProblem } from './types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: RouterProblem };

/**
 * Reads a foreign object (VirtualService, Ingress, ...) through its schema.
 * The schemas are loose, so the value keeps every field the object had and a
 * write built from it drops nothing; a field of the wrong shape is an
 * InvalidSpec naming the object and the field.
 */
export function parseObject<T>(schema: z.ZodType<T>, object: unknown, ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): Parsed<T> {
  const result = schema.safeParse(object);
  if (result.success) return { ok: true, value: result.data };
  const [issue] = result.error.issues;
  const path = (issue?.path ?? []).filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  return problemAt('InvalidSpec', ref, formatPath(path), issue?.message ?? 'invalid object');
}
