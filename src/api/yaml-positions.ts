import { isAlias, isCollection, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './types.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Where the field at `path` is written in a YAML document: its name
 * (`at: 'key'`, for an unknown or unsupported field) or its value (the
 * default, for a wrong type or a bad value). A field that is not there (a
 * missing required one) is placed at the nearest written ancestor, on the
 * line that names it. Lines and columns count from 1.
 */
export function positionOf(
  document: Document,
  path: readonly PathSegment[],
  lineCounter: LineCounter,
  at: 'key' | 'value' = 'value',
): Position {
  let node: unknown = document.contents;
  // Where the last field found was named: its key, or for a list item the item itself.
  let named: Node | undefined = isNode(node) ? node : undefined;
  for (const [index, segment] of path.entries()) {
    node = resolve(document, node);
    let key: Node | undefined;
    let value: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      key = isNode(pair.key) ? pair.key : undefined;
      value = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      value = node.items[segment];
      if (value === undefined) break;
      key = isNode(value) ? value : undefined;
    } else {
      break;
    }
    const last = index === path.length - 1;
    if (last && at === 'key') return offsetToPosition(key?.range?.[0] ?? firstOffset(named, document), lineCounter);
    named = key ?? named;
    node = value;
    if (last) {
      const written = writtenValue(document, node);
      // A block map or list under a name reads as one thing starting at its name (`labels:`), not at its first entry.
      const block = isCollection(written) && written.flow !== true && key !== written;
      return offsetToPosition(block ? firstOffset(named, document) : (written?.range?.[0] ?? firstOffset(named, document)), lineCounter);
    }
  }
  return offsetToPosition(path.length === 0 ? (writtenValue(document, node)?.range?.[0] ?? 0) : firstOffset(named, document), lineCounter);
}

/** Where a document's content starts (after any `---`), for problems about the whole document. */
export function documentPosition(document: Document, lineCounter: LineCounter): Position {
  return offsetToPosition(firstOffset(isNode(document.contents) ? document.contents : undefined, document), lineCounter);
}

export function offsetToPosition(offset: number, lineCounter: LineCounter): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function firstOffset(node: Node | undefined, document: Document): number {
  return node?.range?.[0] ?? document.range?.[0] ?? 0;
}

function resolve(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

/** The node of a value as written; an empty value (`selector:`) has no place of its own. */
function writtenValue(document: Document, node: unknown): Node | undefined {
  const resolved = resolve(document, node);
  if (isScalar(resolved) && resolved.value === null && resolved.source === '') return undefined;
  if (isAlias(node)) return node;
  return isScalar(resolved) || isCollection(resolved) ? resolved : undefined;
}
