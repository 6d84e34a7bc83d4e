import { activeFreeze } from './active-freeze.js';
import { codeOwnersOf, parseCodeowners } from './codeowners.js';
import { pathsOfEnvironment } from './environments-for-paths.js';
import { formatInstant } from './format-instant.js';
import { normalizeTeam } from './narrow-rules.js';
import { permissionLevels, type CommandDecision, type CommandInput, type CommandName } from './types.js';

/** The commands that move a new revision forward, refused while a freeze window is active; abort and pause stay available. */
export const frozenCommands: readonly CommandName[] = ['deploy', 'promote', 'resume', 'retry'];

/**
 * Whether a person may run a command on an environment: their permission,
 * then the command's teams, then code ownership of the environment's changed
 * manifests (the last CODEOWNERS rule that matches a path owns it), then the
 * freeze windows. Every condition the policy states must hold.
 */
export function authorizeCommand(input: CommandInput): CommandDecision {
  const { environment, command, actor, now } = input;
  const rule = environment.commands[command];
  const repository = input.repository ?? 'this repository';
  const slash = `\`/${command}\``;

  if (permissionLevels.indexOf(actor.permission) < permissionLevels.indexOf(rule.permission)) {
    return { allowed: false, reason: `${slash} needs ${rule.permission} permission on ${repository}; @${actor.login} has ${actor.permission}.` };
  }

  if (rule.teams.length > 0) {
    const actorTeams = new Set(actor.teams.map(normalizeTeam));
    if (!rule.teams.some((team) => actorTeams.has(team))) {
      return { allowed: false, reason: `${slash} on \`${environment.name}\` is kept to members of ${rule.teams.map((team) => `@${team}`).join(', ')}; @${actor.login} is in none of them.` };
    }
  }

  if (rule.codeowners) {
    const refusal = codeownersRefusal(input, slash);
    if (refusal !== undefined) return { allowed: false, reason: refusal };
  }

  if (frozenCommands.includes(command)) {
    const freeze = activeFreeze(environment.freezeWindows, now);
    if (freeze !== undefined) {
      return {
        allowed: false,
        reason: `${slash} is refused: \`${environment.name}\` is frozen by the window \`${freeze.window.name}\` until ${formatInstant(freeze.endsAt, freeze.window.timeZone)}.`,
      };
    }
  }
  return { allowed: true };
}

/** Why the person is not a code owner of every changed manifest of the environment; undefined when they are. */
function codeownersRefusal(input: CommandInput, slash: string): string | undefined {
  const { environment, actor } = input;
  const manifests = pathsOfEnvironment(environment, input.changedPaths);
  if (input.codeowners === undefined) {
    return `${slash} on \`${environment.name}\` needs a code owner of the changed manifests, and the default branch has no CODEOWNERS file.`;
  }
  if (manifests.length === 0) {
    return `${slash} on \`${environment.name}\` needs a code owner of the changed manifests, and this pull request changes none of its manifests.`;
  }
  const rules = parseCodeowners(input.codeowners);
  const login = `@${actor.login.toLowerCase()}`;
  const teams = new Set(actor.teams.map((team) => `@${normalizeTeam(team)}`));
  const notOwned = manifests.filter((path) => !codeOwnersOf(rules, path).some((owner) => owner.toLowerCase() === login || teams.has(owner.toLowerCase())));
  if (notOwned.length === 0) return undefined;
  const shown = notOwned.slice(0, 5).map((path) => `\`${path}\``).join(', ');
  const more = notOwned.length > 5 ? ` and ${notOwned.length - 5} more` : '';
  return `${slash} on \`${environment.name}\` needs a code owner of every changed manifest; @${actor.login} owns none of ${shown}${more} (see CODEOWNERS).`;
}
