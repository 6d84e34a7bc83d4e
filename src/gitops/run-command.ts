import { authorizeCommand, environmentsForPaths, type EnvironmentPolicy, type RepositoryPolicy } from '../policies/index.js';
import { renderHelp, renderRefusal, renderStatusReply, type ParsedCommand } from './commands/index.js';
import { fallbackNamespace, planAndDeployPullRequest } from './deploy-pull-request.js';
import { environmentLock, nextWaiting } from './environment-lock.js';
import { repositoryName, type PullRequestFacts } from './github-port.js';
import { clusterFor } from './config.js';
import { loadRepositoryPolicy } from './repository-policy.js';
import { runRecordedAction } from './recorded-rollout-action.js';
import type { RolloutAction } from './rollout-actions.js';
import type { RolloutReporter } from './rollout-reporter.js';
import type { BotServices, RepositoryContext } from './services.js';
import { createTeamMembership, type TeamMembership } from './team-membership.js';

/**
 * How a command ended: done (🚀, maybe with a reply), refused with the reason
 * quoted back, or partly done: carried out on the targets the person may act
 * on, refused on the others with the reasons (nothing changes there).
 */
export type CommandOutcome = { kind: 'done'; reply?: string } | { kind: 'refused'; reply: string } | { kind: 'partial'; reply: string };

const codeownersPaths = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

async function readCodeowners(context: RepositoryContext, defaultBranch: string): Promise<string | undefined> {
  for (const path of codeownersPaths) {
    const text = await context.github.readFile(path, defaultBranch);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** One team cache per running bot (its services), on the bot's clock. */
const teamMemberships = new WeakMap<BotServices, TeamMembership>();
function teamMembershipOf(services: BotServices): TeamMembership {
  let found = teamMemberships.get(services);
  if (found === undefined) {
    found = createTeamMembership({ now: services.now });
    teamMemberships.set(services, found);
  }
  return found;
}

/** The repository-wide rules as an environment, for commands that act on none (`/help`, `/status`). */
function repositoryWide(policy: RepositoryPolicy): EnvironmentPolicy {
  return { ...policy.rules, name: '*', paths: [], namespace: undefined, namespaces: [] };
}

/**
 * Runs one command from a comment or a check-run button, for `actor`, with the
 * permission the policy of the DEFAULT branch asks for, judged against EVERY
 * environment it would act on: the environments a `/deploy` or `/unlock`
 * would touch, the environment each Rollout a `/promote` (…) would move was
 * deployed to. Where the person lacks the right, that part is refused with the
 * reason and nothing there changes. Refusals say why.
 */
export async function runCommand(
  context: RepositoryContext,
  services: BotServices,
  reporter: RolloutReporter,
  pull: PullRequestFacts,
  actor: string,
  command: ParsedCommand,
  /** The command's own id, the same on every delivery of it (`comment:<id>#<n>`, `button:<delivery id>`): its record on the Rollouts it moves. */
  commandId: string,
): Promise<CommandOutcome> {
  const repository = repositoryName(context.repository);
  const refuse = (reason: string): CommandOutcome => ({ kind: 'refused', reply: renderRefusal(command, reason) });
  const { policy } = await loadRepositoryPolicy(context, services, pull.defaultBranch);
  const changed = await context.github.changedFiles(pull.number);
  const [permission, codeowners] = await Promise.all([context.github.permissionOf(actor), readCodeowners(context, pull.defaultBranch)]);
  // Only the teams this command's rules name are asked about (cached a minute; team-membership.ts).
  const named = [policy.rules, ...policy.environments].flatMap((rules) => rules.commands[command.name].teams);
  const teams = await teamMembershipOf(services).teamsOf((org, slug, login) => context.github.teamMember(org, slug, login), actor, named);
  const judge = (environment: EnvironmentPolicy): string | undefined => {
    const decision = authorizeCommand({
      environment,
      command: command.name,
      actor: { login: actor, permission, teams },
      changedPaths: changed,
      codeowners,
      now: services.now(),
      repository,
    });
    return decision.allowed ? undefined : decision.reason;
  };
  /** Splits the environments into those the person may act on and the refused ones with their reasons. */
  const split = (
    environments: readonly EnvironmentPolicy[],
  ): { allowed: EnvironmentPolicy[]; refused: { environment: string; reason: string }[] } => {
    const allowed: EnvironmentPolicy[] = [];
    const refused: { environment: string; reason: string }[] = [];
    for (const environment of environments) {
      const reason = judge(environment);
      if (reason === undefined) allowed.push(environment);
      else refused.push({ environment: environment.name, reason });
    }
    return { allowed, refused };
  };
  const refusalLines = (refused: readonly { environment: string; reason: string }[]): string[] =>
    refused.map(({ environment, reason }) => `- **${environment}**: not done — ${reason}`);
  const touched = environmentsForPaths(policy, changed).map((match) => match.environment);

  switch (command.name) {
    case 'help':
    case 'status': {
      const reason = judge(repositoryWide(policy));
      if (reason !== undefined) return refuse(reason);
      return command.name === 'help'
        ? { kind: 'done', reply: renderHelp() }
        : { kind: 'done', reply: renderStatusReply(await reporter.reportInputsOf(repository, pull.number)) };
    }
    case 'deploy': {
      if (touched.length === 0) {
        const reason = judge(repositoryWide(policy));
        return reason === undefined
          ? { kind: 'done', reply: 'Nothing to deploy: this pull request changes no manifests.' }
          : refuse(reason);
      }
      const { allowed, refused } = split(touched);
      if (allowed.length === 0) return refuse(refused.map(({ reason }) => reason).join(' '));
      if (pull.state !== 'open') return refuse('the pull request is closed.');
      const outcomes = await planAndDeployPullRequest(
        context,
        services,
        pull,
        'command',
        allowed.map((environment) => environment.name),
      );
      const lines = [
        ...outcomes.map((outcome) => `- **${outcome.environment}**: ${outcome.result} — ${outcome.detail}`),
        ...refusalLines(refused),
      ];
      const reply = `Deploy requested by @${actor}:\n\n${lines.join('\n')}`;
      return refused.length === 0 ? { kind: 'done', reply } : { kind: 'partial', reply };
    }
    case 'unlock': {
      if (touched.length === 0) return refuse('this pull request changes no environment’s manifests, so it names no lock.');
      const { allowed, refused } = split(touched);
      if (allowed.length === 0) return refuse(refused.map(({ reason }) => reason).join(' '));
      const lines: string[] = [];
      const notDone = [...refused];
      for (const environment of allowed) {
        const target = clusterFor(services.config, repository, environment.name);
        const cluster = target === undefined ? undefined : services.clusters.get(target.name);
        if (cluster === undefined) {
          notDone.push({
            environment: environment.name,
            reason: `environment \`${environment.name}\` has no cluster in the Gradual config.`,
          });
          continue;
        }
        const lock = environmentLock(cluster.rest, environment.namespace ?? fallbackNamespace, environment.name, cluster.name);
        const before = await lock.read();
        if (before.holder === undefined) {
          notDone.push({ environment: environment.name, reason: `nobody holds \`${environment.name}\`.` });
          continue;
        }
        if (before.holder.repository !== repository) {
          // Another repository's pull request holds the same target: only its own events (or /unlock there) release it.
          notDone.push({
            environment: environment.name,
            reason: `\`${environment.name}\` is held by ${before.holder.repository}#${String(before.holder.pullRequest)}, another repository's pull request; only its own events or an /unlock in ${before.holder.repository} release it.`,
          });
          continue;
        }
        const after = await lock.release({ repository, pullRequest: before.holder.pullRequest });
        const next = nextWaiting(after, repository);
        if (next !== undefined)
          await planAndDeployPullRequest(context, services, await context.github.pullRequest(next), environment.trigger);
        lines.push(
          `Released \`${environment.name}\` (held by #${String(before.holder.pullRequest)}).${next === undefined ? '' : ` #${String(next)} goes next.`}`,
        );
      }
      if (lines.length === 0) return refuse(notDone.map(({ reason }) => reason).join(' '));
      if (notDone.length === 0 && lines.length === 1) return { kind: 'done', reply: lines[0] ?? '' };
      const reply = [...lines.map((line) => `- ${line}`), ...refusalLines(notDone)].join('\n');
      return notDone.length === 0 ? { kind: 'done', reply } : { kind: 'partial', reply };
    }
    case 'promote':
    case 'abort':
    case 'retry':
    case 'pause':
    case 'resume': {
      const action: RolloutAction = command.name === 'promote' ? { kind: 'promote', full: command.full } : { kind: command.name };
      const deployed = reporter.rolloutsOf(repository, pull.number);
      if (deployed.length === 0) {
        // Said only to someone who may run the command at all, as before.
        const reason = judge(touched[0] ?? repositoryWide(policy));
        return refuse(reason ?? 'no Rollout is deployed from this pull request.');
      }
      const targets =
        command.target === undefined
          ? deployed
          : deployed.filter(({ rollout }) =>
              [rollout.metadata?.name, `${rollout.metadata?.namespace ?? ''}/${rollout.metadata?.name ?? ''}`].includes(command.target),
            );
      if (targets.length === 0)
        return refuse(
          `no Rollout named \`${command.target ?? ''}\` is deployed from this pull request (deployed: ${deployed.map(({ rollout }) => `\`${rollout.metadata?.name ?? ''}\``).join(', ')}).`,
        );
      // Each Rollout is judged by the rules of the environment it was deployed to, not by the first one the pull request touches.
      const judged = targets.map((target) => {
        const environment = policy.environments.find((candidate) => candidate.name === target.origin.environment);
        const name = `${target.rollout.metadata?.namespace ?? ''}/${target.rollout.metadata?.name ?? ''}`;
        const reason =
          environment === undefined
            ? `\`${name}\` was deployed to environment \`${target.origin.environment}\`, which the repository policy no longer names.`
            : judge(environment);
        return { ...target, name, reason };
      });
      const permitted = judged.filter((target) => target.reason === undefined);
      const denied = judged.filter((target): target is typeof target & { reason: string } => target.reason !== undefined);
      // Whether the action applies is judged on the Rollout as read now, together with the command's record on it
      // (command-intent.ts): a replay of a command already carried out is done, not refused, and not done twice.
      const skipped: { name: string; environment: string; reason: string }[] = [];
      const carriedOut: string[] = [];
      for (const { cluster, rollout, name, origin } of permitted) {
        const outcome = await runRecordedAction(
          cluster,
          { namespace: rollout.metadata?.namespace ?? '', name: rollout.metadata?.name ?? '' },
          action,
          commandId,
          services.now,
        );
        context.log.info({ command: command.name, rollout: name, commandId, outcome }, 'recorded command');
        if (outcome.kind === 'acted' || outcome.kind === 'done-before') carriedOut.push(name);
        else
          skipped.push({
            name,
            environment: origin.environment,
            reason: outcome.kind === 'superseded' ? `not done again: ${outcome.reason}.` : outcome.reason,
          });
      }
      const notDone = [
        ...denied.map((target) => ({ name: target.name, environment: target.origin.environment, reason: target.reason })),
        ...skipped,
      ];
      if (carriedOut.length === 0) return refuse([...new Set(notDone.map((target) => target.reason))].join(' '));
      reporter.nudge(repository, pull.number);
      if (notDone.length === 0) return { kind: 'done' };
      const permissionRefused = denied.length > 0;
      const reply = `Done on ${carriedOut.map((name) => `\`${name}\``).join(', ')}; skipped:\n\n${notDone.map((target) => `- \`${target.name}\` (${target.environment}): ${target.reason}`).join('\n')}`;
      return permissionRefused ? { kind: 'partial', reply } : { kind: 'done', reply };
    }
  }
}
