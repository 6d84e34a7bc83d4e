import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import type { CollaboratorPermission } from './types.js';

const execFileAsync = promisify(execFile);

/**
 * Acting as a person on the local GitHub, the way they would on github.com:
 * GitHub's REST API with their token, and real `git push` over HTTP to the
 * local git server. Used by `gradual local github …` and by tests.
 */
export interface Person {
  login: string;
  token: string;
  /** The local GitHub's URL. */
  apiUrl: string;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** GitHub's REST API as this person, quiet (the local GitHub's answers are checked there, not logged here). */
export function personOctokit(person: Person): Octokit {
  return new Octokit({
    baseUrl: person.apiUrl,
    auth: person.token,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

/** Creates the repository (in the organization `owner`, or the person's own) and pushes `folder` as the first commit of its default branch. */
export async function createRepositoryFromFolder(
  person: Person,
  options: RepositoryRef & { folder: string; private?: boolean },
): Promise<{ cloneUrl: string; sha: string }> {
  const octokit = personOctokit(person);
  const created =
    options.owner === person.login
      ? await octokit.rest.repos.createForAuthenticatedUser({ name: options.repo, private: options.private ?? false })
      : await octokit.rest.repos.createInOrg({ org: options.owner, name: options.repo, private: options.private ?? false });
  const files = await readFolder(options.folder);
  const sha = await pushBranch(person, { ...options, branch: created.data.default_branch, files, message: 'Initial commit' });
  return { cloneUrl: created.data.clone_url, sha };
}

/**
 * Commits `files` (path → content; null deletes) on `branch` — started from
 * `from` (default: the default branch) when it does not exist yet — and
 * pushes it with git over HTTP. Returns the new commit's SHA.
 */
export async function pushBranch(
  person: Person,
  options: RepositoryRef & { branch: string; from?: string; files: Readonly<Record<string, string | null>>; message: string },
): Promise<string> {
  const repository = (await personOctokit(person).rest.repos.get({ owner: options.owner, repo: options.repo })).data;
  const work = await mkdtemp(join(tmpdir(), 'gradual-person-'));
  // The pusher is named by basic auth, which the git server passes on as the push's sender.
  const auth = ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`${person.login}:`).toString('base64')}`];
  const git = async (...args: string[]): Promise<string> =>
    (await execFileAsync('git', [...auth, ...args], { cwd: work, env: gitEnv(person.login) })).stdout.trim();
  try {
    await git('init', '--quiet', `--initial-branch=${options.branch}`);
    await git('remote', 'add', 'origin', repository.clone_url);
    const remote = await git('ls-remote', '--heads', 'origin');
    const has = (branch: string): boolean => remote.split('\n').some((line) => line.endsWith(`\trefs/heads/${branch}`));
    const start = has(options.branch)
      ? options.branch
      : has(options.from ?? repository.default_branch)
        ? (options.from ?? repository.default_branch)
        : undefined;
    if (start !== undefined) {
      await git('fetch', '--quiet', 'origin', start);
      await git('checkout', '--quiet', '-B', options.branch, 'FETCH_HEAD');
    }
    for (const [path, content] of Object.entries(options.files)) {
      const target = join(work, path);
      if (relative(work, target).startsWith('..')) throw new Error(`pushBranch: ${path} is outside the repository`);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    await git('add', '--all');
    await git('commit', '--quiet', '--allow-empty', '-m', options.message);
    await git('push', '--quiet', 'origin', `HEAD:refs/heads/${options.branch}`);
    return await git('rev-parse', 'HEAD');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function gitEnv(login: string): NodeJS.ProcessEnv {
  const email = `${login}@users.noreply.local`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
  return {
    ...inherited,
    GIT_AUTHOR_NAME: login,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: login,
    GIT_COMMITTER_EMAIL: email,
    GIT_TERMINAL_PROMPT: '0',
  };
}

async function readFolder(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files[relative(folder, path)] = await readFile(path, 'utf8');
    }
  };
  await walk(folder);
  return files;
}

export async function openPullRequest(
  person: Person,
  options: RepositoryRef & { head: string; base?: string; title: string; body?: string },
): Promise<number> {
  const octokit = personOctokit(person);
  const base = options.base ?? (await octokit.rest.repos.get({ owner: options.owner, repo: options.repo })).data.default_branch;
  const created = await octokit.rest.pulls.create({
    owner: options.owner,
    repo: options.repo,
    head: options.head,
    base,
    title: options.title,
    ...(options.body !== undefined && { body: options.body }),
  });
  return created.data.number;
}

/** Forks the repository into the person's account (all branches); returns the fork's `owner/name`. */
export async function forkRepository(person: Person, options: RepositoryRef): Promise<string> {
  return (await personOctokit(person).rest.repos.createFork({ owner: options.owner, repo: options.repo })).data.full_name;
}

export async function comment(person: Person, options: RepositoryRef & { number: number; body: string }): Promise<number> {
  return (
    await personOctokit(person).rest.issues.createComment({
      owner: options.owner,
      repo: options.repo,
      issue_number: options.number,
      body: options.body,
    })
  ).data.id;
}

export async function approve(person: Person, options: RepositoryRef & { number: number; body?: string }): Promise<void> {
  await personOctokit(person).rest.pulls.createReview({
    owner: options.owner,
    repo: options.repo,
    pull_number: options.number,
    event: 'APPROVE',
    ...(options.body !== undefined && { body: options.body }),
  });
}

export async function merge(
  person: Person,
  options: RepositoryRef & { number: number; method?: 'merge' | 'squash' | 'rebase' },
): Promise<string> {
  return (
    await personOctokit(person).rest.pulls.merge({
      owner: options.owner,
      repo: options.repo,
      pull_number: options.number,
      merge_method: options.method ?? 'merge',
    })
  ).data.sha;
}

export async function close(person: Person, options: RepositoryRef & { number: number }): Promise<void> {
  await personOctokit(person).rest.pulls.update({ owner: options.owner, repo: options.repo, pull_number: options.number, state: 'closed' });
}

/** Classic branch protection; `strict` also requires the head branch to be up to date with the base before merging. */
export async function setBranchProtection(
  person: Person,
  options: RepositoryRef & { branch: string; requiredChecks: string[]; requiredApprovals: number; strict?: boolean },
): Promise<void> {
  await personOctokit(person).rest.repos.updateBranchProtection({
    owner: options.owner,
    repo: options.repo,
    branch: options.branch,
    required_status_checks: { strict: options.strict ?? false, contexts: options.requiredChecks },
    enforce_admins: null,
    required_pull_request_reviews: options.requiredApprovals > 0 ? { required_approving_review_count: options.requiredApprovals } : null,
    restrictions: null,
  });
}

/**
 * A person with a role, for tools outside the server's process: asks the
 * local GitHub's `/_local/people` (with the environment's admin token) for a
 * token, as a person would create a personal access token on github.com.
 */
export async function personFor(options: {
  apiUrl: string;
  adminToken: string;
  login: string;
  role: CollaboratorPermission;
  repository?: { owner: string; name: string };
}): Promise<Person> {
  const response = await fetch(`${options.apiUrl}/_local/people`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      login: options.login,
      role: options.role,
      ...(options.repository !== undefined && { repository: options.repository }),
    }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!response.ok || body.token === undefined)
    throw new Error(`the local GitHub at ${options.apiUrl} gave no token for ${options.login}: ${body.message ?? String(response.status)}`);
  return { login: options.login, token: body.token, apiUrl: options.apiUrl };
}

/** Presses a check run's button, as on the pull-request page: the server sends `check_run.requested_action`. */
export async function pressCheckRunButton(options: {
  apiUrl: string;
  login: string;
  checkRunId: number;
  identifier: string;
}): Promise<void> {
  const response = await fetch(`${options.apiUrl}/_local/check-runs/${String(options.checkRunId)}/press`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: options.identifier, login: options.login }),
  });
  const body = (await response.json()) as { message?: string };
  if (!response.ok)
    throw new Error(
      `pressing ${options.identifier} on check run ${String(options.checkRunId)} failed: ${body.message ?? String(response.status)}`,
    );
}

/** Installs the app on an account, as its owner would on github.com (needs the environment's admin token); returns the installation id. */
export async function installApp(options: { apiUrl: string; adminToken: string; account: string; sender?: string }): Promise<number> {
  const response = await fetch(`${options.apiUrl}/_local/installations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ account: options.account, ...(options.sender !== undefined && { sender: options.sender }) }),
  });
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok || body.id === undefined)
    throw new Error(`installing the app on ${options.account} at ${options.apiUrl} failed: ${body.message ?? String(response.status)}`);
  return body.id;
}

/**
 * Adds a pull request to its base branch's merge queue ("Merge when ready"), or removes it. GitHub does
 * this through GraphQL (`enqueuePullRequest`/`dequeuePullRequest`); the local GitHub's stand-in is a local
 * route taking the person's token. Returns the queue's pull request numbers in order.
 */
export async function mergeQueue(
  person: Person,
  options: RepositoryRef & { number: number; action: 'enqueue' | 'dequeue' },
): Promise<number[]> {
  const response = await fetch(
    `${person.apiUrl}/_local/repos/${options.owner}/${options.repo}/pulls/${String(options.number)}/merge-queue`,
    { method: options.action === 'enqueue' ? 'POST' : 'DELETE', headers: { authorization: `token ${person.token}` } },
  );
  const body = (await response.json()) as { queue?: { pull_number: number }[]; message?: string };
  if (!response.ok || body.queue === undefined)
    throw new Error(
      `${options.action} of #${String(options.number)} in ${options.owner}/${options.repo} failed: ${String(response.status)} ${body.message ?? ''}`,
    );
  return body.queue.map((entry) => entry.pull_number);
}
