import { activeRulesets } from './handlers-rulesets.js';
import type { CollaboratorPermission, GithubState, PullRequestRecord, RepositoryRecord } from './types.js';

/** Where one required context stands on a commit: a check run or a commit status of that name. */
export type ContextState = 'success' | 'pending' | 'failing' | 'missing';

/** Conclusions GitHub counts as passing for a required check. */
const passing = new Set(['success', 'neutral', 'skipped']);

/**
 * The newest check run named `context` and the newest status of that
 * context on `sha`; either one passing satisfies the requirement, as on GitHub.
 * With `appId` (branch protection's `checks[].app_id`, a ruleset's
 * `integration_id`) only that app's check runs and statuses count: another
 * app's run of the same name neither satisfies nor blocks it.
 */
export function contextState(state: GithubState, repo: RepositoryRecord, sha: string, context: string, appId?: number): ContextState {
  const run = state.checkRuns
    .filter(
      (candidate) =>
        candidate.repositoryId === repo.id &&
        candidate.headSha === sha &&
        candidate.name === context &&
        (appId === undefined || candidate.appId === appId),
    )
    .at(-1);
  const appLogin = appId === state.app.id ? `${state.app.slug}[bot]` : undefined;
  const status = state.statuses
    .filter(
      (candidate) =>
        candidate.repositoryId === repo.id &&
        candidate.sha === sha &&
        candidate.context === context &&
        (appId === undefined || candidate.creator === appLogin),
    )
    .at(-1);
  const fromRun: ContextState | undefined =
    run === undefined ? undefined : run.status !== 'completed' ? 'pending' : passing.has(run.conclusion ?? '') ? 'success' : 'failing';
  const fromStatus: ContextState | undefined =
    status === undefined ? undefined : status.state === 'success' ? 'success' : status.state === 'pending' ? 'pending' : 'failing';
  if (fromRun === 'success' || fromStatus === 'success') return 'success';
  if (fromRun === 'failing' || fromStatus === 'failing') return 'failing';
  return fromRun ?? fromStatus ?? 'missing';
}

const writers: readonly CollaboratorPermission[] = ['admin', 'maintain', 'write'];

/** Approvals that count: each reviewer's latest approving or change-requesting review, by people with write access. */
export function approvals(state: GithubState, repo: RepositoryRecord, pull: PullRequestRecord): string[] {
  const latest = new Map<string, string>();
  for (const review of state.reviews) {
    if (review.repositoryId !== repo.id || review.pullNumber !== pull.number || review.state === 'COMMENTED') continue;
    latest.set(review.user, review.state);
  }
  return [...latest]
    .filter(([user, verdict]) => verdict === 'APPROVED' && writers.includes(repo.collaborators[user] ?? 'read'))
    .map(([user]) => user);
}

/** The 405 message when strict status checks require an up-to-date head branch. */
export const behindMessage = 'Head branch is not up to date with the base branch';

/**
 * Why branch protection refuses to merge the pull request now, in GitHub's
 * words (the message of the 405), or undefined when it allows it. Required
 * checks come first: one not reported or still running is "expected", a
 * failed one "failing"; then approvals; then, with `strict`, a head branch
 * that does not contain the base branch's head (`behind`, read from git by
 * the caller).
 */
export function protectionRefusal(state: GithubState, repo: RepositoryRecord, pull: PullRequestRecord, behind = false): string | undefined {
  const protection = repo.protection?.[pull.base.ref];
  if (protection === undefined) return rulesetRefusal(state, repo, pull, behind);
  for (const context of protection.requiredContexts) {
    const found = contextState(state, repo, pull.head.sha, context, protection.requiredApps?.[context]);
    if (found === 'failing') return `Required status check "${context}" is failing.`;
    if (found !== 'success') return `Required status check "${context}" is expected.`;
  }
  const needed = protection.requiredApprovals;
  if (needed > 0 && approvals(state, repo, pull).length < needed) {
    return needed === 1
      ? 'At least 1 approving review is required by reviewers with write access.'
      : `At least ${String(needed)} approving reviews are required by reviewers with write access.`;
  }
  if (protection.strict === true && behind) return behindMessage;
  return rulesetRefusal(state, repo, pull, behind);
}

/** Where the newest deployment of `sha` to an environment stands: its newest status, or undefined when there is none. */
export function deploymentState(state: GithubState, repo: RepositoryRecord, sha: string, environment: string): string | undefined {
  const deployment = state.deployments
    .filter(
      (candidate) =>
        candidate.repositoryId === repo.id && candidate.sha === sha && candidate.environment.toLowerCase() === environment.toLowerCase(),
    )
    .at(-1);
  return deployment === undefined ? undefined : (deployment.statuses.at(-1)?.state ?? 'pending');
}

/**
 * Why the active rulesets on the base branch refuse the merge, in GitHub's
 * form (`Repository rule violations found\n\n<reason>\n\n`, as apps report
 * the 405), or undefined. `required_status_checks` reads the newest run per
 * name (from the `integration_id` app when set); `required_deployments` needs
 * the newest deployment of the head commit to each environment to stand at
 * `success` (a failed, inactive or still running one refuses).
 */
export function rulesetRefusal(state: GithubState, repo: RepositoryRecord, pull: PullRequestRecord, behind = false): string | undefined {
  const violation = (reason: string): string => `Repository rule violations found\n\n${reason}\n\n`;
  for (const ruleset of activeRulesets(state, repo, pull.base.ref)) {
    for (const rule of ruleset.rules) {
      if (rule.type === 'required_status_checks') {
        for (const check of rule.parameters.required_status_checks) {
          const found = contextState(state, repo, pull.head.sha, check.context, check.integration_id);
          if (found === 'failing') return violation(`Required status check "${check.context}" is failing.`);
          if (found !== 'success') return violation(`Required status check "${check.context}" is expected.`);
        }
        if (rule.parameters.strict_required_status_checks_policy && behind) return behindMessage;
      } else if (rule.type === 'required_deployments') {
        for (const environment of rule.parameters.required_deployment_environments) {
          const found = deploymentState(state, repo, pull.head.sha, environment);
          if (found !== 'success')
            return violation(`Required deployment to "${environment}" has not succeeded (${found ?? 'not deployed'}).`);
        }
      }
    }
  }
  return undefined;
}

/**
 * GitHub's `mergeable_state` for an open pull request: `dirty` (conflicts),
 * `blocked` (protection refuses for checks or reviews), `behind` (strict
 * protection and the head is out of date), `unstable` (a non-required check
 * failing), else `clean`. A closed one is `unknown`.
 */
export function mergeableState(
  state: GithubState,
  repo: RepositoryRecord,
  pull: PullRequestRecord,
  conflicts: boolean,
  behind = false,
): string {
  if (pull.state === 'closed') return 'unknown';
  if (conflicts) return 'dirty';
  const refusal = protectionRefusal(state, repo, pull, behind);
  if (refusal === behindMessage) return 'behind';
  if (refusal !== undefined) return 'blocked';
  const names = new Set([
    ...state.checkRuns.filter((run) => run.repositoryId === repo.id && run.headSha === pull.head.sha).map((run) => run.name),
    ...state.statuses.filter((status) => status.repositoryId === repo.id && status.sha === pull.head.sha).map((status) => status.context),
  ]);
  return [...names].some((name) => contextState(state, repo, pull.head.sha, name) === 'failing') ? 'unstable' : 'clean';
}
