import { activeFreeze } from './active-freeze.js';
import { formatInstant } from './format-instant.js';
import { deployTriggers, permissionLevels, type DeployDecision, type DeployInput, type DeployTrigger, type PullRequestApproval } from './types.js';

/**
 * Whether an event deploys a pull request to an environment. In order: a
 * fork's pull request is not deployed before it merges unless the
 * environment allows forks; the event must be one the environment deploys on
 * (pull_request: every event; approved: every event once approved; command:
 * `/deploy` or the merge; merge: only the merge); the approvals must be
 * there; no freeze window may be active (then `retryAt` is when it ends).
 */
export function decideDeploy(input: DeployInput): DeployDecision {
  const { environment, trigger, pullRequest, now } = input;
  const merged = trigger === 'merge';
  if (pullRequest.fromFork && !merged && !environment.allowForks) {
    return { deploy: false, reason: `Pull requests from forks are not deployed to \`${environment.name}\` before they merge (its policy has \`allowForks: false\`).` };
  }
  if (!deploysOn(environment.trigger, trigger)) {
    return { deploy: false, reason: `\`${environment.name}\` is deployed ${waitsFor(environment.trigger)}.` };
  }
  const needed = environment.trigger === 'approved' ? Math.max(1, environment.requiredApprovals) : environment.requiredApprovals;
  const approvers = countedApprovers(pullRequest.approvals);
  if (approvers.length < needed) {
    const have = approvers.length === 0 ? 'it has none' : `it has ${approvers.length} (${approvers.map((login) => `@${login}`).join(', ')})`;
    return { deploy: false, reason: `\`${environment.name}\` needs ${approvalsPhrase(needed)} from people with write permission; ${have}.` };
  }
  const freeze = activeFreeze(environment.freezeWindows, now);
  if (freeze !== undefined) {
    return {
      deploy: false,
      reason: `\`${environment.name}\` is frozen by the window \`${freeze.window.name}\` until ${formatInstant(freeze.endsAt, freeze.window.timeZone)}; the deploy waits until then.`,
      retryAt: freeze.endsAt,
    };
  }
  return { deploy: true };
}

/**
 * Whether an event deploys under an environment's trigger: the event must be
 * at least as late as the trigger, except that `approved` is a state, not an
 * event: once approved, a push deploys too.
 */
function deploysOn(environmentTrigger: DeployTrigger, event: DeployTrigger): boolean {
  if (environmentTrigger === 'pull_request' || environmentTrigger === 'approved') return true;
  return deployTriggers.indexOf(event) >= deployTriggers.indexOf(environmentTrigger);
}

function waitsFor(trigger: DeployTrigger): string {
  switch (trigger) {
    case 'command':
      return 'when someone with the permission comments `/deploy`';
    case 'merge':
      return 'only once the pull request merges';
    default:
      return 'on the pull request';
  }
}

/** The distinct people (by login, case aside) with write permission or more who approved. */
export function countedApprovers(approvals: readonly PullRequestApproval[]): string[] {
  const write = permissionLevels.indexOf('write');
  const seen = new Map<string, string>();
  for (const approval of approvals) {
    if (permissionLevels.indexOf(approval.permission) < write) continue;
    const key = approval.login.toLowerCase();
    if (!seen.has(key)) seen.set(key, approval.login);
  }
  return [...seen.values()];
}

function approvalsPhrase(count: number): string {
  return count === 1 ? '1 approval' : `${count} approvals`;
}
