import { CronDate } from 'croner';
import { LineCounter, type Document } from 'yaml';
import { describeValue, parseGoDuration, parseYamlDocument, positionOf, zodIssueProblems } from '../api/index.js';
import { applicationKinds } from './confinement.js';
import { narrowRules, normalizeTeam } from './narrow-rules.js';
import { policyFileSchema, type PolicyFile, type PolicyFileFreezeWindow, type PolicyFileRules } from './schema.js';
import { commandNames, defaultManifestLimits, deployTriggers, manifestLimitFields, type CommandName, type ManifestLimits, type CommandRule, type CommandRules, type EnvironmentPolicy, type FreezeWindow, type PolicyError, type PolicyParseResult, type PolicyPath, type PolicyRules, type RepositoryPolicy } from './types.js';

/**
 * What a deploy gets when even the defaults cannot be read: nothing is
 * deployed (there is no environment) and every command needs admin.
 */
export const lockedDownPolicy: RepositoryPolicy = {
  rules: {
    trigger: 'merge',
    requiredApprovals: 1,
    allowForks: false,
    commands: Object.fromEntries(commandNames.map((name): [CommandName, CommandRule] => [name, { permission: 'admin', teams: [], codeowners: false }])) as CommandRules,
    freezeWindows: [],
    kinds: [],
    manifestLimits: defaultManifestLimits,
  },
  environments: [],
};

/**
 * Reads the shipped defaults (`policies/default.yml`). They must state every
 * rule — the trigger, the approvals, forks and each command's permission —
 * so that nothing is allowed by omission. Their environments name only paths
 * and a namespace: rules written on them would not bind a repository that
 * defines its own environments. `kinds` may be left out: then the
 * application kinds (confinement.ts), never more. A broken file gives
 * lockedDownPolicy.
 */
export function parseDefaultPolicy(text: string, file: string): PolicyParseResult {
  const read = readPolicyFile(text, file);
  if (!read.ok) return { ok: false, errors: read.errors, policy: lockedDownPolicy };
  const { written, errorAt } = read;
  const errors: PolicyError[] = [];
  const missing = (path: PolicyPath, what: string): void => {
    errors.push(errorAt(path.slice(0, -1), `missing field "${String(path.at(-1))}": the defaults must state ${what}`));
  };
  if (written.trigger === undefined) missing(['trigger'], `the deploy trigger (${deployTriggers.join(', ')})`);
  if (written.requiredApprovals === undefined) missing(['requiredApprovals'], 'how many approvals a deploy needs');
  if (written.allowForks === undefined) missing(['allowForks'], 'whether pull requests from forks are deployed');
  for (const name of commandNames) {
    if (written.commands?.[name]?.permission === undefined) missing(['commands', name, 'permission'], `who may run /${name}`);
  }
  for (const [index, environment] of (written.environments ?? []).entries()) {
    for (const field of ['trigger', 'requiredApprovals', 'allowForks', 'commands', 'freezeWindows', 'kinds', 'manifestLimits', 'prune', 'metricHosts'] as const) {
      if (environment[field] !== undefined) {
        errors.push(errorAt(['environments', index, field], `"${field}" belongs at the top level of the defaults: an environment here names only its paths and namespace`, 'key'));
      }
    }
  }
  const windows = resolveFreezeWindows(written.freezeWindows ?? [], [], file, errorAt);
  errors.push(...windows.errors);
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors), policy: lockedDownPolicy };

  const commands = Object.fromEntries(
    commandNames.map((name) => {
      const rule = written.commands?.[name];
      return [name, { permission: rule?.permission ?? 'admin', teams: [...new Set((rule?.teams ?? []).map(normalizeTeam))], codeowners: rule?.codeowners ?? false }];
    }),
  ) as CommandRules;
  const manifestLimits: ManifestLimits = { ...defaultManifestLimits };
  for (const field of manifestLimitFields) manifestLimits[field] = written.manifestLimits?.[field] ?? defaultManifestLimits[field];
  const rules: PolicyRules = {
    trigger: written.trigger ?? 'merge',
    requiredApprovals: written.requiredApprovals ?? 0,
    allowForks: written.allowForks ?? false,
    commands,
    freezeWindows: windows.windows,
    kinds: [...new Set(written.kinds ?? applicationKinds)],
    // Unstated caps are the built-in ones: the defaults need not know every cap to be safe.
    manifestLimits,
    ...(written.prune === undefined ? {} : { prune: written.prune }),
    ...(written.metricHosts === undefined ? {} : { metricHosts: [...new Set(written.metricHosts)] }),
  };
  const environments = (written.environments ?? []).map((environment): EnvironmentPolicy => ({ ...rules, name: environment.name, paths: environment.paths, ...namespacesOf(environment) }));
  return { ok: true, policy: { rules, environments } };
}

/**
 * Reads a repository's `.gradual.yml` (from its default branch) on top of the
 * defaults. The top-level rules narrow the defaults, each environment's rules
 * narrow the top-level ones. Environments written here replace those of the
 * defaults; without any, the defaults' environments take the top-level
 * rules. Any error — a bad value, an unknown field, a rule that would loosen
 * what it narrows — gives the defaults, never a mix. No file: the defaults.
 */
export function parseRepositoryPolicy(text: string | undefined, file: string, defaults: RepositoryPolicy): PolicyParseResult {
  if (text === undefined) return { ok: true, policy: defaults };
  const read = readPolicyFile(text, file);
  if (!read.ok) return { ok: false, errors: read.errors, policy: defaults };
  const { written, errorAt } = read;
  const errors: PolicyError[] = [];

  const narrow = (base: PolicyRules, rules: PolicyFileRules, prefix: PolicyPath, baseName: string): PolicyRules => {
    const windows = resolveFreezeWindows(rules.freezeWindows ?? [], prefix, file, errorAt);
    errors.push(...windows.errors);
    const narrowed = narrowRules(base, rules, windows.windows, prefix, baseName);
    errors.push(...narrowed.problems.map((problem) => errorAt(problem.path, problem.message)));
    return narrowed.rules;
  };

  const rules = narrow(defaults.rules, written, [], 'the defaults');
  const environments =
    written.environments === undefined
      ? defaults.environments.map((environment): EnvironmentPolicy => ({ ...environment, ...rules }))
      : written.environments.map((environment, index): EnvironmentPolicy => ({
          ...narrow(rules, environment, ['environments', index], 'the repository-wide rules (and so the defaults)'),
          name: environment.name,
          paths: environment.paths,
          ...namespacesOf(environment),
        }));
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors), policy: defaults };
  return { ok: true, policy: { rules, environments } };
}

/** `namespace: a` or `namespaces: [a, b]` as the environment's default namespace and the list it is confined to. */
function namespacesOf(environment: { namespace?: string | undefined; namespaces?: string[] | undefined }): Pick<EnvironmentPolicy, 'namespace' | 'namespaces'> {
  const namespaces = environment.namespaces ?? (environment.namespace === undefined ? [] : [environment.namespace]);
  return { namespace: namespaces[0], namespaces };
}
/** Problems reported from one policy file; the rest are counted. */
const MAX_POLICY_PROBLEMS = 100;

/** The largest policy file read. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;

type ErrorAt = (path: PolicyPath, message: string, at?: 'key' | 'value') => PolicyError;

type ReadResult = { ok: true; written: PolicyFile; errorAt: ErrorAt } | { ok: false; errors: PolicyError[] };

/** Parses one YAML document and checks it against the policy file schema, every problem at its place. */
function readPolicyFile(text: string, file: string): ReadResult {
  // A repository's .gradual.yml is written by anyone who can merge to it; real ones are a few kilobytes.
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_FILE_BYTES) return { ok: false, errors: [{ file, line: 1, column: 1, message: `the policy file is ${String(bytes)} bytes, more than ${String(MAX_POLICY_FILE_BYTES)}` }] };
  const lineCounter = new LineCounter();
  const document: Document = parseYamlDocument(text, lineCounter);
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, message: `YAML: ${error.message}` };
      }),
    };
  }
  const errorAt: ErrorAt = (path, message, at = 'value') => ({ file, ...positionOf(document, path, lineCounter, at), message });
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return { ok: false, errors: [errorAt([], `YAML: ${cause instanceof Error ? cause.message : String(cause)}`)] };
  }
  // An empty file (or one of comments only) narrows nothing.
  const parsed = policyFileSchema.safeParse(value ?? {}, { reportInput: true });
  if (!parsed.success) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, errors: [errorAt([], `expected a map of policy fields, got ${describeValue(value)}`)] };
    }
    const problems = zodIssueProblems(parsed.error.issues, knownFieldsAt, { listKnownFields: true });
    // Placing a problem walks the map it is in: a file of 20,000 unknown keys took minutes placing them all.
    const placed = sortErrors(problems.slice(0, MAX_POLICY_PROBLEMS).map((problem) => errorAt(problem.path, problem.message, problem.at ?? 'value')));
    if (problems.length > MAX_POLICY_PROBLEMS) placed.push({ ...(placed.at(-1) ?? { file, line: 1, column: 1 }), message: `and ${String(problems.length - MAX_POLICY_PROBLEMS)} more problems` });
    return { ok: false, errors: placed };
  }
  return { ok: true, written: parsed.data, errorAt };
}

function resolveFreezeWindows(written: readonly PolicyFileFreezeWindow[], prefix: PolicyPath, file: string, errorAt: ErrorAt): { windows: FreezeWindow[]; errors: PolicyError[] } {
  const windows: FreezeWindow[] = [];
  const errors: PolicyError[] = [];
  for (const [index, window] of written.entries()) {
    const path = [...prefix, 'freezeWindows', index];
    const timeZone = window.timeZone ?? 'UTC';
    const source = `${file}:${String(errorAt(path, '').line)}`;
    if (window.schedule !== undefined && window.duration !== undefined) {
      windows.push({ kind: 'recurring', name: window.name, timeZone, source, schedule: window.schedule, durationSeconds: parseGoDuration(window.duration) ?? 0 });
    } else if (window.start !== undefined && window.end !== undefined) {
      const start = new CronDate(window.start, timeZone).getDate(false);
      const end = new CronDate(window.end, timeZone).getDate(false);
      if (end.getTime() <= start.getTime()) errors.push(errorAt([...path, 'end'], `end ${JSON.stringify(window.end)} is not after start ${JSON.stringify(window.start)}`));
      else windows.push({ kind: 'fixed', name: window.name, timeZone, source, start, end });
    }
  }
  return { windows, errors };
}

const ruleFields = ['trigger', 'requiredApprovals', 'allowForks', 'commands', 'freezeWindows', 'kinds', 'manifestLimits', 'prune', 'metricHosts'];

/** The fields a policy file knows at a path, for "did you mean" on an unknown one. */
function knownFieldsAt(path: PolicyPath): readonly string[] {
  const names = path.filter((segment): segment is string => typeof segment === 'string');
  const last = names.at(-1);
  if (last === undefined) return [...ruleFields, 'environments'];
  if (last === 'environments') return ['name', 'paths', 'namespace', 'namespaces', ...ruleFields];
  if (last === 'commands') return commandNames;
  if (last === 'freezeWindows') return ['name', 'schedule', 'duration', 'start', 'end', 'timeZone'];
  if ((commandNames as readonly string[]).includes(last)) return ['permission', 'teams', 'codeowners'];
  return [];
}

function sortErrors(errors: readonly PolicyError[]): PolicyError[] {
  return [...errors].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
