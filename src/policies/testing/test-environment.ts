import { commandNames, defaultManifestLimits, type CommandRule, type CommandRules, type EnvironmentPolicy } from '../types.js';

/** An environment as the shipped defaults give it, for the tables of the decision tests; `overrides` narrow it. */
export function testEnvironment(overrides: Partial<EnvironmentPolicy> = {}, commandOverrides: Partial<CommandRules> = {}): EnvironmentPolicy {
  const permission = (name: (typeof commandNames)[number]): CommandRule['permission'] => (name === 'unlock' ? 'maintain' : name === 'status' || name === 'help' ? 'read' : 'write');
  const commands = Object.fromEntries(commandNames.map((name): [string, CommandRule] => [name, commandOverrides[name] ?? { permission: permission(name), teams: [], codeowners: false }])) as CommandRules;
  return {
    name: 'production',
    paths: ['deploy/prod/**'],
    namespace: 'shop',
    namespaces: ['shop'],
    trigger: 'pull_request',
    requiredApprovals: 0,
    allowForks: false,
    commands,
    freezeWindows: [],
    kinds: ['Rollout.argoproj.io', 'Service'],
    manifestLimits: defaultManifestLimits,
    ...overrides,
  };
}
