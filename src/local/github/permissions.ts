import { GithubApiError, notAccessible } from './errors.js';
import type { Permission, PermissionName, Principal } from './types.js';

/**
 * What each served operation needs, from GitHub's "Permissions required for
 * GitHub Apps" page: `app` is an app JWT only, `any` is anyone (even
 * anonymous), otherwise an installation or user token with that permission.
 */
export type Requirement = 'app' | 'any' | { permission: PermissionName; level: Permission };

const read = (permission: PermissionName): Requirement => ({ permission, level: 'read' });
const write = (permission: PermissionName): Requirement => ({ permission, level: 'write' });

export const operationRequirements: Readonly<Record<string, Requirement>> = {
  'apps/get-authenticated': 'app',
  // No authentication: the one-time code is the credential (GitHub's documentation of the endpoint).
  'apps/create-from-manifest': 'any',
  'apps/list-installations': 'app',
  'apps/get-installation': 'app',
  'apps/get-repo-installation': 'app',
  'apps/create-installation-access-token': 'app',
  'apps/list-webhook-deliveries': 'app',
  'apps/get-webhook-delivery': 'app',
  'apps/redeliver-webhook-delivery': 'app',
  'apps/list-repos-accessible-to-installation': read('metadata'),
  'rate-limit/get': 'any',
  'repos/get': read('metadata'),
  'repos/get-collaborator-permission-level': read('metadata'),
  'teams/get-membership-for-user-in-org': read('members'),
  'repos/create-deployment': write('deployments'),
  'repos/list-deployments': read('deployments'),
  'repos/create-deployment-status': write('deployments'),
  'repos/list-deployment-statuses': read('deployments'),
  // GitHub's page asks for actions:read to read environments; the local GitHub has no actions permission, and deployments:read is its nearest.
  'repos/get-all-environments': read('deployments'),
  'repos/get-environment': read('deployments'),
  'repos/create-or-update-environment': write('administration'),
  'repos/create-repo-ruleset': write('administration'),
  'repos/get-repo-rulesets': read('metadata'),
  'repos/get-repo-ruleset': read('metadata'),
  'repos/list-branches': read('metadata'),
  'repos/get-branch': read('metadata'),
  'repos/get-commit': read('contents'),
  'repos/compare-commits': read('contents'),
  'repos/compare-commits-with-basehead': read('contents'),
  'git/get-ref': read('contents'),
  'git/get-commit': read('contents'),
  'repos/get-content': read('contents'),
  'repos/create-in-org': write('administration'),
  'repos/create-for-authenticated-user': write('administration'),
  // GitHub asks an app for administration:write in the account it forks into; a person needs only to read the repository.
  'repos/create-fork': read('contents'),
  'repos/get-branch-protection': read('administration'),
  'repos/update-branch-protection': write('administration'),
  'repos/delete-branch-protection': write('administration'),
  'pulls/get': read('pull_requests'),
  'pulls/list': read('pull_requests'),
  'pulls/create': write('pull_requests'),
  'pulls/update': write('pull_requests'),
  // Merging writes the base branch, so GitHub asks for contents as well; contents:write is the stricter half.
  'pulls/merge': write('contents'),
  'pulls/list-files': read('pull_requests'),
  'repos/list-pull-requests-associated-with-commit': read('pull_requests'),
  'pulls/create-review': write('pull_requests'),
  'pulls/list-reviews': read('pull_requests'),
  'issues/list-comments': read('issues'),
  'issues/get-comment': read('issues'),
  'issues/create-comment': write('issues'),
  'issues/update-comment': write('issues'),
  'issues/delete-comment': write('issues'),
  'reactions/list-for-issue-comment': read('issues'),
  'reactions/create-for-issue-comment': write('issues'),
  'checks/create': write('checks'),
  'checks/update': write('checks'),
  'checks/get': read('checks'),
  'checks/list-for-ref': read('checks'),
  'checks/list-annotations': read('checks'),
  // A person re-runs a check from the UI with read access; an app needs checks:write.
  'checks/rerequest-run': read('checks'),
  'checks/get-suite': read('checks'),
  'checks/list-for-suite': read('checks'),
  'repos/create-commit-status': write('statuses'),
  'repos/list-commit-statuses-for-ref': read('statuses'),
  'repos/get-combined-status-for-ref': read('statuses'),
};

const rank: Record<Permission, number> = { read: 1, write: 2 };

/** Refuses a caller the operation does not admit, with GitHub's status and message. */
export function authorize(requirement: Requirement, principal: Principal): void {
  if (requirement === 'any') return;
  if (principal.kind === 'anonymous') throw new GithubApiError(401, 'Requires authentication');
  if (requirement === 'app') {
    if (principal.kind !== 'app') throw new GithubApiError(401, 'A JSON web token could not be decoded');
    return;
  }
  if (principal.kind === 'app') throw notAccessible();
  const has = principal.permissions[requirement.permission];
  if (has === undefined || rank[has] < rank[requirement.level]) {
    throw principal.kind === 'installation' ? notAccessible() : new GithubApiError(403, 'Resource not accessible by personal access token');
  }
}
