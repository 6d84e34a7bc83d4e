import type { Handler } from './handler.js';
import {
  createInstallationAccessToken,
  getAuthenticatedApp,
  getInstallation,
  getRepoInstallation,
  listInstallationRepositories,
  listInstallations,
} from './handlers-app.js';
import {
  createCheckRun,
  getCheckRun,
  getCheckSuite,
  listCheckRunAnnotations,
  listCheckRunsForRef,
  listCheckRunsForSuite,
  rerequestCheckRun,
  updateCheckRun,
} from './handlers-checks.js';
import {
  createIssueComment,
  createIssueCommentReaction,
  deleteIssueComment,
  getIssueComment,
  listIssueCommentReactions,
  listIssueComments,
  updateIssueComment,
} from './handlers-comments.js';
import { compareCommits, getBranch, getCommit } from './handlers-commits.js';
import { getWebhookDelivery, listWebhookDeliveries, redeliverWebhookDelivery } from './handlers-deliveries.js';
import { getEnvironment, listEnvironments, putEnvironment } from './handlers-environments.js';
import { createRuleset, getRuleset, listRulesets } from './handlers-rulesets.js';
import { createDeployment, createDeploymentStatus, listDeployments, listDeploymentStatuses } from './handlers-deployments.js';
import { getContent, getGitCommit, getRef, listBranches } from './handlers-git.js';
import { mergePull } from './handlers-merge.js';
import { deleteBranchProtection, getBranchProtection, updateBranchProtection } from './handlers-protection.js';
import { createPull, getPull, listPullFiles, listPulls, listPullsForCommit, updatePull } from './handlers-pulls.js';
import {
  createFork,
  createRepositoryForUser,
  createRepositoryInOrg,
  getCollaboratorPermission,
  getRateLimit,
  getRepository,
} from './handlers-repos.js';
import { createReview, listReviews } from './handlers-reviews.js';
import { getTeamMembership } from './handlers-teams.js';
import { createAppFromManifest } from './app-manifests.js';
import { createCommitStatus, getCombinedStatus, listCommitStatuses } from './handlers-statuses.js';

/** Every operation the local GitHub serves, by GitHub's operationId; the rest answer 404 as unknown routes do. */
export const handlers: Readonly<Record<string, Handler>> = {
  'apps/get-authenticated': getAuthenticatedApp,
  'apps/create-from-manifest': createAppFromManifest,
  'apps/list-installations': listInstallations,
  'apps/get-installation': getInstallation,
  'apps/get-repo-installation': getRepoInstallation,
  'apps/create-installation-access-token': createInstallationAccessToken,
  'apps/list-webhook-deliveries': listWebhookDeliveries,
  'apps/get-webhook-delivery': getWebhookDelivery,
  'apps/redeliver-webhook-delivery': redeliverWebhookDelivery,
  'apps/list-repos-accessible-to-installation': listInstallationRepositories,
  'rate-limit/get': getRateLimit,
  'repos/get': getRepository,
  'repos/get-collaborator-permission-level': getCollaboratorPermission,
  'teams/get-membership-for-user-in-org': getTeamMembership,
  'repos/create-deployment': createDeployment,
  'repos/list-deployments': listDeployments,
  'repos/create-deployment-status': createDeploymentStatus,
  'repos/list-deployment-statuses': listDeploymentStatuses,
  'repos/get-all-environments': listEnvironments,
  'repos/get-environment': getEnvironment,
  'repos/create-or-update-environment': putEnvironment,
  'repos/create-repo-ruleset': createRuleset,
  'repos/get-repo-rulesets': listRulesets,
  'repos/get-repo-ruleset': getRuleset,
  'repos/list-branches': listBranches,
  'repos/get-branch': getBranch,
  'repos/get-commit': getCommit,
  'repos/compare-commits': compareCommits,
  'repos/compare-commits-with-basehead': compareCommits,
  'git/get-ref': getRef,
  'git/get-commit': getGitCommit,
  'repos/get-content': getContent,
  'repos/create-in-org': createRepositoryInOrg,
  'repos/create-for-authenticated-user': createRepositoryForUser,
  'repos/get-branch-protection': getBranchProtection,
  'repos/update-branch-protection': updateBranchProtection,
  'repos/delete-branch-protection': deleteBranchProtection,
  'pulls/get': getPull,
  'pulls/list': listPulls,
  'pulls/create': createPull,
  'repos/create-fork': createFork,
  'pulls/update': updatePull,
  'pulls/merge': mergePull,
  'pulls/list-files': listPullFiles,
  'repos/list-pull-requests-associated-with-commit': listPullsForCommit,
  'pulls/create-review': createReview,
  'pulls/list-reviews': listReviews,
  'issues/create-comment': createIssueComment,
  'issues/update-comment': updateIssueComment,
  'issues/delete-comment': deleteIssueComment,
  'issues/get-comment': getIssueComment,
  'issues/list-comments': listIssueComments,
  'reactions/create-for-issue-comment': createIssueCommentReaction,
  'reactions/list-for-issue-comment': listIssueCommentReactions,
  'checks/create': createCheckRun,
  'checks/update': updateCheckRun,
  'checks/get': getCheckRun,
  'checks/list-for-ref': listCheckRunsForRef,
  'checks/list-annotations': listCheckRunAnnotations,
  'checks/rerequest-run': rerequestCheckRun,
  'checks/get-suite': getCheckSuite,
  'checks/list-for-suite': listCheckRunsForSuite,
  'repos/create-commit-status': createCommitStatus,
  'repos/list-commit-statuses-for-ref': listCommitStatuses,
  'repos/get-combined-status-for-ref': getCombinedStatus,
};
