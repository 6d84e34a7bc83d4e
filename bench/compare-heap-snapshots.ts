// npx tsx bench/compare-heap-snapshots.ts BEFORE.heapsnapshot AFTER.heapsnapshot [rows]
// Two V8 heap snapshots of one process (the soak's GRADUAL_SOAK_SNAPSHOTS): the constructors whose
// object count and self size grew most, and for the top ones what retains a few objects that are new
// in the second snapshot (V8 keeps an object's id across snapshots of one process), as a chain of
// retainers (a shortest path from the GC roots, twelve steps at most). Parses the snapshot JSON whole: ~5× the file size in memory.
import { readFile } from 'node:fs/promises';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Parsed {
  count: number;
  nodeFields: number;
  edgeFields: number;
  raw: Snapshot;
  nameOf(node: number): string;
  idOf(node: number): number;
  selfSize(node: number): number;
  /** The group a node counts in: its constructor for objects, "(type)" otherwise (strings, closures, arrays). */
  groupOf(node: number): string;
}

async function parse(path: string): Promise<Parsed> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
  const meta = raw.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const field = (name: string): number => meta.node_fields.indexOf(name);
  const [typeField, nameField, idField, sizeField] = [field('type'), field('name'), field('id'), field('self_size')];
  const types = meta.node_types[0];
  const at = (node: number, offset: number): number => raw.nodes[node * nodeFields + offset] ?? 0;
  const nameOf = (node: number): string => raw.strings[at(node, nameField)] ?? '';
  return {
    count: raw.nodes.length / nodeFields,
    nodeFields,
    edgeFields: meta.edge_fields.length,
    raw,
    nameOf,
    idOf: (node) => at(node, idField),
    selfSize: (node) => at(node, sizeField),
    groupOf(node) {
      const type = types[at(node, typeField)] ?? '?';
      return type === 'object' || type === 'native' ? nameOf(node) : `(${type})`;
    },
  };
}

function groups(snapshot: Parsed): Map<string, { count: number; size: number }> {
  const result = new Map<string, { count: number; size: number }>();
  for (let node = 0; node < snapshot.count; node += 1) {
    const group = snapshot.groupOf(node);
    const entry = result.get(group) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += snapshot.selfSize(node);
    result.set(group, entry);
  }
  return result;
}

/** A shortest retaining path from the root (node 0) to every node, over edges that are not weak: [retainer node, edge name]. */
function retainers(snapshot: Parsed): { from: Int32Array; edgeName: string[] } {
  const { raw, nodeFields, edgeFields } = snapshot;
  const meta = raw.snapshot.meta;
  const edgeTypes = meta.edge_types[0];
  const [typeField, nameField, toField] = ['type', 'name_or_index', 'to_node'].map((name) => meta.edge_fields.indexOf(name)) as [
    number,
    number,
    number,
  ];
  const edgeCountField = meta.node_fields.indexOf('edge_count');
  const firstEdge = new Int32Array(snapshot.count + 1);
  for (let node = 0; node < snapshot.count; node += 1)
    firstEdge[node + 1] = (firstEdge[node] ?? 0) + (raw.nodes[node * nodeFields + edgeCountField] ?? 0);
  const from = new Int32Array(snapshot.count).fill(-1);
  const edgeName: string[] = [];
  const queue = new Int32Array(snapshot.count);
  let head = 0;
  let tail = 1;
  from[0] = 0;
  while (head < tail) {
    const node = queue[head] ?? 0;
    head += 1;
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge += 1) {
      const base = edge * edgeFields;
      const type = edgeTypes[raw.edges[base + typeField] ?? 0] ?? '';
      if (type === 'weak' || type === 'shortcut') continue;
      const to = (raw.edges[base + toField] ?? 0) / nodeFields;
      if (from[to] !== -1) continue;
      from[to] = node;
      const name = raw.edges[base + nameField] ?? 0;
      edgeName[to] = type === 'element' || type === 'hidden' ? `[${String(name)}]` : (raw.strings[name] ?? '');
      queue[tail] = to;
      tail += 1;
    }
  }
  return { from, edgeName };
}

async function main(): Promise<void> {
  const [beforePath, afterPath, rowsText] = process.argv.slice(2);
  if (beforePath === undefined || afterPath === undefined)
    throw new Error('usage: compare-heap-snapshots.ts BEFORE.heapsnapshot AFTER.heapsnapshot [rows]');
  const rows = Number(rowsText ?? '25');
  const before = await parse(beforePath);
  const beforeIds = new Set<number>();
  for (let node = 0; node < before.count; node += 1) beforeIds.add(before.idOf(node));
  const beforeGroups = groups(before);
  before.raw.nodes = [];
  const after = await parse(afterPath);
  const afterGroups = groups(after);
  const growth = [...afterGroups.entries()]
    .map(([group, { count, size }]) => {
      const old = beforeGroups.get(group) ?? { count: 0, size: 0 };
      return { group, count: count - old.count, size: size - old.size, total: size };
    })
    .sort((a, b) => b.size - a.size)
    .slice(0, rows);
  const total = (all: Map<string, { size: number }>): number => [...all.values()].reduce((sum, entry) => sum + entry.size, 0);
  process.stdout.write(
    `self size ${(total(beforeGroups) / 2 ** 20).toFixed(1)} → ${(total(afterGroups) / 2 ** 20).toFixed(1)} MiB; ${String(before.count)} → ${String(after.count)} nodes\n`,
  );
  process.stdout.write('growth by constructor (count, self size KiB, self size after KiB):\n');
  for (const entry of growth)
    process.stdout.write(
      `  ${entry.group.slice(0, 60).padEnd(60)} ${String(entry.count).padStart(8)} ${(entry.size / 1024).toFixed(0).padStart(8)} ${(entry.total / 1024).toFixed(0).padStart(8)}\n`,
    );
  const { from, edgeName } = retainers(after);
  for (const { group } of growth.slice(0, 8)) {
    const fresh: number[] = [];
    for (let node = 0; node < after.count && fresh.length < 2; node += 1)
      if (after.groupOf(node) === group && !beforeIds.has(after.idOf(node))) fresh.push(node);
    for (const node of fresh) {
      const chain: string[] = [];
      for (let current = node, steps = 0; current > 0 && steps < 12; current = from[current] ?? 0, steps += 1)
        chain.push(`${after.groupOf(current).slice(0, 50)}, held as .${(edgeName[current] ?? '?').slice(0, 50)} by`);
      process.stdout.write(
        `\n${group.slice(0, 60)} @${String(after.idOf(node))} retained by (shortest path to a root):\n    ${chain.join('\n    ')} (root)\n`,
      );
    }
  }
}

await main();
