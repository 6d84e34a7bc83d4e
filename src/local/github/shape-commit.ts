import type { GitCommit } from './git-repositories.js';
import { shapeDiffEntry } from './shape-pull-request.js';
import { nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, PullFileRecord, RepositoryRecord, UserRecord } from './types.js';

/** People's commits here carry `login@users.noreply.local` (see person.ts); GitHub maps a commit to an account by its e-mail in the same way. */
const noreplySuffix = '@users.noreply.local';

function accountOf(state: GithubState, email: string): UserRecord | undefined {
  if (!email.endsWith(noreplySuffix)) return undefined;
  const login = email.slice(0, -noreplySuffix.length).toLowerCase();
  return state.users.find((user) => user.login.toLowerCase() === login);
}

/**
 * A commit as the REST API's `commit` schema has it (get a commit, a
 * branch's commit, a comparison's commits): git's author and committer,
 * and the GitHub accounts they map to (null when none does). `files` is
 * given only where GitHub lists them (get a commit).
 */
export function shapeCommit(
  state: GithubState,
  repo: RepositoryRecord,
  commit: GitCommit,
  urls: Urls,
  files?: readonly PullFileRecord[],
): Schemas['commit'] {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const web = `${urls.web}/${repo.owner}/${repo.name}`;
  const author = accountOf(state, commit.author.email);
  const committer = accountOf(state, commit.committer.email);
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId('Commit', repo.id),
    html_url: `${web}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: author === undefined ? null : shapeUser(author, urls),
    committer: committer === undefined ? null : shapeUser(committer, urls),
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${web}/commit/${sha}` })),
    ...(files !== undefined && {
      stats: {
        additions: files.reduce((sum, file) => sum + file.additions, 0),
        deletions: files.reduce((sum, file) => sum + file.deletions, 0),
        total: files.reduce((sum, file) => sum + file.additions + file.deletions, 0),
      },
      files: files.map((file) => shapeDiffEntry(repo, commit.sha, file, urls)),
    }),
  };
}
