import { emptyTree, type GitRepository } from './git-repositories.js';
import { GithubApiError, notFound } from './errors.js';
import { paginate, requireRepository, stringParam, type Handler, type HandlerInput } from './handler.js';
import { shapeCommit } from './shape-commit.js';
import { shapeDiffEntry } from './shape-pull-request.js';
import type { Schemas } from './shape-user.js';
import type { RepositoryRecord } from './types.js';

/** Branches, commits and comparisons in the `commit` shape, read from the repository's bare git repository. */
function gitOf(input: HandlerInput, repo: RepositoryRecord): GitRepository {
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  if (repository === undefined) throw notFound();
  return repository;
}

/** `GET /repos/{o}/{r}/branches/{branch}`: the branch's head commit and its protection (classic: required checks only). */
export const getBranch: Handler = (input) => {
  const repo = requireRepository(input);
  const repository = gitOf(input, repo);
  const branch = stringParam(input, 'branch');
  const sha = repository.heads()[branch];
  const commit = sha === undefined ? undefined : repository.commit(sha);
  if (commit === undefined) throw new GithubApiError(404, 'Branch not found');
  const protection = repo.protection?.[branch];
  const api = `${input.urls.api}/repos/${repo.owner}/${repo.name}`;
  const encoded = encodeURIComponent(branch);
  const shaped: Schemas['branch-with-protection'] = {
    name: branch,
    commit: shapeCommit(input.state, repo, commit, input.urls),
    _links: { html: `${input.urls.web}/${repo.owner}/${repo.name}/tree/${encoded}`, self: `${api}/branches/${encoded}` },
    protected: protection !== undefined,
    protection: {
      enabled: protection !== undefined,
      required_status_checks: {
        enforcement_level: protection === undefined ? 'off' : 'non_admins',
        contexts: protection?.requiredContexts ?? [],
        checks: (protection?.requiredContexts ?? []).map((context) => ({ context, app_id: null })),
      },
    },
    protection_url: `${api}/branches/${encoded}/protection`,
    ...(protection !== undefined && protection.requiredApprovals > 0 && { required_approving_review_count: protection.requiredApprovals }),
  };
  return { status: 200, body: shaped };
};

/** `GET /repos/{o}/{r}/commits/{ref}`: a commit by SHA, branch or tag, with the files it changed against its first parent (paginated, as GitHub does). */
export const getCommit: Handler = (input) => {
  const repo = requireRepository(input);
  const repository = gitOf(input, repo);
  const ref = stringParam(input, 'ref');
  const sha = repository.resolve(ref);
  const commit = sha === undefined ? undefined : repository.commit(sha);
  if (commit === undefined) throw new GithubApiError(422, `No commit found for SHA: ${ref}`);
  const files = repository.diffFiles(commit.parents[0] ?? emptyTree, commit.sha);
  const page = paginate(input, files);
  const shaped = shapeCommit(input.state, repo, commit, input.urls, files);
  return {
    status: 200,
    body: { ...shaped, files: page.items.map((file) => shapeDiffEntry(repo, commit.sha, file, input.urls)) },
    headers: page.headers,
  };
};

/** At most this many commits in a comparison, as on GitHub. */
const maxComparedCommits = 250;

/**
 * `GET /repos/{o}/{r}/compare/{base}...{head}` (and the `{basehead}`
 * form): the three-dot comparison — commits on head since the merge base,
 * files changed between the merge base and head, ahead/behind counts.
 */
export const compareCommits: Handler = (input) => {
  const repo = requireRepository(input);
  const repository = gitOf(input, repo);
  const [baseRef, headRef] = baseAndHead(input);
  const base = repository.resolve(baseRef);
  const head = repository.resolve(headRef);
  if (base === undefined || head === undefined) throw notFound();
  const mergeBase = repository.mergeBase(base, head);
  if (mergeBase === undefined) throw notFound();
  const ahead = repository.log(head, base);
  const behind = repository.log(base, head);
  const baseCommit = repository.commit(base);
  const mergeBaseCommit = repository.commit(mergeBase);
  if (baseCommit === undefined || mergeBaseCommit === undefined) throw notFound();
  const files = repository.changedFiles(base, head);
  const page = paginate(input, files);
  const web = `${input.urls.web}/${repo.owner}/${repo.name}`;
  const range = `${baseRef}...${headRef}`;
  const shaped: Schemas['commit-comparison'] = {
    url: `${input.urls.api}/repos/${repo.owner}/${repo.name}/compare/${range}`,
    html_url: `${web}/compare/${range}`,
    permalink_url: `${web}/compare/${base}...${head}`,
    diff_url: `${web}/compare/${range}.diff`,
    patch_url: `${web}/compare/${range}.patch`,
    base_commit: shapeCommit(input.state, repo, baseCommit, input.urls),
    merge_base_commit: shapeCommit(input.state, repo, mergeBaseCommit, input.urls),
    status:
      ahead.length === 0 && behind.length === 0 ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged',
    ahead_by: ahead.length,
    behind_by: behind.length,
    total_commits: ahead.length,
    commits: ahead.slice(0, maxComparedCommits).map((commit) => shapeCommit(input.state, repo, commit, input.urls)),
    files: page.items.map((file) => shapeDiffEntry(repo, head, file, input.urls)),
  };
  return { status: 200, body: shaped, headers: page.headers };
};

/**
 * Base and head from the request path itself: openapi-backend splits
 * `{base}...{head}` wrongly (`main..` and ``), and `{basehead}` holds both.
 */
function baseAndHead(input: HandlerInput): [string, string] {
  const range = decodeURIComponent(input.path.slice(input.path.indexOf('/compare/') + '/compare/'.length));
  const match = /^(.+?)\.\.\.(.+)$/.exec(range);
  if (match?.[1] === undefined || match[2] === undefined) throw notFound();
  return [match[1], match[2]];
}
