import type { operations } from '@octokit/openapi-types';
import { GithubApiError } from './errors.js';
import type { GitRepository } from './git-repositories.js';
import { requireRepository, type Handler } from './handler.js';
import { actor, findPull } from './handlers-pulls.js';
import { mergeQueueRefusal, mergeQueueRequired } from './merge-queue.js';
import { protectionRefusal } from './merge-rules.js';
import { pullRequestEvent, syncRepository } from './push-sync.js';
import type { Schemas } from './shape-user.js';
import type { PullRequestRecord, RepositoryRecord } from './types.js';

type MergeBody = NonNullable<operations['pulls/merge']['requestBody']>['content']['application/json'];

const notMergeable = 'Pull Request is not mergeable';

/**
 * `PUT /repos/{o}/{r}/pulls/{n}/merge`: refused with 405 and GitHub's message
 * while branch protection is unmet or the branches conflict, 409 when `sha`
 * is not the head any more. A merge writes real commits (merge: one with two
 * parents; squash: one with one; rebase: the head's commits replayed) and
 * moves the base branch in the bare repository, which is then a push
 * (`push` event) like any other.
 */
export const mergePull: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const body = (input.body ?? {}) as NonNullable<MergeBody>;
  if (pull.state !== 'open') throw new GithubApiError(405, notMergeable);
  if (body.sha !== undefined && body.sha !== pull.head.sha)
    throw new GithubApiError(409, 'Head branch was modified. Review and try the merge again.');
  // With a merge queue required, the queue merges (merge-queue.ts); a direct merge is a rule violation.
  if (mergeQueueRequired(input.state, repo, pull.base.ref)) throw new GithubApiError(405, mergeQueueRefusal);
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  const base = repository?.heads()[pull.base.ref];
  const behind = repository !== undefined && base !== undefined && !repository.isAncestor(base, pull.head.sha);
  const refusal = protectionRefusal(input.state, repo, pull, behind);
  if (refusal !== undefined) throw new GithubApiError(405, refusal);
  const method = body.merge_method ?? 'merge';
  const by = actor(input.principal, input.state.app.slug);
  let sha = pull.head.sha;
  if (repository !== undefined) {
    if (base === undefined) throw new GithubApiError(405, notMergeable);
    const tree = repository.mergeTree(base, pull.head.sha);
    if (tree === undefined) throw new GithubApiError(405, notMergeable);
    sha =
      method === 'rebase'
        ? rebase(repository, base, pull.head.sha, input.now)
        : mergeCommit(repository, { method, base, tree, pull, repo, body, by, now: input.now });
    repository.updateBranch(pull.base.ref, sha, base);
  }
  const now = input.now.toISOString();
  pull.state = 'closed';
  pull.closedAt = now;
  pull.updatedAt = now;
  pull.merged = { at: now, by, sha };
  const events = [pullRequestEvent(input.state, repo, pull, input.git, 'closed', by)];
  if (input.git !== undefined) events.push(...syncRepository({ state: input.state, repo, git: input.git, now: input.now, pusher: by }));
  const result: Schemas['pull-request-merge-result'] = { sha, merged: true, message: 'Pull Request successfully merged' };
  return { status: 200, body: result, changed: true, events };
};

/** Rebase: the head's commits replayed on the base (new SHAs, original authors); a commit that does not apply refuses the merge. */
function rebase(repository: GitRepository, base: string, head: string, now: Date): string {
  const tip = repository.replay({ onto: base, head, date: now });
  if (tip === undefined) throw new GithubApiError(405, "This branch can't be rebased");
  return tip;
}

/** Merge: a two-parent commit on the merged tree; squash: a one-parent commit on the same tree, listing the squashed messages. */
function mergeCommit(
  repository: GitRepository,
  options: {
    method: 'merge' | 'squash';
    base: string;
    tree: string;
    pull: PullRequestRecord;
    repo: RepositoryRecord;
    body: NonNullable<MergeBody>;
    by: string;
    now: Date;
  },
): string {
  const { method, base, tree, pull, repo, body, by } = options;
  const title =
    body.commit_title ??
    (method === 'squash'
      ? `${pull.title} (#${String(pull.number)})`
      : `Merge pull request #${String(pull.number)} from ${repo.owner}/${pull.head.ref}`);
  const detail =
    body.commit_message ??
    (method === 'squash'
      ? repository
          .log(pull.head.sha, base)
          .map((commit) => `* ${commit.message}`)
          .join('\n\n')
      : pull.title);
  return repository.commitTree({
    tree,
    parents: method === 'squash' ? [base] : [base, pull.head.sha],
    message: detail === '' ? title : `${title}\n\n${detail}`,
    author: { name: by, email: `${by}@users.noreply.local` },
    date: options.now,
  });
}
