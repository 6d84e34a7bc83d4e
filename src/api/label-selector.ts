import type { LabelSelector } from './types.js';

/** Whether `labels` satisfy every requirement of `selector` (Kubernetes' semantics; an empty selector matches everything). */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return unmetRequirements(selector, labels).length === 0;
}

/** The requirements of `selector` that `labels` do not meet, in words (`app=web`, `tier in (a, b)`). */
export function unmetRequirements(selector: LabelSelector, labels: Readonly<Record<string, string>>): string[] {
  const unmet: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) unmet.push(`${key}=${value}`);
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    const met =
      operator === 'In'
        ? has && value !== undefined && values.includes(value)
        : operator === 'NotIn'
          ? !has || value === undefined || !values.includes(value)
          : operator === 'Exists'
            ? has
            : !has;
    if (!met) unmet.push(describeExpression(key, operator, values));
  }
  return unmet;
}

function describeExpression(key: string, operator: string, values: readonly string[]): string {
  switch (operator) {
    case 'In':
      return `${key} in (${values.join(', ')})`;
    case 'NotIn':
      return `${key} notin (${values.join(', ')})`;
    case 'Exists':
      return key;
    default:
      return `!${key}`;
  }
}

/** Kubernetes' rules for a selector's expressions: In and NotIn need values, Exists and DoesNotExist take none. */
export function selectorExpressionProblems(selector: LabelSelector): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  (selector.matchExpressions ?? []).forEach(({ operator, values }, index) => {
    const count = values?.length ?? 0;
    if ((operator === 'In' || operator === 'NotIn') && count === 0)
      problems.push({ index, message: `operator ${operator} needs at least one value` });
    if ((operator === 'Exists' || operator === 'DoesNotExist') && count > 0)
      problems.push({ index, message: `operator ${operator} takes no values` });
  });
  return problems;
}
