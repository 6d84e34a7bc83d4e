import {
  CST,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  Lexer,
  parseAllDocuments,
  YAMLParseError,
  type Document,
  type LineCounter,
} from 'yaml';

/*
 * YAML from a pull request, parsed in time linear in its size. The `yaml` package checks
 * that a map's keys are unique by comparing each new key with every earlier key of the map
 * (compose/util-map-includes.js): quadratic, 40,000 keys took 71 s on a loaded shared
 * machine and 1.2 s without the check. The check is turned off (`uniqueKeys: false`) and
 * done here in one pass with a Set per map, reported as the same error at the same place
 * (the duplicate key), so a duplicate is still refused. Nesting deeper than
 * MAX_YAML_DEPTH is an error too: later steps (toJS, validation, positions) recurse.
 *
 * Size caps are the caller's (they depend on the policy): measure a text's bytes, then its
 * nodes and documents with measureYaml (a streaming lex, no tree), and parse only what is
 * under them. Parsing holds ~300 bytes to 1 KB of memory per node (measured: 2 MiB of
 * `[1,1,…]`, a million nodes, took 1 GB), so bytes alone do not bound memory.
 */

/** Deeper than any Kubernetes object or policy file; the recursive steps after parsing stay far from the stack's end. */
export const MAX_YAML_DEPTH = 200;

type ParsedDocument = Document.Parsed;

/** parseAllDocuments, linear: duplicate keys and excessive nesting are errors on their document. */
export function parseYamlDocuments(text: string, lineCounter: LineCounter): ParsedDocument[] {
  let documents: ParsedDocument[];
  try {
    documents = Array.from(parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false }));
  } catch (cause) {
    // The composer recurses into nested collections; a stack overflow is a document too deep, not a crash.
    if (cause instanceof RangeError) return [failedDocument(lineCounter, `nested deeper than ${String(MAX_YAML_DEPTH)} levels`)];
    throw cause;
  }
  for (const document of documents) checkDocument(document);
  return documents;
}

/** The one document of a file that must hold exactly one (a policy file), parsed as parseYamlDocuments does. */
export function parseYamlDocument(text: string, lineCounter: LineCounter): ParsedDocument {
  const documents = parseYamlDocuments(text, lineCounter);
  const [first, second] = documents;
  if (first === undefined) return failedDocument(lineCounter, undefined);
  if (second !== undefined) {
    const at = second.range[0];
    first.errors.push(
      new YAMLParseError([at, at + 1], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'),
    );
  }
  return first;
}

/** A document holding nothing (null), with an error at the start when one is given. */
function failedDocument(lineCounter: LineCounter, message: string | undefined): ParsedDocument {
  const [document] = parseAllDocuments('~', { lineCounter, prettyErrors: false }) as ParsedDocument[];
  if (document === undefined) throw new Error('unreachable: "~" is one document');
  if (message !== undefined) document.errors.push(new YAMLParseError([0, 1], 'BAD_INDENT', message));
  return document;
}

/** Duplicate keys (as yaml reports them: "Map keys must be unique" at the second key) and depth, in one iterative pass. */
function checkDocument(document: ParsedDocument): void {
  if (document.errors.length > 0) return;
  const stack: [node: unknown, depth: number][] = [[document.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() ?? [undefined, 0];
    if (!isNode(node) || isAlias(node) || !isCollection(node)) continue;
    if (depth > MAX_YAML_DEPTH) {
      const at = node.range?.[0] ?? 0;
      document.errors.push(new YAMLParseError([at, at + 1], 'BAD_INDENT', `nested deeper than ${String(MAX_YAML_DEPTH)} levels`));
      return;
    }
    const keys = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items) {
      if (isPair(item)) {
        // yaml's own rule: scalar keys are equal when their values are (`1` and `"1"` differ); other keys never are.
        if (keys !== undefined && isScalar(item.key)) {
          if (keys.has(item.key.value)) {
            const at = item.key.range?.[0] ?? 0;
            document.errors.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          } else {
            keys.add(item.key.value);
          }
        }
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      } else {
        stack.push([item, depth + 1]);
      }
    }
  }
}

/** Token types of yaml's lexer that are a node of the tree: scalars, aliases, flow collections and sequence items. */
const nodeTokens = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'block-scalar-header',
  'alias',
  'flow-seq-start',
  'flow-map-start',
  'seq-item-ind',
]);

export interface YamlMeasure {
  /** Nodes (scalars, aliases, collections, sequence items) counted, up to the first cap passed. */
  nodes: number;
  /** An upper bound on the documents: `---` markers + 1, up to the first cap passed. */
  documents: number;
  /** The first cap passed, and the offset in the text of the token that passed it. */
  over?: { what: 'nodes' | 'documents'; offset: number };
}

/**
 * Counts a text's YAML nodes and documents with yaml's lexer, which yields tokens as it goes
 * and builds nothing: linear time, constant memory beyond the text. Stops at the first cap
 * passed. The lexer's control markers (one character below a space, not a line break) are
 * not in the source and do not move the offset.
 */
export function measureYaml(text: string, caps: { nodes: number; documents: number }): YamlMeasure {
  let nodes = 0;
  let documents = 1;
  let offset = 0;
  // The first document needs no marker: with no document left, the text's start is already past the cap.
  if (caps.documents < 1 && text.trim() !== '') return { nodes, documents, over: { what: 'documents', offset: 0 } };
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type !== null && nodeTokens.has(type)) {
      nodes += 1;
      if (nodes > caps.nodes) return { nodes, documents, over: { what: 'nodes', offset } };
    } else if (type === 'doc-start') {
      documents += 1;
      if (documents > caps.documents) return { nodes, documents, over: { what: 'documents', offset } };
    }
    if (!(token.length === 1 && token < ' ' && token !== '\n' && token !== '\t' && token !== '\r')) offset += token.length;
  }
  return { nodes, documents };
}
