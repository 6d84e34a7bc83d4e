import type { FieldChange } from './types.js';

/** Shown instead of a Secret's values, live or proposed. */
export const hiddenValues = 'changed, values hidden';

/**
 * Whether an object's values must never be shown: a Secret, of any group (a
 * kind that calls itself Secret is treated as one).
 */
export function isSecretKind(kind: string): boolean {
  return kind === 'Secret';
}

/**
 * A Secret as the API server would store it, for comparing with the live one:
 * `stringData` is written into `data` base64-encoded (the API server does the
 * same on write and never returns `stringData`), so an unchanged value in
 * `stringData` is not a change. Other objects are returned as they are.
 */
export function storedForm(kind: string, object: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!isSecretKind(kind)) return object;
  const stringData = object['stringData'];
  if (typeof stringData !== 'object' || stringData === null || Array.isArray(stringData)) return object;
  const data = typeof object['data'] === 'object' && object['data'] !== null ? (object['data'] as Record<string, unknown>) : {};
  const encoded = Object.fromEntries(
    Object.entries(stringData).map(([key, value]) => [key, Buffer.from(String(value), 'utf8').toString('base64')]),
  );
  const rest = Object.fromEntries(Object.entries(object).filter(([key]) => key !== 'stringData'));
  return { ...rest, data: { ...data, ...encoded } };
}

/**
 * A Secret's changes with every value dropped, the field paths kept (a key's
 * name is not its value): neither the live value (which the author may not be
 * allowed to read) nor the proposed one is rendered, in any field — an
 * annotation such as kubectl's last-applied-configuration holds the values
 * too. Other objects' changes are returned as they are. Pure.
 */
export function hideSecretValues(kind: string, changes: readonly FieldChange[]): FieldChange[] {
  if (!isSecretKind(kind)) return [...changes];
  return changes.map((change) => ({ path: change.path, hidden: true }));
}
