import picomatch from 'picomatch';

/** One line of a CODEOWNERS file: the pattern as written, its owners (possibly none) and a matcher. */
export interface CodeownersRule {
  pattern: string;
  owners: string[];
  /** 1-based line in the CODEOWNERS file. */
  line: number;
  matches: (path: string) => boolean;
}

/**
 * Parses a CODEOWNERS file with GitHub's rules: one pattern and its owners
 * per line, `#` starts a comment, `\` escapes a space or a leading `#`.
 * Lines GitHub skips as invalid (a `!` negation; GitHub has none) are skipped.
 */
export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  for (const [index, raw] of text.split(/\r?\n/u).entries()) {
    const tokens = splitUnescaped(raw.trim());
    const [pattern, ...rest] = tokens;
    if (pattern === undefined || pattern.startsWith('#') || pattern.startsWith('!')) continue;
    const commentAt = rest.findIndex((token) => token.startsWith('#'));
    const owners = commentAt === -1 ? rest : rest.slice(0, commentAt);
    const matcher = picomatch(codeownersGlobs(pattern), { dot: true });
    rules.push({ pattern, owners, line: index + 1, matches: (path) => matcher(path) });
  }
  return rules;
}

/** The owners of a path: those of the last rule that matches it (an empty list when that rule names none, or when none matches). */
export function codeOwnersOf(rules: readonly CodeownersRule[], path: string): string[] {
  const normalized = path.replace(/^\.?\//u, '');
  return rules.findLast((rule) => rule.matches(normalized))?.owners ?? [];
}

/**
 * A CODEOWNERS pattern as picomatch globs. As in .gitignore: a leading `/`
 * or a `/` inside anchors the pattern at the root, otherwise it matches at
 * any depth; a trailing `/` means everything under a directory; a name also
 * matches everything under it. Unlike .gitignore, GitHub's `docs/*` matches
 * only the files directly in docs/. Characters that are glob syntax for
 * picomatch but literal for GitHub (`[ ] ( ) { } + @ !`) are escaped.
 */
export function codeownersGlobs(pattern: string): string[] {
  let glob = pattern.replace(/\\(?=[# ])/gu, '').replace(/[[\](){}+@!]/gu, (character) => `\\${character}`);
  const anchored = glob.startsWith('/') || glob.slice(0, -1).includes('/');
  glob = glob.replace(/^\/+/u, '');
  const directory = glob.endsWith('/');
  glob = glob.replace(/\/+$/u, '');
  const base = anchored ? glob : `**/${glob}`;
  if (directory) return [`${base}/**`];
  if (glob.endsWith('/*')) return [base];
  return [base, `${base}/**`];
}

/** Splits on whitespace that is not escaped with `\`. */
function splitUnescaped(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] ?? '';
    if (character === '\\' && index + 1 < line.length) {
      current += character + (line[index + 1] ?? '');
      index += 1;
    } else if (/\s/u.test(character)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (current !== '') tokens.push(current);
  return tokens;
}
