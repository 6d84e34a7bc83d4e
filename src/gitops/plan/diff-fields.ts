import type { FieldChange } from './types.js';

/** Written by the API server, never by a manifest: a manifest that sets them does not own them. */
const serverMetadata = new Set([
  'resourceVersion',
  'uid',
  'managedFields',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]);

/**
 * The fields of list items Kubernetes merges lists by (its list-map keys), in
 * the order tried: containers, env, volumes and named ports by `name`;
 * unnamed ports by their number; volume mounts by path.
 */
const listKeys = ['name', 'containerPort', 'port', 'mountPath', 'devicePath'] as const;

/**
 * The fields server-side apply would change: only the fields the manifest
 * sets are compared (what the apply would own), so server-filled defaults,
 * status, server metadata and fields of other managers never show. Lists of
 * keyed items (containers, ports, env, volumes) are matched by key, other
 * lists of maps item by item, lists of scalars as a whole. A number and the
 * same number as a string are equal (the server may write either). Pure.
 */
export function diffFields(desired: Readonly<Record<string, unknown>>, live: Readonly<Record<string, unknown>>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'status') continue;
    if (key === 'metadata' && isRecord(value)) {
      const owned = Object.fromEntries(Object.entries(value).filter(([field]) => !serverMetadata.has(field)));
      diffValue(owned, live[key], key, changes);
      continue;
    }
    diffValue(value, live[key], key, changes);
  }
  return changes;
}

function diffValue(desired: unknown, live: unknown, path: string, changes: FieldChange[]): void {
  if (desired === null || desired === undefined) return;
  if (isRecord(desired)) {
    if (!isRecord(live)) {
      changes.push(change(path, live, desired));
      return;
    }
    for (const [key, value] of Object.entries(desired)) diffValue(value, live[key], appendKey(path, key), changes);
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      changes.push(change(path, live, desired));
      return;
    }
    diffList(desired, live, path, changes);
    return;
  }
  if (!sameScalar(desired, live)) changes.push(change(path, live, desired));
}

function diffList(desired: readonly unknown[], live: readonly unknown[], path: string, changes: FieldChange[]): void {
  const key = listKeyOf(desired);
  if (key !== undefined) {
    for (const item of desired) {
      if (!isRecord(item)) continue;
      const id = item[key];
      const itemPath = `${path}[${key}=${String(id)}]`;
      const match = live.find((candidate) => isRecord(candidate) && sameScalar(candidate[key], id));
      if (match === undefined) changes.push(change(itemPath, undefined, item));
      else diffValue(item, match, itemPath, changes);
    }
    return;
  }
  if (desired.length === live.length && desired.every(isRecord)) {
    desired.forEach((item, index) => {
      diffValue(item, live[index], `${path}[${String(index)}]`, changes);
    });
    return;
  }
  // Scalars, or maps that changed in number: an atomic list (args, command, steps), replaced whole.
  const inner: FieldChange[] = [];
  if (desired.length === live.length)
    desired.forEach((item, index) => {
      diffValue(item, live[index], `${path}[${String(index)}]`, inner);
    });
  if (desired.length !== live.length || inner.length > 0) changes.push(change(path, live, desired));
}

/** The key every item of the list carries, if any: such a list is merged by key, not by position. */
function listKeyOf(items: readonly unknown[]): (typeof listKeys)[number] | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  return listKeys.find((key) => items.every((item) => isRecord(item) && (typeof item[key] === 'string' || typeof item[key] === 'number')));
}

function change(path: string, from: unknown, to: unknown): FieldChange {
  return from === undefined ? { path, to } : { path, from, to };
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const scalar = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';
  return scalar(a) && scalar(b) && String(a) === String(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** As formatPath writes a field: `.name` for a plain name, `["app.kubernetes.io/name"]` otherwise. */
function appendKey(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/u.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
