import type { PathSegment } from './types.js';

/** A path as a person writes it: `spec.strategy.canary.steps[2].setWeight`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${String(segment)}]`;
    else if (/^[A-Za-z_$][\w$-]*$/u.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
