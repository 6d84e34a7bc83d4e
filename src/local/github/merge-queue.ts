import { GithubApiError } from './errors.js';
import type { GitRepositories, GitRepository } from './git-repositories.js';
import type { WebhookEvent } from './handler.js';
import { activeRulesets } from './handlers-rulesets.js';
import { contextState, protectionRefusal } from './merge-rules.js';
import { pullRequestEvent, syncRepository } from './push-sync.js';
import type { GithubState, MergeGroupRecord, MergeQueueEntryRecord, PullRequestRecord, RepositoryRecord } from './types.js';
import { mergeGroupPayload } from './webhook-payloads-merge-group.js';

/**
 * GitHub's merge queue, as its documentation describes it ("Managing a merge
 * queue", "Merging a pull request with a merge queue", the `merge_group`
 * webhook): an active ruleset with a `merge_queue` rule on the base branch
 * makes merging go through the queue. Each queued pull request gets a merge
 * group: a temporary branch `gh-readonly-queue/<base>/pr-<number>-<parent>`
 * whose head merges the pull request onto the base branch with every pull
 * request ahead of it, and `merge_group.checks_requested`. The base branch's
 * required checks are read on the group's head; when those of the first
 * group pass, the base branch is fast-forwarded to it (the pull request is
 * merged, `destroyed` with reason `merged`); when one fails, the pull request
 * leaves the queue (`dequeued`) and every group after it is built again
 * (`invalidated`, then new groups). Grouping strategy ALLGREEN, one pull
 * request merged at a time; the rule's parameters (timeouts, batch sizes,
 * merge method) are stored, not modelled.
 */

/** Whether an active ruleset on the branch requires a merge queue. */
export function mergeQueueRequired(state: GithubState, repo: RepositoryRecord, branch: string): boolean {
  return activeRulesets(state, repo, branch).some((ruleset) => ruleset.rules.some((rule) => rule.type === 'merge_queue'));
}

/** GitHub's refusal of a direct merge (or push) where the merge queue is required. */
export const mergeQueueRefusal = 'Repository rule violations found\n\nChanges must be made through the merge queue\n\n';

/** The checks the base branch requires, from branch protection and active rulesets, with the app that must provide each (if named). */
export function requiredChecks(state: GithubState, repo: RepositoryRecord, branch: string): { context: string; appId?: number }[] {
  const protection = repo.protection?.[branch];
  const fromProtection = (protection?.requiredContexts ?? []).map((context) => {
    const appId = protection?.requiredApps?.[context];
    return appId === undefined ? { context } : { context, appId };
  });
  const fromRulesets = activeRulesets(state, repo, branch).flatMap((ruleset) =>
    ruleset.rules.flatMap((rule) =>
      rule.type === 'required_status_checks'
        ? rule.parameters.required_status_checks.map((check) =>
            check.integration_id === undefined ? { context: check.context } : { context: check.context, appId: check.integration_id },
          )
        : [],
    ),
  );
  return [...fromProtection, ...fromRulesets];
}

/** Where a group's required checks stand: every one passing, one failing, or still waiting. */
export function groupChecks(state: GithubState, repo: RepositoryRecord, base: string, headSha: string): 'success' | 'failing' | 'pending' {
  const found = requiredChecks(state, repo, base).map((check) => contextState(state, repo, headSha, check.context, check.appId));
  if (found.includes('failing')) return 'failing';
  return found.every((entry) => entry === 'success') ? 'success' : 'pending';
}

/** A person's change to a pull request's place in the queue, and what it is made in. */
interface QueueChange {
  state: GithubState;
  repo: RepositoryRecord;
  pull: PullRequestRecord;
  login: string;
  git: GitRepositories | undefined;
  now: Date;
}

function queueOf(state: GithubState, repo: RepositoryRecord, base?: string): MergeQueueEntryRecord[] {
  return (state.mergeQueue ?? []).filter((entry) => entry.repositoryId === repo.id && (base === undefined || entry.base === base));
}

function removeEntry(state: GithubState, entry: MergeQueueEntryRecord): void {
  state.mergeQueue = (state.mergeQueue ?? []).filter((candidate) => candidate !== entry);
}

function openRepository(repo: RepositoryRecord, git: GitRepositories | undefined): GitRepository {
  const repository = repo.heads === undefined ? undefined : git?.open(repo.owner, repo.name);
  if (repository === undefined) throw new GithubApiError(422, 'The local GitHub keeps merge queues for git-backed repositories only');
  return repository;
}

/**
 * Adds a pull request to its base branch's queue (what GraphQL `enqueuePullRequest` and the "Merge when
 * ready" button do). As documented, only a pull request that passes the base branch's protection may be
 * queued: open, not conflicting, its required checks and approvals met (the queue makes it up to date, so
 * `strict` is not asked).
 */
export function enqueuePull(input: QueueChange): WebhookEvent[] {
  const { state, repo, pull } = input;
  const repository = openRepository(repo, input.git);
  if (!mergeQueueRequired(state, repo, pull.base.ref))
    throw new GithubApiError(422, `Merge queue is not enabled for the base branch ${pull.base.ref}`);
  if (pull.state !== 'open') throw new GithubApiError(422, 'Pull request is closed');
  if (queueOf(state, repo).some((entry) => entry.pullNumber === pull.number))
    throw new GithubApiError(422, 'Pull request is already in the merge queue');
  const baseHead = repository.heads()[pull.base.ref];
  if (baseHead === undefined || repository.mergeTree(baseHead, pull.head.sha) === undefined)
    throw new GithubApiError(422, 'Pull request is not mergeable');
  const refusal = protectionRefusal(state, repo, pull, false);
  if (refusal !== undefined)
    throw new GithubApiError(422, `Pull request does not meet the base branch's requirements: ${refusal.replace(/\s+/gu, ' ').trim()}`);
  state.mergeQueue = [
    ...(state.mergeQueue ?? []),
    {
      repositoryId: repo.id,
      base: pull.base.ref,
      pullNumber: pull.number,
      headSha: pull.head.sha,
      enqueuedBy: input.login,
      enqueuedAt: input.now.toISOString(),
    },
  ];
  return advanceMergeQueue({ ...input, sender: input.login });
}

/** Takes a pull request out of the queue (GraphQL `dequeuePullRequest`, "Remove from queue"): its group is destroyed (`dequeued`), those after it are built again. */
export function dequeuePull(input: QueueChange): WebhookEvent[] {
  const repository = openRepository(input.repo, input.git);
  const entry = queueOf(input.state, input.repo).find((candidate) => candidate.pullNumber === input.pull.number);
  if (entry === undefined) throw new GithubApiError(422, 'Pull request is not in the merge queue');
  const events = destroy(input.state, input.repo, repository, entry, 'dequeued', input.login);
  removeEntry(input.state, entry);
  return [...events, ...advanceMergeQueue({ ...input, sender: input.login })];
}

/** Deletes an entry's group branch and says so (`merge_group.destroyed`); the entry keeps no group. */
function destroy(
  state: GithubState,
  repo: RepositoryRecord,
  repository: GitRepository,
  entry: MergeQueueEntryRecord,
  reason: 'dequeued' | 'invalidated' | 'merged',
  sender: string,
): WebhookEvent[] {
  const group = entry.group;
  if (group === undefined) return [];
  delete entry.group;
  if (repository.heads()[group.branch] === group.headSha) repository.deleteBranch(group.branch, group.headSha);
  return [groupEvent(repo, entry.base, group, 'destroyed', sender, reason, repository)];
}

function groupEvent(
  repo: RepositoryRecord,
  base: string,
  group: MergeGroupRecord,
  action: 'checks_requested' | 'destroyed',
  sender: string,
  reason: 'dequeued' | 'invalidated' | 'merged' | undefined,
  repository: GitRepository,
): WebhookEvent {
  const commit = repository.commit(group.headSha);
  if (commit === undefined) throw new Error(`merge group commit ${group.headSha} is missing from ${repo.owner}/${repo.name}`);
  const snapshot = structuredClone(group);
  return {
    name: 'merge_group',
    action,
    repositoryId: repo.id,
    payload: (saved, urls) =>
      mergeGroupPayload(saved, urls, {
        repo: saved.repositories.find((candidate) => candidate.id === repo.id) ?? repo,
        base,
        group: snapshot,
        commit,
        action,
        sender,
        ...(reason !== undefined && { reason }),
      }),
  };
}

/** The group branch's name, as GitHub names it: the base, the pull request and the group's parent commit. */
export function groupBranch(base: string, pullNumber: number, parent: string): string {
  return `gh-readonly-queue/${base}/pr-${String(pullNumber)}-${parent}`;
}

/**
 * Brings a repository's queues forward: entries whose pull request closed or
 * got a new head leave; groups whose parent is not what is ahead of them any
 * more are built again; the first group merges when its required checks pass
 * and leaves when one fails, until the first group waits. Then the branch
 * moves are read from git as pushes (the group branches and the base). Runs
 * after every change to the state; it does nothing when nothing moved.
 */
export function advanceMergeQueue(input: {
  state: GithubState;
  repo: RepositoryRecord;
  git: GitRepositories | undefined;
  now: Date;
  sender?: string;
}): WebhookEvent[] {
  const { state, repo } = input;
  if (queueOf(state, repo).length === 0 || repo.heads === undefined || input.git === undefined) return [];
  const repository = input.git.open(repo.owner, repo.name);
  if (repository === undefined) return [];
  const events: WebhookEvent[] = [];
  const bases = [...new Set(queueOf(state, repo).map((entry) => entry.base))];
  for (const base of bases) {
    // Each round merges or removes the first entry, so the queue's length bounds the rounds.
    for (let round = 0; round <= queueOf(state, repo, base).length + 1; round += 1) {
      for (const entry of queueOf(state, repo, base)) {
        const pull = state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === entry.pullNumber);
        if (pull?.state === 'open' && pull.head.sha === entry.headSha) continue;
        events.push(...destroy(state, repo, repository, entry, 'dequeued', input.sender ?? entry.enqueuedBy));
        removeEntry(state, entry);
      }
      events.push(...buildGroups(state, repo, repository, base, input.now));
      const first = queueOf(state, repo, base)[0];
      if (first?.group === undefined) break;
      const verdict = groupChecks(state, repo, base, first.group.headSha);
      if (verdict === 'pending') break;
      if (verdict === 'failing') {
        events.push(...destroy(state, repo, repository, first, 'dequeued', first.enqueuedBy));
        removeEntry(state, first);
        continue;
      }
      events.push(...mergeGroup(state, repo, input.git, first, input.now));
    }
  }
  return [...events, ...syncRepository({ state, repo, git: input.git, now: input.now, pusher: input.sender ?? repo.owner })];
}

/** (Re)builds every group whose parent is not the base head or the group ahead; a pull request that no longer merges cleanly leaves the queue. */
function buildGroups(state: GithubState, repo: RepositoryRecord, repository: GitRepository, base: string, now: Date): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const heads = repository.heads();
  let parent = heads[base];
  if (parent === undefined) return [];
  for (const entry of queueOf(state, repo, base)) {
    const group = entry.group;
    if (group !== undefined && group.baseSha === parent && heads[group.branch] === group.headSha) {
      parent = group.headSha;
      continue;
    }
    events.push(...destroy(state, repo, repository, entry, 'invalidated', entry.enqueuedBy));
    const pull = state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === entry.pullNumber);
    const tree = pull === undefined ? undefined : repository.mergeTree(parent, pull.head.sha);
    if (pull === undefined || tree === undefined) {
      removeEntry(state, entry);
      continue;
    }
    const headSha = repository.commitTree({
      tree,
      parents: [parent, pull.head.sha],
      message: `Merge pull request #${String(pull.number)} from ${repo.owner}/${pull.head.ref}\n\n${pull.title}`,
      author: { name: entry.enqueuedBy, email: `${entry.enqueuedBy}@users.noreply.local` },
      date: now,
    });
    const created: MergeGroupRecord = {
      headSha,
      baseSha: parent,
      branch: groupBranch(base, pull.number, parent),
      createdAt: now.toISOString(),
    };
    repository.updateBranch(created.branch, headSha, '0'.repeat(40));
    entry.group = created;
    events.push(groupEvent(repo, base, created, 'checks_requested', entry.enqueuedBy, undefined, repository));
    parent = headSha;
  }
  return events;
}

/** The first group passed: the base branch is fast-forwarded to it, its pull request is merged, its branch deleted. */
function mergeGroup(
  state: GithubState,
  repo: RepositoryRecord,
  git: GitRepositories,
  entry: MergeQueueEntryRecord,
  now: Date,
): WebhookEvent[] {
  const group = entry.group;
  const repository = git.open(repo.owner, repo.name);
  if (group === undefined || repository === undefined) return [];
  repository.updateBranch(entry.base, group.headSha, group.baseSha);
  const events = destroy(state, repo, repository, entry, 'merged', entry.enqueuedBy);
  removeEntry(state, entry);
  const pull = state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === entry.pullNumber);
  if (pull === undefined) return events;
  const at = now.toISOString();
  pull.state = 'closed';
  pull.closedAt = at;
  pull.updatedAt = at;
  pull.merged = { at, by: entry.enqueuedBy, sha: group.headSha };
  return [...events, pullRequestEvent(state, repo, pull, git, 'closed', entry.enqueuedBy)];
}

/** The queue of a repository, for the pull page and tests: pull numbers in order with their group's head. */
export function queueEntries(state: GithubState, repo: RepositoryRecord): MergeQueueEntryRecord[] {
  return queueOf(state, repo);
}
