import { Lexer, type Token, type TokensList } from 'marked';

/*
 * Which lines of a comment may hold a command: those GitHub shows as text. A line inside a code
 * block (fenced or indented), a `<pre>` block, an HTML comment, inline code or a `>` quote
 * (including its lazy continuation lines, which GitHub shows inside the quote) is text *about*
 * a command — a reply quoting `/abort` must not abort anything. The comment is read with the
 * Markdown lexer the local GitHub renders with (marked, GFM), so "inside" means what the reader
 * sees, not what a line-by-line guess would say.
 */

export interface CommentLine {
  /** 1-based. */
  line: number;
  /** The line as written, without its line break. */
  text: string;
}

/** HTML blocks whose content is not Markdown text: comments and the raw-text elements (CommonMark's HTML block kinds 1 and 2). */
const opaqueHtmlBlock = /^ {0,3}(?:<!--|<(?:pre|script|style|textarea)(?:\s|>|$))/iu;
const preOpen = /^<(?:pre|code)(?:\s|>)/iu;
const preClose = /^<\/(?:pre|code)\s*>/iu;

type Range = [start: number, end: number];

/** A line opening 64 nested quotes (quote markers with up to 3 spaces between). */
const tooDeep = /^(?: {0,3}>){64}/mu;

/** The tokens a token holds, in source order: block children, list items, inline tokens. */
function childrenOf(token: Token): Token[] {
  if (token.type === 'list') return (token as { items: Token[] }).items;
  const { tokens } = token as { tokens?: Token[] };
  return tokens ?? [];
}

/** Whether a token is text about commands as a whole (its lines are never commands). */
function isOpaque(token: Token): boolean {
  if (token.type === 'code' || token.type === 'codespan' || token.type === 'blockquote') return true;
  if (token.type === 'html') return token.block === true ? opaqueHtmlBlock.test(token.raw) : token.raw.startsWith('<!--');
  return false;
}

/**
 * The ranges of `source` (offsets) that are opaque, found by locating each token's raw text in
 * its parent's. A nested token's raw text is not always verbatim in its parent's (a list item's
 * lines lose their indentation); when an opaque one cannot be located, its whole parent counts
 * as opaque: a command is missed rather than one run from inside code.
 */
function opaqueRanges(tokens: readonly Token[], base: number, parentRaw: string, ranges: Range[]): void {
  let cursor = 0;
  let openPre: number | undefined;
  for (const token of tokens) {
    const at = parentRaw.indexOf(token.raw, cursor);
    if (at < 0 || token.raw === '') {
      if (containsOpaque(token)) {
        ranges.push([base, base + parentRaw.length]);
        return;
      }
      continue;
    }
    const start = base + at;
    const end = start + token.raw.length;
    cursor = at + token.raw.length;
    // An inline <pre> (or <code>) opened in a paragraph runs to its closing tag, or to the end of the paragraph.
    if (token.type === 'html' && token.block !== true && preOpen.test(token.raw)) openPre ??= start;
    if (token.type === 'html' && token.block !== true && preClose.test(token.raw) && openPre !== undefined) {
      ranges.push([openPre, end]);
      openPre = undefined;
      continue;
    }
    if (isOpaque(token)) ranges.push([start, end]);
    else opaqueRanges(childrenOf(token), start, token.raw, ranges);
  }
  if (openPre !== undefined) ranges.push([openPre, base + parentRaw.length]);
}

function containsOpaque(token: Token): boolean {
  return isOpaque(token) || (token.type === 'html' && preOpen.test(token.raw)) || childrenOf(token).some(containsOpaque);
}

/** Sorted, disjoint: lines are then checked in one pass, however many ranges a hostile comment makes. */
function mergeRanges(ranges: Range[]): Range[] {
  const merged: Range[] = [];
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** The lines of a comment that GitHub shows as text, each with its number; the others are left out. */
export function textLines(body: string): CommentLine[] {
  const source = body.replace(/\r\n|\r/gu, '\n');
  // Quotes nested this deep are no conversation; the lexer would spend long recursing before failing (below).
  if (tooDeep.test(source)) return [];
  let tokens: TokensList;
  try {
    tokens = new Lexer({ gfm: true }).lex(source);
  } catch {
    // The lexer recurses per nesting level: thousands of nested quotes exhaust the stack (found by the fuzzer). A
    // comment that cannot be read as Markdown has no line known to be text, so none is taken as a command.
    return [];
  }
  const ranges: Range[] = [];
  opaqueRanges(tokens, 0, source, ranges);
  const merged = mergeRanges(ranges);
  const lines: CommentLine[] = [];
  let offset = 0;
  let next = 0;
  source.split('\n').forEach((text, index) => {
    // The line's first character that is not a space: a command starts there, so that is what must be outside.
    const first = offset + (text.length - text.trimStart().length);
    offset += text.length + 1;
    while (next < merged.length && (merged[next]?.[1] ?? 0) <= first) next += 1;
    const range = merged[next];
    if (range === undefined || first < range[0]) lines.push({ line: index + 1, text });
  });
  return lines;
}
