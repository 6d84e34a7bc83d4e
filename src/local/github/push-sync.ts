import type { GitRepositories, GitRepository } from './git-repositories.js';
import type { WebhookEvent } from './handler.js';
import { checkSuiteEvent, checkSuiteFor } from './check-suites.js';
import { pullFacts } from './pull-facts.js';
import type { GithubState, PullRequestRecord, RepositoryRecord } from './types.js';
import { pullRequestPayload, pushPayload, type BranchUpdate } from './webhook-payloads-pull.js';

const zeroSha = '0'.repeat(40);

/**
 * Brings a git-backed repository's record in line with its bare repository:
 * every branch whose head differs from the snapshot in `repo.heads` is a
 * push (a `push` event), open pull requests on a moved head branch get the
 * new head SHA (`pull_request.synchronize`), and those on a moved base
 * branch follow it. The repository itself is the truth, so calling this
 * twice, or for a notification that was forged or lost, is harmless.
 */
export function syncRepository(input: {
  state: GithubState;
  repo: RepositoryRecord;
  git: GitRepositories;
  now: Date;
  pusher?: string;
}): WebhookEvent[] {
  const { state, repo, git } = input;
  const repository = git.open(repo.owner, repo.name);
  if (repository === undefined) return [];
  const previous = repo.heads ?? {};
  const current = repository.heads();
  const branches = [...new Set([...Object.keys(previous), ...Object.keys(current)])]
    .filter((branch) => previous[branch] !== current[branch])
    .sort();
  if (branches.length === 0) return [];
  repo.heads = current;
  repo.pushedAt = input.now.toISOString();
  const pusher = input.pusher ?? repo.owner;
  const events: WebhookEvent[] = [];
  for (const branch of branches) {
    const update = branchUpdate(repository, branch, previous, current);
    events.push({
      name: 'push',
      action: '',
      repositoryId: repo.id,
      payload: (saved, urls) => pushPayload(saved, urls, { repo: savedRepo(saved, repo), update, pusher }),
    });
    if (update.after === zeroSha) continue;
    // GitHub asks every installed app for checks on a pushed commit (`check_suite.requested`).
    const known = state.checkSuites.some(
      (suite) => suite.repositoryId === repo.id && suite.headSha === update.after && suite.appId === state.app.id,
    );
    if (!known)
      events.push(
        checkSuiteEvent(
          repo,
          checkSuiteFor(state, repo, update.after, input.now, { branch, before: update.before }),
          'requested',
          git,
          pusher,
        ),
      );
    // The pull requests of this repository, and those of its parent whose head branch lives in this fork.
    for (const pull of state.pullRequests.filter(
      (candidate) => candidate.state === 'open' && (candidate.repositoryId === repo.id || candidate.head.repositoryId === repo.id),
    )) {
      const headRepositoryId = pull.head.repositoryId ?? pull.repositoryId;
      if (pull.repositoryId === repo.id && pull.base.ref === branch) pull.base.sha = update.after;
      if (headRepositoryId !== repo.id || pull.head.ref !== branch || pull.head.sha === update.after) continue;
      const base = pull.repositoryId === repo.id ? repo : state.repositories.find((candidate) => candidate.id === pull.repositoryId);
      if (base === undefined) continue;
      if (base !== repo)
        git.fetchRef(
          { owner: repo.owner, name: repo.name },
          branch,
          { owner: base.owner, name: base.name },
          `refs/pull/${String(pull.number)}/head`,
        );
      const before = pull.head.sha;
      pull.head.sha = update.after;
      pull.updatedAt = input.now.toISOString();
      events.push(pullRequestEvent(state, base, pull, git, 'synchronize', pusher, { before, after: update.after }));
    }
  }
  return events;
}

/** A `pull_request` event whose payload shows the pull request as saved, with facts read from git now. */
export function pullRequestEvent(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  git: GitRepositories | undefined,
  action: string,
  sender: string,
  extra?: Record<string, unknown>,
): WebhookEvent {
  const facts = pullFacts(state, repo, pull, git);
  const snapshot = structuredClone(pull);
  return {
    name: 'pull_request',
    action,
    repositoryId: repo.id,
    payload: (saved, urls) =>
      pullRequestPayload(saved, urls, {
        repo: savedRepo(saved, repo),
        pull: snapshot,
        facts,
        action,
        sender,
        ...(extra !== undefined && { extra }),
      }),
  };
}

/** The push event names the branch's update and its new commits; a new branch lists only commits no other branch had. */
function branchUpdate(
  repository: GitRepository,
  branch: string,
  previous: Record<string, string>,
  current: Record<string, string>,
): BranchUpdate {
  const before = previous[branch] ?? zeroSha;
  const after = current[branch] ?? zeroSha;
  if (after === zeroSha) return { branch, before, after, forced: false, commits: [] };
  const exclude = before === zeroSha ? Object.values(previous) : [before];
  const commits = repository.log(after, exclude).map((commit) => ({ ...commit, ...repository.commitPaths(commit.sha) }));
  return { branch, before, after, forced: before !== zeroSha && !repository.isAncestor(before, after), commits };
}

function savedRepo(state: GithubState, repo: RepositoryRecord): RepositoryRecord {
  return state.repositories.find((candidate) => candidate.id === repo.id) ?? repo;
}
