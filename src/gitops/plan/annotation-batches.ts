import type { CheckAnnotation } from '../types.js';

/** GitHub takes at most 50 annotations per check-run request; the shell sends one request per batch, in order. */
export function annotationBatches(annotations: readonly CheckAnnotation[], size = 50): CheckAnnotation[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`annotationBatches: size must be a whole number above 0, got ${String(size)}`);
  const batches: CheckAnnotation[][] = [];
  for (let start = 0; start < annotations.length; start += size) batches.push(annotations.slice(start, start + size));
  return batches;
}
