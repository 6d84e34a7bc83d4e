import type { operations } from '@octokit/openapi-types';
import { GithubApiError, notFound } from './errors.js';
import { bodyOf, requireRepository, stringParam, type Handler } from './handler.js';
import type { Schemas, Urls } from './shape-user.js';
import type { BranchProtectionRecord, RepositoryRecord } from './types.js';

type ProtectionBody = NonNullable<operations['repos/update-branch-protection']['requestBody']>['content']['application/json'];

/**
 * Classic branch protection, the rules a delivery flow needs: required
 * status checks (by context: a check run's name or a status context; with
 * `strict`, the head must be up to date with the base) and a number of
 * required approving reviews. Other settings are accepted and reported as
 * off.
 */
export const updateBranchProtection: Handler = (input) => {
  const repo = requireRepository(input);
  const branch = stringParam(input, 'branch');
  if (repo.heads !== undefined && repo.heads[branch] === undefined) throw new GithubApiError(404, 'Branch not found');
  const body = bodyOf(input) as ProtectionBody;
  const checks = body.required_status_checks;
  // `contexts` is deprecated in favour of `checks` but still what most clients send; both count.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const contexts = checks === null ? [] : [...new Set([...checks.contexts, ...(checks.checks ?? []).map((check) => check.context)])];
  const requiredApps = Object.fromEntries(
    (checks?.checks ?? []).flatMap((check) => (check.app_id === undefined || check.app_id === -1 ? [] : [[check.context, check.app_id]])),
  );
  const protection: BranchProtectionRecord = {
    requiredContexts: contexts,
    ...(Object.keys(requiredApps).length > 0 && { requiredApps }),
    requiredApprovals: body.required_pull_request_reviews?.required_approving_review_count ?? 0,
    strict: checks?.strict ?? false,
  };
  repo.protection = { ...repo.protection, [branch]: protection };
  return { status: 200, body: shapeProtection(repo, branch, protection, input.urls), changed: true };
};

export const getBranchProtection: Handler = (input) => {
  const repo = requireRepository(input);
  const branch = stringParam(input, 'branch');
  const protection = repo.protection?.[branch];
  if (protection === undefined) throw new GithubApiError(404, 'Branch not protected');
  return { status: 200, body: shapeProtection(repo, branch, protection, input.urls) };
};

export const deleteBranchProtection: Handler = (input) => {
  const repo = requireRepository(input);
  const branch = stringParam(input, 'branch');
  if (repo.protection?.[branch] === undefined) throw notFound();
  repo.protection = Object.fromEntries(Object.entries(repo.protection).filter(([name]) => name !== branch));
  return { status: 204, changed: true };
};

function shapeProtection(
  repo: RepositoryRecord,
  branch: string,
  protection: BranchProtectionRecord,
  urls: Urls,
): Schemas['protected-branch'] {
  const url = `${urls.api}/repos/${repo.owner}/${repo.name}/branches/${encodeURIComponent(branch)}/protection`;
  return {
    url,
    required_status_checks: {
      url: `${url}/required_status_checks`,
      strict: protection.strict ?? false,
      contexts: protection.requiredContexts,
      contexts_url: `${url}/required_status_checks/contexts`,
      checks: protection.requiredContexts.map((context) => ({ context, app_id: protection.requiredApps?.[context] ?? null })),
    },
    ...(protection.requiredApprovals > 0 && {
      required_pull_request_reviews: {
        url: `${url}/required_pull_request_reviews`,
        dismiss_stale_reviews: false,
        require_code_owner_reviews: false,
        required_approving_review_count: protection.requiredApprovals,
        require_last_push_approval: false,
      },
    }),
    enforce_admins: { url: `${url}/enforce_admins`, enabled: false },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: false },
    allow_deletions: { enabled: false },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
  };
}
