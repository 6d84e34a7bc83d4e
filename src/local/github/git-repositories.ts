import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PullFileRecord } from './types.js';

/** A commit as git stores it; dates are ISO 8601. */
export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
}

export interface GitPerson {
  name: string;
  email: string;
  date: string;
}

export type GitEntry =
  | { type: 'file'; sha: string; size: number; content: Buffer }
  | { type: 'dir'; entries: { type: 'file' | 'dir'; sha: string; size: number; name: string }[] };

/**
 * One bare repository of the local git server, read and written with git
 * itself. Calls are synchronous: handlers are synchronous functions of the
 * state, and these are short local reads (a handler that needs git is one
 * git process or a few, not a network call).
 */
export interface GitRepository {
  /** Branch name → commit SHA. */
  heads: () => Record<string, string>;
  /** A branch, tag or (abbreviated) SHA → full commit SHA, or undefined. */
  resolve: (ref: string) => string | undefined;
  commit: (sha: string) => GitCommit | undefined;
  /** Commits reachable from `to` and from none of `exclude`, oldest first. */
  log: (to: string, exclude?: string | string[]) => GitCommit[];
  isAncestor: (ancestor: string, descendant: string) => boolean;
  /** The best common ancestor of two commits, or undefined when they share no history. */
  mergeBase: (a: string, b: string) => string | undefined;
  /** Files changed from `from` to `to` exactly (a commit against its parent; no merge base). */
  diffFiles: (from: string, to: string) => PullFileRecord[];
  /** Files changed between the merge base of `base` and `head`, and `head` (GitHub's three-dot diff). */
  changedFiles: (base: string, head: string) => PullFileRecord[];
  /** Paths a commit added, removed and modified against its first parent. */
  commitPaths: (sha: string) => { added: string[]; removed: string[]; modified: string[] };
  readPath: (ref: string, path: string) => GitEntry | undefined;
  /** The tree of merging `head` into `base`, or undefined when they conflict. */
  mergeTree: (base: string, head: string) => string | undefined;
  commitTree: (options: {
    tree: string;
    parents: string[];
    message: string;
    author: { name: string; email: string };
    date: Date;
  }) => string;
  /**
   * Replays the non-merge commits of `head` not in `onto` on top of `onto`,
   * each keeping its author and message (GitHub is the committer): a rebase
   * merge. Returns the new tip, or undefined when a commit does not apply.
   * Writes objects only; no branch moves.
   */
  replay: (options: { onto: string; head: string; date: Date }) => string | undefined;
  /** Moves a branch from `expected` to `sha`; fails if someone moved it meanwhile. */
  updateBranch: (branch: string, sha: string, expected: string) => void;
  /** Deletes a branch if it still points at `expected`. */
  deleteBranch: (branch: string, expected: string) => void;
}

export interface GitRepositories {
  /** The root the git server serves; a repository `owner/name` is `root/owner/name.git`. */
  root: string;
  /** Where people clone and push: `${url}/owner/name.git`. */
  url: string;
  open: (owner: string, name: string) => GitRepository | undefined;
  create: (owner: string, name: string, defaultBranch: string) => GitRepository;
  /** A bare copy of `from` (all its branches) as `to`: a fork. */
  fork: (from: { owner: string; name: string }, to: { owner: string; name: string }) => GitRepository;
  /** Copies `branch` of `from` into `into` as `ref` (GitHub's `refs/pull/N/head` for a pull request from a fork). */
  fetchRef: (from: { owner: string; name: string }, branch: string, into: { owner: string; name: string }, ref: string) => void;
}

const maxBuffer = 64 * 1024 * 1024;

export function gitRepositories(options: { root: string; url: string }): GitRepositories {
  const pathOf = (owner: string, name: string): string => join(options.root, owner, `${name}.git`);
  return {
    root: options.root,
    url: options.url,
    open: (owner, name) => {
      const path = pathOf(owner, name);
      return existsSync(join(path, 'HEAD')) ? gitRepository(path) : undefined;
    },
    create: (owner, name, defaultBranch) => {
      const path = pathOf(owner, name);
      if (!existsSync(join(path, 'HEAD'))) {
        mkdirSync(join(options.root, owner), { recursive: true });
        git(path, ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, path], false);
      }
      return gitRepository(path);
    },
    fork: (from, to) => {
      const path = pathOf(to.owner, to.name);
      if (!existsSync(join(path, 'HEAD'))) {
        mkdirSync(join(options.root, to.owner), { recursive: true });
        git(path, ['clone', '--quiet', '--bare', '--no-hardlinks', pathOf(from.owner, from.name), path], false);
      }
      return gitRepository(path);
    },
    fetchRef: (from, branch, into, ref) => {
      git(pathOf(into.owner, into.name), ['fetch', '--quiet', '--no-tags', pathOf(from.owner, from.name), `+refs/heads/${branch}:${ref}`]);
    },
  };
}

/** Inherited GIT_* variables (set when run from a hook) would point git at another repository. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));

function git(gitDir: string, args: string[], inRepository = true, env: Record<string, string> = {}): string {
  try {
    return execFileSync('git', inRepository ? ['--git-dir', gitDir, ...args] : args, {
      encoding: 'utf8',
      maxBuffer,
      env: { ...cleanEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw new Error(`git ${args.slice(0, 2).join(' ')} in ${gitDir} failed: ${stderr.trim()}`, { cause });
  }
}

/** Like `git` but a non-zero exit is an answer (undefined), not an error. */
function gitMaybe(gitDir: string, args: string[]): string | undefined {
  try {
    return git(gitDir, args);
  } catch {
    return undefined;
  }
}

const commitFormat = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00');

function parseCommit(record: string): GitCommit {
  const [sha = '', tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...message] = record.split('\0');
  return {
    sha,
    tree,
    parents: parents === '' ? [] : parents.split(' '),
    message: message.join('\0').replace(/\n+$/, ''),
    author: { name: an, email: ae, date: new Date(ad).toISOString() },
    committer: { name: cn, email: ce, date: new Date(cd).toISOString() },
  };
}

function gitRepository(path: string): GitRepository {
  return {
    heads: () => {
      const heads: Record<string, string> = {};
      for (const line of git(path, ['for-each-ref', '--format=%(objectname) %(refname:strip=2)', 'refs/heads/']).split('\n')) {
        const [sha, name] = line.split(' ', 2);
        if (sha !== undefined && name !== undefined && sha !== '') heads[name] = sha;
      }
      return heads;
    },
    resolve: (ref) => {
      if (ref.startsWith('-')) return undefined;
      return gitMaybe(path, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || undefined;
    },
    commit: (sha) => {
      if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
      const out = gitMaybe(path, ['log', '-1', `--format=${commitFormat}`, sha, '--']);
      return out === undefined ? undefined : parseCommit(out);
    },
    log: (to, exclude = []) => {
      const range = [to, ...(typeof exclude === 'string' ? [exclude] : exclude).map((sha) => `^${sha}`)];
      const out = git(path, ['log', '--reverse', `--format=${commitFormat}%x01`, ...range, '--']);
      return out
        .split('\x01')
        .map((record) => record.replace(/^\n/, ''))
        .filter((record) => record !== '')
        .map(parseCommit);
    },
    isAncestor: (ancestor, descendant) => gitMaybe(path, ['merge-base', '--is-ancestor', ancestor, descendant]) !== undefined,
    mergeBase: (a, b) => gitMaybe(path, ['merge-base', a, b])?.trim() || undefined,
    changedFiles: (base, head) => changedFiles(path, gitMaybe(path, ['merge-base', base, head])?.trim() ?? base, head),
    diffFiles: (from, to) => changedFiles(path, from, to),
    commitPaths: (sha) => {
      const paths = { added: [] as string[], removed: [] as string[], modified: [] as string[] };
      const out = git(path, ['diff-tree', '--root', '--no-commit-id', '-r', '--name-status', '-z', sha]);
      const fields = out.split('\0');
      for (let index = 0; index + 1 < fields.length; index += 2) {
        const status = fields[index] ?? '';
        const file = fields[index + 1] ?? '';
        if (status === 'A') paths.added.push(file);
        else if (status === 'D') paths.removed.push(file);
        else paths.modified.push(file);
      }
      return paths;
    },
    readPath: (ref, filePath) => readPath(path, ref, filePath),
    mergeTree: (base, head) => {
      const out = gitMaybe(path, ['merge-tree', '--write-tree', '--no-messages', base, head]);
      return out?.split('\n')[0]?.trim() || undefined;
    },
    commitTree: ({ tree, parents, message, author, date }) => {
      const when = date.toISOString();
      const env = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: when,
        GIT_COMMITTER_NAME: 'GitHub',
        GIT_COMMITTER_EMAIL: 'noreply@github.com',
        GIT_COMMITTER_DATE: when,
      };
      return git(path, ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', message], true, env).trim();
    },
    replay: ({ onto, head, date }) => replay(path, onto, head, date),
    updateBranch: (branch, sha, expected) => {
      git(path, ['update-ref', '-m', 'merged by the local GitHub', `refs/heads/${branch}`, sha, expected]);
    },
    deleteBranch: (branch, expected) => {
      git(path, ['update-ref', '-d', `refs/heads/${branch}`, expected]);
    },
  };
}

/** The tree of a commit with no parent: what a root commit is diffed against. */
export const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/**
 * Cherry-picks in a temporary worktree of the bare repository: git 2.39 has
 * no `merge-tree --merge-base` nor `replay`, and a worktree shares the
 * object store, so the new commits land in the repository without a push.
 */
function replay(path: string, onto: string, head: string, date: Date): string | undefined {
  const commits = git(path, ['rev-list', '--reverse', '--no-merges', head, `^${onto}`, '--'])
    .split('\n')
    .filter((line) => line !== '');
  if (commits.length === 0) return onto;
  const work = mkdtempSync(join(tmpdir(), 'gradual-rebase-'));
  const when = date.toISOString();
  const env = { GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com', GIT_COMMITTER_DATE: when };
  try {
    git(path, ['worktree', 'add', '--quiet', '--detach', work, onto]);
    const inWork = (args: string[]): string | undefined => {
      try {
        return execFileSync('git', ['-C', work, ...args], {
          encoding: 'utf8',
          maxBuffer,
          env: { ...cleanEnv, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch {
        return undefined;
      }
    };
    if (inWork(['cherry-pick', '--allow-empty', '--keep-redundant-commits', ...commits]) === undefined) {
      inWork(['cherry-pick', '--abort']);
      return undefined;
    }
    return inWork(['rev-parse', 'HEAD'])?.trim();
  } finally {
    gitMaybe(path, ['worktree', 'remove', '--force', work]);
    rmSync(work, { recursive: true, force: true });
    gitMaybe(path, ['worktree', 'prune']);
  }
}

const patchByteLimit = 500 * 1024;
const patchLineLimit = 20_000;

function changedFiles(path: string, mergeBase: string, head: string): PullFileRecord[] {
  const raw = git(path, ['diff', '--raw', '--no-abbrev', '-M', '-z', mergeBase, head]).split('\0');
  const numstat = git(path, ['diff', '--numstat', '-M', '-z', mergeBase, head]);
  const counts = parseNumstat(numstat);
  const files: PullFileRecord[] = [];
  for (let index = 0; index < raw.length;) {
    const meta = raw[index] ?? '';
    if (!meta.startsWith(':')) {
      index += 1;
      continue;
    }
    const [, , oldSha = '', newSha = '', code = ''] = meta.slice(1).split(' ');
    const renamed = code.startsWith('R') || code.startsWith('C');
    const previous = raw[index + 1] ?? '';
    const filename = renamed ? (raw[index + 2] ?? '') : previous;
    index += renamed ? 3 : 2;
    const status = code.startsWith('A') ? 'added' : code.startsWith('D') ? 'removed' : renamed ? 'renamed' : 'modified';
    const count = counts.get(filename) ?? { additions: 0, deletions: 0 };
    // GitHub's diff limits apply to the API too: no patch for a file whose diff passes 500 KB or 20,000 lines
    // (docs.github.com/en/repositories/creating-and-managing-repositories/repository-limits#diff-limits).
    const patch =
      count.additions + count.deletions > patchLineLimit
        ? ''
        : git(path, ['diff', '--no-color', '--no-ext-diff', '-M', mergeBase, head, '--', ...(renamed ? [previous] : []), filename]);
    const hunks = patch.length > patchByteLimit ? -1 : patch.indexOf('\n@@');
    files.push({
      filename,
      status,
      additions: count.additions,
      deletions: count.deletions,
      ...(hunks >= 0 && { patch: patch.slice(hunks + 1).replace(/\n$/, '') }),
      sha: status === 'removed' ? oldSha : newSha,
      ...(renamed && { previousFilename: previous }),
    });
  }
  return files;
}

function parseNumstat(out: string): Map<string, { additions: number; deletions: number }> {
  const counts = new Map<string, { additions: number; deletions: number }>();
  const fields = out.split('\0');
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index] ?? '';
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field.replace(/^\n/, ''));
    if (match === null) continue;
    let filename = match[3] ?? '';
    // A rename prints an empty name and then the old and new names as two more fields.
    if (filename === '') {
      filename = fields[index + 2] ?? '';
      index += 2;
    }
    counts.set(filename, { additions: Number(match[1]) || 0, deletions: Number(match[2]) || 0 });
  }
  return counts;
}

function readPath(path: string, ref: string, filePath: string): GitEntry | undefined {
  const clean = filePath.replace(/^\/+|\/+$/g, '');
  const object = `${ref}:${clean}`;
  const type = gitMaybe(path, ['cat-file', '-t', object])?.trim();
  if (type === 'blob') {
    const sha = git(path, ['rev-parse', object]).trim();
    const content = execFileSync('git', ['--git-dir', path, 'cat-file', 'blob', sha], { maxBuffer, env: cleanEnv });
    return { type: 'file', sha, size: content.length, content };
  }
  if (type !== 'tree') return undefined;
  const entries: Extract<GitEntry, { type: 'dir' }>['entries'] = [];
  for (const line of git(path, ['ls-tree', '-l', '-z', object]).split('\0')) {
    const match = /^\d+ (blob|tree|commit) ([0-9a-f]+)\s+(-|\d+)\t(.*)$/s.exec(line);
    if (match === null) continue;
    entries.push({ type: match[1] === 'tree' ? 'dir' : 'file', sha: match[2] ?? '', size: Number(match[3]) || 0, name: match[4] ?? '' });
  }
  return { type: 'dir', entries };
}
