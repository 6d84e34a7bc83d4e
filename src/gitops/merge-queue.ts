import { environmentsForPaths } from '../policies/index.js';
import type { Rollout } from '../api/index.js';
import { repositoryName } from './github-port.js';
import { rolloutCheckName } from './report/index.js';
import { loadRepositoryPolicy } from './repository-policy.js';
import type { BotServices, RepositoryContext } from './services.js';
import type { CheckRunOutput } from './types.js';

/**
 * Merge queues. With a merge queue GitHub asks for the required checks on the
 * merge group's head (`merge_group.checks_requested`): a commit of the base
 * branch with the group's pull requests merged. The rollout checks are
 * reported there: success when every pull request in the group was rolled
 * out, fully promoted and Healthy at exactly the manifests the group merges;
 * failure naming each pull request that was not, with the reason.
 */

/** One Rollout deployed from a pull request, as the reporter sees it. */
export interface GroupRollout {
  namespace: string;
  name: string;
  /** The pull request's head the Rollout was deployed from (its signed origin). */
  deployedSha: string;
  rollout: Rollout;
}

/** What the verdict needs to know about one pull request of the group. */
export interface GroupPull {
  number: number;
  headSha: string;
  /** The environments its files belong to (none: nothing to roll out). */
  environments: string[];
  rollouts: GroupRollout[];
  /** Its manifest files whose content at the group's head differs from its head (another pull request or the base changed them). */
  manifestsDiffer: string[];
}

export interface GroupVerdict {
  conclusion: 'success' | 'failure';
  title: string;
  summary: string;
  /** The pull requests that hold the group back, with why. */
  failing: { number: number; reason: string }[];
}

/** Promoted and Healthy: the controller reports Healthy and the stable ReplicaSet is the current one. */
function settled(rollout: Rollout): boolean {
  return (
    rollout.status?.phase === 'Healthy' &&
    rollout.status.stableRS !== undefined &&
    rollout.status.stableRS === rollout.status.currentPodHash
  );
}

/** Why one pull request holds the group back, or undefined when it does not. Pure. */
export function pullRequestHoldsBack(pull: GroupPull): string | undefined {
  if (pull.environments.length === 0) return undefined;
  if (pull.rollouts.length === 0) return `it was never rolled out (to ${pull.environments.join(', ')})`;
  const stale = pull.rollouts.find((rollout) => rollout.deployedSha !== pull.headSha);
  if (stale !== undefined)
    return `its manifests changed after its rollout: ${stale.namespace}/${stale.name} runs ${stale.deployedSha.slice(0, 7)}, the pull request's head is ${pull.headSha.slice(0, 7)}`;
  if (pull.manifestsDiffer.length > 0)
    return `the group merges other manifests than it rolled out (${pull.manifestsDiffer.map((path) => `\`${path}\``).join(', ')})`;
  const unsettled = pull.rollouts.find((rollout) => !settled(rollout.rollout));
  if (unsettled !== undefined)
    return `${unsettled.namespace}/${unsettled.name} is ${unsettled.rollout.status?.phase ?? 'not reported'}, not fully promoted and Healthy`;
  return undefined;
}

export function evaluateMergeGroup(pulls: readonly GroupPull[]): GroupVerdict {
  const failing = pulls.flatMap((pull) => {
    const reason = pullRequestHoldsBack(pull);
    return reason === undefined ? [] : [{ number: pull.number, reason }];
  });
  if (pulls.length === 0)
    return {
      conclusion: 'failure',
      title: 'No pull request of this repository found in the merge group',
      summary: "The merge group's commits contain no open pull request's head, so nothing can be said to be rolled out.",
      failing,
    };
  const listed = pulls.map((pull) => `#${String(pull.number)}`).join(', ');
  if (failing.length === 0)
    return {
      conclusion: 'success',
      title: `Every pull request in the group is rolled out and Healthy (${listed})`,
      summary: pulls
        .map(
          (pull) =>
            `- #${String(pull.number)} at ${pull.headSha.slice(0, 7)}: ${pull.environments.length === 0 ? 'changes no environment' : `rolled out, promoted and Healthy in ${pull.environments.join(', ')}`}`,
        )
        .join('\n'),
      failing,
    };
  return {
    conclusion: 'failure',
    title: `Not rolled out as merged: ${failing.map((entry) => `#${String(entry.number)}`).join(', ')}`,
    summary: `Remove ${failing.length === 1 ? 'it' : 'them'} from the queue, or roll out and promote the head first.\n\n${failing.map((entry) => `- #${String(entry.number)}: ${entry.reason}`).join('\n')}`,
    failing,
  };
}

export const mergeGroupCheckName = 'gradual/merge-group';

/** Where the reporter's Rollouts of a pull request come from (RolloutReporter.rolloutsOf). */
export type RolloutsOf = (
  repository: string,
  pullRequest: number,
) => { rollout: { metadata?: { namespace?: string | undefined; name?: string | undefined } | undefined }; origin: { headSha: string } }[];

/**
 * `merge_group.checks_requested`: finds the group's pull requests (the open pull requests into the base
 * whose head commit is among the group's commits), judges them, and reports the verdict on the group's
 * head as `gradual/merge-group` and as each of their rollout checks (the names branch protection requires
 * on the pull requests, which GitHub requires on the group too).
 */
export async function reportMergeGroup(
  context: RepositoryContext,
  services: BotServices,
  rolloutsOf: RolloutsOf,
  group: { headSha: string; baseSha: string; baseRef: string; defaultBranch: string },
): Promise<GroupVerdict> {
  const repository = repositoryName(context.repository);
  const { policy } = await loadRepositoryPolicy(context, services, group.defaultBranch);
  const inGroup = new Set(await context.github.commitsBetween(group.baseSha, group.headSha));
  const base = group.baseRef.replace(/^refs\/heads\//u, '');
  const pulls = (await context.github.openPullRequests(base)).filter((pull) => inGroup.has(pull.headSha));
  const facts: GroupPull[] = [];
  const checkNames = new Set<string>([mergeGroupCheckName]);
  for (const pull of pulls) {
    const changed = await context.github.changedFiles(pull.number);
    const matches = environmentsForPaths(policy, changed);
    const manifestPaths = [...new Set(matches.flatMap((match) => match.paths))];
    const manifestsDiffer: string[] = [];
    for (const path of manifestPaths) {
      if ((await context.github.readFile(path, group.headSha)) !== (await context.github.readFile(path, pull.headSha)))
        manifestsDiffer.push(path);
    }
    const rollouts = rolloutsOf(repository, pull.number).flatMap(({ rollout, origin }) => {
      const parsed = rollout as unknown as Rollout;
      const namespace = rollout.metadata?.namespace ?? 'default';
      const name = rollout.metadata?.name ?? '';
      checkNames.add(rolloutCheckName(namespace, name));
      return [{ namespace, name, deployedSha: origin.headSha, rollout: parsed }];
    });
    facts.push({
      number: pull.number,
      headSha: pull.headSha,
      environments: matches.map((match) => match.environment.name),
      rollouts,
      manifestsDiffer,
    });
  }
  const verdict = evaluateMergeGroup(facts);
  for (const name of checkNames) {
    const output: CheckRunOutput = {
      name,
      status: 'completed',
      conclusion: verdict.conclusion,
      title: verdict.title,
      summary: verdict.summary,
    };
    await context.github.upsertCheckRun(group.headSha, output);
  }
  context.log.info(
    { group: group.headSha, pullRequests: pulls.map((pull) => pull.number), conclusion: verdict.conclusion, failing: verdict.failing },
    'merge group judged',
  );
  return verdict;
}
