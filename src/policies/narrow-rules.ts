import type { PolicyFileCommandRule, PolicyFileRules } from './schema.js';
import { commandNames, deployTriggers, manifestLimitFields, permissionLevels, type CommandRule, type CommandRules, type FreezeWindow, type ManifestLimits, type PolicyRules } from './types.js';
import type { PolicyPath } from './types.js';
import { hostCoveredBy } from './metric-hosts.js';

export interface NarrowingProblem {
  path: PolicyPath;
  message: string;
}

/**
 * The rules `written` asks for, on top of `base`: each field may only make
 * the rules stricter (a later trigger, more approvals, a higher permission,
 * fewer teams, code owners required, more freeze windows, forks refused,
 * fewer kinds, lower manifest limits, metric hosts within those allowed).
 * A field that would loosen them is a problem at its path, under `prefix`;
 * `baseName` says in the message what it would loosen ("the defaults").
 * The freeze windows are resolved by the caller, which knows their places.
 */
export function narrowRules(
  base: PolicyRules,
  written: PolicyFileRules,
  addedWindows: readonly FreezeWindow[],
  prefix: PolicyPath,
  baseName: string,
): { rules: PolicyRules; problems: NarrowingProblem[] } {
  const problems: NarrowingProblem[] = [];
  const problem = (path: PolicyPath, message: string): void => {
    problems.push({ path: [...prefix, ...path], message: `${message}; a repository may only narrow ${baseName}` });
  };

  let trigger = base.trigger;
  if (written.trigger !== undefined) {
    if (rank(deployTriggers, written.trigger) < rank(deployTriggers, base.trigger)) {
      problem(['trigger'], `trigger "${written.trigger}" deploys sooner than "${base.trigger}" (${deployTriggers.join(' < ')})`);
    } else {
      trigger = written.trigger;
    }
  }

  let requiredApprovals = base.requiredApprovals;
  if (written.requiredApprovals !== undefined) {
    if (written.requiredApprovals < base.requiredApprovals) {
      problem(['requiredApprovals'], `requiredApprovals ${written.requiredApprovals} is fewer than ${base.requiredApprovals}`);
    } else {
      requiredApprovals = written.requiredApprovals;
    }
  }

  let allowForks = base.allowForks;
  if (written.allowForks !== undefined) {
    if (written.allowForks && !base.allowForks) problem(['allowForks'], 'allowForks: true would deploy pull requests from forks, which are not deployed');
    else allowForks = written.allowForks;
  }

  const commands = { ...base.commands };
  for (const name of commandNames) {
    const rule = written.commands?.[name];
    if (rule === undefined) continue;
    commands[name] = narrowCommandRule(base.commands[name], rule, (field, message) => {
      problem(['commands', name, ...field], `/${name}: ${message}`);
    });
  }

  let kinds = base.kinds;
  if (written.kinds !== undefined) {
    const outside = written.kinds.filter((kind) => !base.kinds.includes(kind));
    for (const kind of outside) problem(['kinds', written.kinds.indexOf(kind)], `kind ${kind} is not among the kinds allowed (${base.kinds.join(', ') || 'none'})`);
    if (outside.length === 0) kinds = [...new Set(written.kinds)];
  }

  const manifestLimits: ManifestLimits = { ...base.manifestLimits };
  for (const field of manifestLimitFields) {
    const asked = written.manifestLimits?.[field];
    if (asked === undefined) continue;
    if (asked > base.manifestLimits[field]) problem(['manifestLimits', field], `manifestLimits.${field} ${String(asked)} is more than ${String(base.manifestLimits[field])}`);
    else manifestLimits[field] = asked;
  }

  let prune = base.prune;
  if (written.prune !== undefined) {
    if (written.prune && base.prune === false) problem(['prune'], 'prune: true would delete objects removed from git, which is forbidden');
    else prune = written.prune;
  }

  let metricHosts = base.metricHosts;
  if (written.metricHosts !== undefined) {
    const asked = [...new Set(written.metricHosts)];
    const allowed = base.metricHosts;
    const outside = allowed === undefined ? [] : asked.filter((host) => !allowed.some((entry) => hostCoveredBy(host, entry)));
    for (const host of outside) {
      problem(['metricHosts', written.metricHosts.indexOf(host)], `metric host "${host}" is not among ${allowed?.map((entry) => `"${entry}"`).join(', ') || 'none (no metric host is allowed)'}`);
    }
    if (outside.length === 0) metricHosts = asked;
  }

  return {
    rules: {
      trigger,
      requiredApprovals,
      allowForks,
      commands: commands satisfies CommandRules,
      freezeWindows: [...base.freezeWindows, ...addedWindows],
      kinds,
      manifestLimits,
      ...(prune === undefined ? {} : { prune }),
      ...(metricHosts === undefined ? {} : { metricHosts }),
    },
    problems,
  };
}

function narrowCommandRule(base: CommandRule, written: PolicyFileCommandRule, problem: (field: PolicyPath, message: string) => void): CommandRule {
  let permission = base.permission;
  if (written.permission !== undefined) {
    if (rank(permissionLevels, written.permission) < rank(permissionLevels, base.permission)) {
      problem(['permission'], `permission "${written.permission}" is weaker than "${base.permission}" (${permissionLevels.join(' < ')})`);
    } else {
      permission = written.permission;
    }
  }

  let teams = base.teams;
  if (written.teams !== undefined) {
    const asked = written.teams.map(normalizeTeam);
    if (base.teams.length > 0 && asked.length === 0) {
      problem(['teams'], `an empty list of teams lets anyone in, not only ${base.teams.map((team) => `@${team}`).join(', ')}`);
    } else {
      const outside = base.teams.length === 0 ? [] : asked.filter((team) => !base.teams.includes(team));
      for (const team of outside) {
        problem(['teams', written.teams.findIndex((name) => normalizeTeam(name) === team)], `team @${team} is not among ${base.teams.map((name) => `@${name}`).join(', ')}`);
      }
      if (outside.length === 0) teams = [...new Set(asked)];
    }
  }

  let codeowners = base.codeowners;
  if (written.codeowners !== undefined) {
    if (!written.codeowners && base.codeowners) problem(['codeowners'], 'codeowners: false would let people who own none of the changed manifests in');
    else codeowners = written.codeowners;
  }
  return { permission, teams, codeowners };
}

/** A team as GitHub spells it in CODEOWNERS (`@org/team-slug`), compared without the `@` and case. */
export function normalizeTeam(team: string): string {
  return team.replace(/^@/u, '').toLowerCase();
}

function rank<T extends string>(order: readonly T[], value: T): number {
  return order.indexOf(value);
}
