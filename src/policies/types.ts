/**
 * GitHub's permission levels on a repository, weakest first. `none` is a
 * person without access (an outside commenter on a public repository).
 */
export const permissionLevels = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type PermissionLevel = (typeof permissionLevels)[number];

/** The comment commands the bot obeys (DESIGN.md section 1, point 4). */
export const commandNames = ['promote', 'abort', 'retry', 'pause', 'resume', 'status', 'deploy', 'unlock', 'help'] as const;
export type CommandName = (typeof commandNames)[number];

/**
 * What makes Gradual deploy a pull request, weakest first: every push to it
 * (`pull_request`), once approved (`approved`), when someone says `/deploy`
 * (`command`), or only after it merged (`merge`). A repository may move an
 * environment to a later trigger, never to an earlier one.
 */
export const deployTriggers = ['pull_request', 'approved', 'command', 'merge'] as const;
export type DeployTrigger = (typeof deployTriggers)[number];

/** Who may run one command: every condition must hold (they narrow each other). */
export interface CommandRule {
  /** The weakest repository permission that may run the command. */
  permission: PermissionLevel;
  /** When not empty, the person must belong to one of these teams (`org/team-slug`). */
  teams: string[];
  /** When true, the person must be a code owner of every changed manifest of the environment. */
  codeowners: boolean;
}

export type CommandRules = Record<CommandName, CommandRule>;

interface FreezeWindowBase {
  name: string;
  /** The IANA time zone the schedule or the start/end pair is read in. */
  timeZone: string;
  /** Where the window was written (`file:line`), so a refusal can point at it. */
  source: string;
}

/** A freeze that starts at every occurrence of a cron schedule and lasts a fixed time. */
export interface RecurringFreezeWindow extends FreezeWindowBase {
  kind: 'recurring';
  schedule: string;
  /** Elapsed time, so a window across a DST change lasts exactly this long. */
  durationSeconds: number;
}

/** A freeze between two instants (written as local times in the window's time zone, or with an offset). */
export interface FixedFreezeWindow extends FreezeWindowBase {
  kind: 'fixed';
  start: Date;
  end: Date;
}

export type FreezeWindow = RecurringFreezeWindow | FixedFreezeWindow;

/** The rules that apply to deploys and commands; a repository and each of its environments may only narrow them. */
export interface PolicyRules {
  trigger: DeployTrigger;
  /** Approvals from distinct people with write permission or more that a deploy needs. */
  requiredApprovals: number;
  /** Whether pull requests from forks are deployed before they merge. */
  allowForks: boolean;
  commands: CommandRules;
  freezeWindows: FreezeWindow[];
  /** The kinds manifests may have, as `Kind` or `Kind.group` (see confinement.ts); anything else is a plan error. */
  kinds: string[];
  /** How much YAML a plan reads; beyond it, a plan error at the file. */
  manifestLimits: ManifestLimits;
  /** false: a deploy that would delete objects removed from git is refused; absent or true: they are pruned. */
  prune?: boolean;
  /** The hosts a pull request's web and prometheus metrics may be pointed at (`*.domain` for every name under it); undefined: any host. */
  metricHosts?: string[];
}

/**
 * Size caps on a pull request's manifests, hostile input parsed by a process holding cluster
 * credentials: bytes, YAML nodes (scalars, aliases, collections: parsing holds up to ~1 KB
 * of memory per node) and Kubernetes objects (YAML documents), per file and over all the
 * files a pull request's plans read. A repository may lower them, never raise them.
 */
export interface ManifestLimits {
  fileBytes: number;
  fileNodes: number;
  fileObjects: number;
  pullRequestBytes: number;
  pullRequestNodes: number;
  pullRequestObjects: number;
}

export const manifestLimitFields = ['fileBytes', 'fileNodes', 'fileObjects', 'pullRequestBytes', 'pullRequestNodes', 'pullRequestObjects'] as const satisfies readonly (keyof ManifestLimits)[];

/**
 * The caps when policies/default.yml states none. 2 MiB and 100,000 nodes hold a large CRD
 * (a Kubernetes object is at most ~1.5 MiB in etcd); 200,000 nodes a pull request keep a
 * plan's parse trees near 200 MB at worst (1 KB a node for flow sequences, ~300 bytes for
 * block maps), under the bot's 512 MiB limit.
 */
export const defaultManifestLimits: ManifestLimits = {
  fileBytes: 2 * 1024 * 1024,
  fileNodes: 100_000,
  fileObjects: 1_000,
  pullRequestBytes: 8 * 1024 * 1024,
  pullRequestNodes: 200_000,
  pullRequestObjects: 5_000,
};

/** What even policies/default.yml may not exceed. */
export const manifestLimitCeilings: ManifestLimits = {
  fileBytes: 16 * 1024 * 1024,
  fileNodes: 1_000_000,
  fileObjects: 20_000,
  pullRequestBytes: 64 * 1024 * 1024,
  pullRequestNodes: 2_000_000,
  pullRequestObjects: 100_000,
};

/** One environment with its rules resolved (defaults, narrowed by the repository, narrowed by the environment). */
export interface EnvironmentPolicy extends PolicyRules {
  name: string;
  /** Globs of the manifest files that belong to the environment, relative to the repository root. */
  paths: string[];
  /**
   * The namespace given to manifests that name none; undefined: the
   * fallback namespace `default` (environmentNamespaces says which).
   */
  namespace: string | undefined;
  /** Every namespace the manifests may be in, `namespace` first; empty when the environment names none (then only `namespace` or the fallback). */
  namespaces: string[];
}

export interface RepositoryPolicy {
  /** The repository-wide rules, for commands that concern no environment (`/help`, `/status`). */
  rules: PolicyRules;
  environments: EnvironmentPolicy[];
}

/** A problem in a policy file, placed where it is written. Lines and columns count from 1. */
export interface PolicyError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type PolicyParseResult = { ok: true; policy: RepositoryPolicy } | { ok: false; errors: PolicyError[]; policy: RepositoryPolicy };

export interface EnvironmentMatch {
  environment: EnvironmentPolicy;
  /** The changed paths that belong to the environment, in the order given. */
  paths: string[];
}

export interface PullRequestApproval {
  login: string;
  permission: PermissionLevel;
}

export interface DeployInput {
  environment: EnvironmentPolicy;
  /** What happened: a push or an opened pull request, an approving review, a `/deploy` comment, or the merge. */
  trigger: DeployTrigger;
  pullRequest: { fromFork: boolean; approvals: readonly PullRequestApproval[] };
  now: Date;
}

export type DeployDecision = { deploy: true } | { deploy: false; reason: string; retryAt?: Date };

export interface CommandActor {
  login: string;
  permission: PermissionLevel;
  /** The teams the person belongs to, as `org/team-slug`. */
  teams: readonly string[];
}

export interface CommandInput {
  environment: EnvironmentPolicy;
  command: CommandName;
  actor: CommandActor;
  changedPaths: readonly string[];
  /** The CODEOWNERS text from the default branch; undefined when the repository has none. */
  codeowners: string | undefined;
  now: Date;
  /** `owner/repo`, for the reasons a person reads; "this repository" when not given. */
  repository?: string;
}

export type CommandDecision = { allowed: true } | { allowed: false; reason: string };

export interface ActiveFreeze {
  window: FreezeWindow;
  /** The first instant at or after now when no freeze window is active (windows that overlap or touch run on). */
  endsAt: Date;
}

/** A field's place in a policy document: map keys and list indexes. */
export type PolicyPath = readonly (string | number)[];
