import { isCollection, isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PolicyPath = readonly (string | number)[];

export interface Place {
  line: number;
  column: number;
}

/**
 * Where the field at `path` is written: its value (the default) or its name
 * (`at: 'key'`, for an unknown field). A field that is not written is placed
 * at the nearest ancestor that is, on the line that names it. The same rules
 * as src/api/yaml-positions.ts, for the simpler shape of a policy file.
 */
export function placeOf(document: Document, path: PolicyPath, lineCounter: LineCounter, at: 'key' | 'value' = 'value'): Place {
  let node: unknown = document.contents;
  let named: Node | undefined = isNode(node) ? node : undefined;
  for (const [index, segment] of path.entries()) {
    let key: Node | undefined;
    let value: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
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
    if (last && at === 'key') return place(key ?? named, lineCounter);
    named = key ?? named;
    node = value;
    if (last) {
      // A block map or list reads as one thing starting at its name; a scalar or a flow collection at its own place.
      const own = isScalar(value) ? (value.source === '' ? undefined : value) : isCollection(value) && value.flow === true ? value : undefined;
      return place(own ?? named, lineCounter);
    }
  }
  return place(named, lineCounter);
}

function place(node: Node | undefined, lineCounter: LineCounter): Place {
  const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
  return { line, column: col };
}
