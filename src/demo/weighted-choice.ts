import type { RandomSource } from './types.js';

/**
 * Picks an item with probability weight / total weight, as Envoy splits a
 * weighted route. Items of weight 0 (or less) are never picked; undefined when
 * no item has weight.
 */
export function chooseWeighted<T extends { weight: number }>(items: readonly T[], random: RandomSource): T | undefined {
  const total = items.reduce((sum, item) => sum + Math.max(0, item.weight), 0);
  if (!(total > 0)) return undefined;
  let point = random() * total;
  let last: T | undefined;
  for (const item of items) {
    if (item.weight <= 0) continue;
    if (point < item.weight) return item;
    point -= item.weight;
    last = item;
  }
  // Floating-point rounding can leave the point just past the end.
  return last;
}

/** One of the items, uniformly (a Service's endpoints are equal). */
export function chooseUniform<T>(items: readonly T[], random: RandomSource): T | undefined {
  if (items.length === 0) return undefined;
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}
