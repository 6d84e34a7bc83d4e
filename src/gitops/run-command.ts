import { authorizeCommand, environmentsForPaths, type EnvironmentPolicy, type RepositoryPolicy } from '../policies/index.js';
import type { RolloutObject } from '../cli/rollout-verbs/types.js';
import { renderHelp, renderRefusal, renderStatusReply, type ParsedCommand } from './commands/index.js';
import { fallbackNamespace, planAndDeployPullRequest } from './deploy-pull-request.js';
import { environmentLock } from './environment-lock.js';
import { repositoryName, type PullRequestFacts } from './github-port.js';
import { clusterFor } from './config.js';
import { loadRepositoryPolicy } from './repository-policy.js';
import { actionRefusal, applyRolloutAction, type RolloutAction } from './rollout-actions.js';
import type { RolloutReporter } from './rollout-reporter.js';
import type { BotServices, RepositoryContext } from './services.js';

/** How a command ended: done (🚀, maybe with a reply), or refused with the reason quoted back. */
export type CommandOutcome = { kind: 'done'; reply?: string } | { kind: 'refused'; reply: string };

const codeownersPaths = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

async function readCodeowners(context: RepositoryContext, defaultBranch: string): Promise<string | undefined> {
  for (const path of codeownersPaths) {
    const text = await context.github.readFile(path, defaultBranch);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The environment a command is judged against: the one the pull request's manifests belong to, or the repository's rules. */
function environmentOf(policy: RepositoryPolicy, changed: readonly string[]): EnvironmentPolicy {
  const [match] = environmentsForPaths(policy, changed);
  return match?.environment ?? { ...policy.rules, name: '*', paths: [], namespace: undefined };
}

/**
 * Runs one command from a comment or a check-run button, for `actor`, with the
 * permission the policy of the DEFAULT branch asks for. Refusals say why.
 */
export async function runCommand(
  context: RepositoryContext,
  services: BotServices,
  reporter: RolloutReporter,
  pull: PullRequestFacts,
  actor: string,
  command: ParsedCommand,
): Promise<CommandOutcome> {
  const repository = repositoryName(context.repository);
  const refuse = (reason: string): CommandOutcome => ({ kind: 'refused', reply: renderRefusal(command, reason) });
  const { policy } = await loadRepositoryPolicy(context, services, pull.defaultBranch);
  const changed = await context.github.changedFiles(pull.number);
  const environment = environmentOf(policy, changed);
  const [permission, codeowners] = await Promise.all([context.github.permissionOf(actor), readCodeowners(context, pull.defaultBranch)]);
  const decision = authorizeCommand({ environment, command: command.name, actor: { login: actor, permission, teams: [] }, changedPaths: changed, codeowners, now: services.now(), repository });
  if (!decision.allowed) return refuse(decision.reason);

  switch (command.name) {
    case 'help':
      return { kind: 'done', reply: renderHelp() };
    case 'status':
      return { kind: 'done', reply: renderStatusReply(await reporter.reportInputsOf(repository, pull.number)) };
    case 'deploy': {
      if (pull.state !== 'open') return refuse('the pull request is closed.');
      const outcomes = await planAndDeployPullRequest(context, services, pull, 'command');
      const lines = outcomes.map((outcome) => `- **${outcome.environment}**: ${outcome.result} — ${outcome.detail}`);
      return { kind: 'done', reply: lines.length === 0 ? 'Nothing to deploy: this pull request changes no manifests.' : `Deploy requested by @${actor}:\n\n${lines.join('\n')}` };
    }
    case 'unlock': {
      const target = clusterFor(services.config, repository, environment.name);
      const cluster = target === undefined ? undefined : services.clusters.get(target.name);
      if (cluster === undefined) return refuse(`environment \`${environment.name}\` has no cluster in the Gradual config.`);
      const lock = environmentLock(cluster.rest, environment.namespace ?? fallbackNamespace, environment.name);
      const before = await lock.read();
      if (before.holder === undefined) return refuse(`nobody holds \`${environment.name}\`.`);
      const after = await lock.release(before.holder.pullRequest);
      const next = after.waiting[0];
      if (next !== undefined) await planAndDeployPullRequest(context, services, await context.github.pullRequest(next), environment.trigger);
      return { kind: 'done', reply: `Released \`${environment.name}\` (held by #${String(before.holder.pullRequest)}).${next === undefined ? '' : ` #${String(next)} goes next.`}` };
    }
    case 'promote':
    case 'abort':
    case 'retry':
    case 'pause':
    case 'resume': {
      const action: RolloutAction = command.name === 'promote' ? { kind: 'promote', full: command.full } : { kind: command.name };
      const deployed = reporter.rolloutsOf(repository, pull.number);
      if (deployed.length === 0) return refuse('no Rollout is deployed from this pull request.');
      const targets = command.target === undefined ? deployed : deployed.filter(({ rollout }) => [rollout.metadata?.name, `${rollout.metadata?.namespace ?? ''}/${rollout.metadata?.name ?? ''}`].includes(command.target));
      if (targets.length === 0) return refuse(`no Rollout named \`${command.target ?? ''}\` is deployed from this pull request (deployed: ${deployed.map(({ rollout }) => `\`${rollout.metadata?.name ?? ''}\``).join(', ')}).`);
      const refusals = targets.map(({ rollout }) => actionRefusal(rollout as RolloutObject, action)).filter((reason): reason is string => reason !== undefined);
      if (refusals.length === targets.length) return refuse(refusals.join(' '));
      for (const { cluster, rollout } of targets) {
        if (actionRefusal(rollout as RolloutObject, action) === undefined) await applyRolloutAction(cluster, rollout as RolloutObject, action);
      }
      reporter.nudge(repository, pull.number);
      return refusals.length === 0 ? { kind: 'done' } : { kind: 'done', reply: `Done where it applied; skipped: ${refusals.join(' ')}` };
    }
  }
}
