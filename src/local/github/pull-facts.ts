import type { GitRepositories } from './git-repositories.js';
import { mergeableState } from './merge-rules.js';
import type { GithubState, PullFileRecord, PullRequestRecord, RepositoryRecord } from './types.js';

/** What a pull request's shape needs beyond its record: read from git for a git-backed repository. */
export interface PullFacts {
  files: PullFileRecord[];
  commits: number;
  mergeable: boolean | null;
  mergeableState: string;
  /** The head does not contain the base branch's head (what strict protection refuses). */
  behind: boolean;
}

/**
 * Files, commit count and mergeability. A seeded pull request (no git
 * repository behind it) keeps its recorded files and is always mergeable.
 * `base.sha` follows the base branch only while the pull request is open,
 * so a merged one is still diffed against the base it was merged into.
 */
export function pullFacts(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  git: GitRepositories | undefined,
): PullFacts {
  const repository = repo.heads === undefined ? undefined : git?.open(repo.owner, repo.name);
  if (repository === undefined) {
    return {
      files: pull.files,
      commits: 1,
      mergeable: pull.state === 'open' ? true : null,
      mergeableState: mergeableState(state, repo, pull, false),
      behind: false,
    };
  }
  const files = repository.changedFiles(pull.base.sha, pull.head.sha);
  const commits = repository.log(pull.head.sha, pull.base.sha).length;
  const conflicts = pull.state === 'open' && repository.mergeTree(pull.base.sha, pull.head.sha) === undefined;
  const behind = pull.state === 'open' && !repository.isAncestor(pull.base.sha, pull.head.sha);
  return {
    files,
    commits,
    mergeable: pull.state === 'open' ? !conflicts : null,
    mergeableState: mergeableState(state, repo, pull, conflicts, behind),
    behind,
  };
}
