import type { GitCommit, GitRepository } from './git-repositories.js';
import { notFound } from './errors.js';
import { listed, requireRepository, stringParam, type Handler, type HandlerInput } from './handler.js';
import { nodeId, type Schemas } from './shape-user.js';
import type { RepositoryRecord } from './types.js';

/** Branches, refs, commits and contents, read from the repository's bare git repository. */
function gitOf(input: HandlerInput, repo: RepositoryRecord): GitRepository {
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  if (repository === undefined) throw notFound();
  return repository;
}

export const listBranches: Handler = (input) => {
  const repo = requireRepository(input);
  const heads = Object.entries(gitOf(input, repo).heads()).sort(([a], [b]) => a.localeCompare(b));
  const api = `${input.urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    status: 200,
    ...listed(input, heads, ([name, sha]): Schemas['short-branch'] => ({
      name,
      commit: { sha, url: `${api}/commits/${sha}` },
      protected: repo.protection?.[name] !== undefined,
    })),
  };
};

/** `GET /git/ref/heads/{branch}`: only branches exist here (no tags). */
export const getRef: Handler = (input) => {
  const repo = requireRepository(input);
  const ref = stringParam(input, 'ref');
  const branch = /^heads\/(.+)$/.exec(ref)?.[1];
  const sha = branch === undefined ? undefined : gitOf(input, repo).heads()[branch];
  if (sha === undefined) throw notFound();
  const api = `${input.urls.api}/repos/${repo.owner}/${repo.name}`;
  const shaped: Schemas['git-ref'] = {
    ref: `refs/${ref}`,
    node_id: nodeId('Ref', repo.id),
    url: `${api}/git/refs/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
  return { status: 200, body: shaped };
};

export const getGitCommit: Handler = (input) => {
  const repo = requireRepository(input);
  const commit = gitOf(input, repo).commit(stringParam(input, 'commit_sha'));
  if (commit === undefined) throw notFound();
  return { status: 200, body: shapeGitCommit(input, repo, commit) };
};

function shapeGitCommit(input: HandlerInput, repo: RepositoryRecord, commit: GitCommit): Schemas['git-commit'] {
  const api = `${input.urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', repo.id),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${input.urls.web}/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${input.urls.web}/${repo.owner}/${repo.name}/commit/${sha}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** A file (base64, as GitHub sends it) or a folder listing, at `ref` (default: the default branch). */
export const getContent: Handler = (input) => {
  const repo = requireRepository(input);
  const path = stringParam(input, 'path');
  const ref = typeof input.query['ref'] === 'string' ? input.query['ref'] : repo.defaultBranch;
  const entry = gitOf(input, repo).readPath(ref, path);
  if (entry === undefined) throw notFound();
  const api = `${input.urls.api}/repos/${repo.owner}/${repo.name}`;
  const item = (
    type: 'file' | 'dir',
    itemPath: string,
    sha: string,
    size: number,
  ): Omit<Schemas['content-file'], 'content' | 'encoding' | 'type'> & { type: 'file' | 'dir' } => {
    const encoded = itemPath.split('/').map(encodeURIComponent).join('/');
    const html = `${input.urls.web}/${repo.owner}/${repo.name}/${type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encoded}`;
    const self = `${api}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
    const git = `${api}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
    return {
      type,
      name: itemPath.split('/').at(-1) ?? itemPath,
      path: itemPath,
      sha,
      size: type === 'dir' ? 0 : size,
      url: self,
      html_url: html,
      git_url: git,
      download_url: type === 'dir' ? null : `${input.urls.web}/${repo.owner}/${repo.name}/raw/${encodeURIComponent(ref)}/${encoded}`,
      _links: { self, git, html },
    };
  };
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (entry.type === 'file') {
    const shaped: Schemas['content-file'] = {
      ...item('file', clean, entry.sha, entry.size),
      type: 'file',
      encoding: 'base64',
      content: entry.content.toString('base64').replace(/(.{60})/g, '$1\n'),
    };
    return { status: 200, body: shaped };
  }
  const listing: Schemas['content-directory'] = entry.entries.map((child) =>
    item(child.type, clean === '' ? child.name : `${clean}/${child.name}`, child.sha, child.size),
  );
  return { status: 200, body: listing };
};
