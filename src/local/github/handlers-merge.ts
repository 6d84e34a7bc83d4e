import type { operations } from '@octokit/openapi-types';
import { GithubApiError } from './errors.js';
import { requireRepository, type Handler } from './handler.js';
import { actor, findPull } from './handlers-pulls.js';
import { protectionRefusal } from './merge-rules.js';
import { pullRequestEvent, syncRepository } from './push-sync.js';
import type { Schemas } from './shape-user.js';

type MergeBody = NonNullable<operations['pulls/merge']['requestBody']>['content']['application/json'];

const notMergeable = 'Pull Request is not mergeable';

/**
 * `PUT /repos/{o}/{r}/pulls/{n}/merge`: refused with 405 and GitHub's message
 * while branch protection is unmet or the branches conflict, 409 when `sha`
 * is not the head any more. A merge writes a real commit (merge: two
 * parents; squash: one) and moves the base branch in the bare repository,
 * which is then a push (`push` event) like any other.
 */
export const mergePull: Handler = (input) => {
  const repo = requireRepository(input);
  const pull = findPull(input, repo, 'pull_number');
  const body = (input.body ?? {}) as NonNullable<MergeBody>;
  if (pull.state !== 'open') throw new GithubApiError(405, notMergeable);
  if (body.sha !== undefined && body.sha !== pull.head.sha) throw new GithubApiError(409, 'Head branch was modified. Review and try the merge again.');
  const refusal = protectionRefusal(input.state, repo, pull);
  if (refusal !== undefined) throw new GithubApiError(405, refusal);
  const method = body.merge_method ?? 'merge';
  if (method === 'rebase') throw new GithubApiError(405, 'Rebase merges are not supported by the local GitHub; use merge or squash.');
  const by = actor(input.principal, input.state.app.slug);
  const repository = repo.heads === undefined ? undefined : input.git?.open(repo.owner, repo.name);
  let sha = pull.head.sha;
  if (repository !== undefined) {
    const base = repository.heads()[pull.base.ref];
    if (base === undefined) throw new GithubApiError(405, notMergeable);
    const tree = repository.mergeTree(base, pull.head.sha);
    if (tree === undefined) throw new GithubApiError(405, notMergeable);
    const title = body.commit_title ?? (method === 'squash' ? `${pull.title} (#${String(pull.number)})` : `Merge pull request #${String(pull.number)} from ${repo.owner}/${pull.head.ref}`);
    const detail = body.commit_message ?? (method === 'squash' ? repository.log(pull.head.sha, base).map((commit) => `* ${commit.message}`).join('\n\n') : pull.title);
    sha = repository.commitTree({
      tree,
      parents: method === 'squash' ? [base] : [base, pull.head.sha],
      message: detail === '' ? title : `${title}\n\n${detail}`,
      author: { name: by, email: `${by}@users.noreply.local` },
      date: input.now,
    });
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
