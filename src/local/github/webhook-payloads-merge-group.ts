import type { GitCommit } from './git-repositories.js';
import type { Urls } from './shape-user.js';
import type { GithubState, MergeGroupRecord, RepositoryRecord } from './types.js';
import { envelope } from './webhook-payloads.js';

/**
 * `merge_group.checks_requested` and `merge_group.destroyed`, after
 * @octokit/webhooks-schemas and GitHub's example: `head_ref`/`base_ref` are
 * full refs, `base_sha` is the group's parent, `head_commit` the group's
 * commit; `destroyed` says why (`merged`, `dequeued`, `invalidated`).
 */
export function mergeGroupPayload(
  state: GithubState,
  urls: Urls,
  options: {
    repo: RepositoryRecord;
    base: string;
    group: MergeGroupRecord;
    commit: GitCommit;
    action: 'checks_requested' | 'destroyed';
    sender: string;
    reason?: 'dequeued' | 'invalidated' | 'merged';
  },
): Record<string, unknown> {
  const { group, commit } = options;
  return {
    action: options.action,
    merge_group: {
      head_sha: group.headSha,
      head_ref: `refs/heads/${group.branch}`,
      base_sha: group.baseSha,
      base_ref: `refs/heads/${options.base}`,
      head_commit: {
        id: commit.sha,
        tree_id: commit.tree,
        message: commit.message,
        timestamp: commit.committer.date,
        author: { name: commit.author.name, email: commit.author.email },
        committer: { name: commit.committer.name, email: commit.committer.email },
      },
    },
    ...(options.reason !== undefined && { reason: options.reason }),
    ...envelope(state, options.repo, options.sender, urls),
  };
}
