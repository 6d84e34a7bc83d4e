import { readNotified } from './plan-notifications.js';

/*
 * Where the controller records what it has sent, so a restarted controller does not send a transition again.
 * Argo Rollouts keeps no record (its Event recorder sends on every Event, utils/record/record.go), and
 * notifications-engine's own controller patches the notified.notifications.argoproj.io annotation on the object;
 * for a Rollout that needs `patch` on rollouts, which RBAC cannot narrow to one annotation, so the controller could
 * then rewrite any Rollout's spec (deploy/cluster-role.yaml grants it none of that). The record is instead one
 * ConfigMap in the controller's namespace, which deploy/role.yaml lets it read and update by name: one key per
 * Rollout (`<namespace>.<name>`: a namespace has no dot), holding the Rollout's uid (a Rollout deleted and created
 * again starts afresh) and the notified map in the annotation's format. Pure helpers here; notifier.ts does the I/O.
 */

export const SENT_LEDGER_CONFIGMAP = 'gradual-notifications-sent';

/** A ConfigMap holds at most 1 MiB; past this the Rollouts whose last send is oldest are dropped. */
export const LEDGER_MAX_BYTES = 768 * 1024;

export interface LedgerRollout {
  namespace: string;
  name: string;
  uid: string;
}

export function ledgerKey(rollout: LedgerRollout): string {
  return `${rollout.namespace}.${rollout.name}`;
}

interface LedgerEntry {
  uid: string;
  sent: Record<string, number>;
}

function parseEntry(value: string | undefined): LedgerEntry | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as { uid?: unknown; sent?: unknown };
    if (typeof parsed.uid !== 'string') return undefined;
    return { uid: parsed.uid, sent: readNotified(JSON.stringify(parsed.sent ?? {})) };
  } catch {
    // Unreadable: it only suppresses repeats, so it starts afresh.
    return undefined;
  }
}

/** What the ledger says was sent for this Rollout (empty for another Rollout of the same name). */
export function ledgerSent(data: Readonly<Record<string, string>> | undefined, rollout: LedgerRollout): Record<string, number> {
  const entry = parseEntry(data?.[ledgerKey(rollout)]);
  return entry === undefined || entry.uid !== rollout.uid ? {} : entry.sent;
}

function newest(entry: LedgerEntry | undefined): number {
  return Math.max(0, ...Object.values(entry?.sent ?? {}));
}

/**
 * The ledger's data with this Rollout's entry replaced by `notified` (recordNotified's output). Past
 * LEDGER_MAX_BYTES, whole entries of the Rollouts that sent longest ago go first (never this one).
 */
export function ledgerWithEntry(
  data: Readonly<Record<string, string>> | undefined,
  rollout: LedgerRollout,
  notified: string,
): Record<string, string> {
  const key = ledgerKey(rollout);
  const out: Record<string, string> = { ...data, [key]: JSON.stringify({ uid: rollout.uid, sent: JSON.parse(notified) as unknown }) };
  let size = Object.entries(out).reduce((sum, [k, v]) => sum + k.length + Buffer.byteLength(v, 'utf8'), 0);
  if (size <= LEDGER_MAX_BYTES) return out;
  const dropped = new Set<string>();
  const others = Object.keys(out)
    .filter((k) => k !== key)
    .sort((a, b) => newest(parseEntry(out[a])) - newest(parseEntry(out[b])) || a.localeCompare(b));
  for (const other of others) {
    if (size <= LEDGER_MAX_BYTES) break;
    size -= other.length + Buffer.byteLength(out[other] ?? '', 'utf8');
    dropped.add(other);
  }
  return Object.fromEntries(Object.entries(out).filter(([k]) => !dropped.has(k)));
}
