/**
 * The local GitHub's whole state: plain JSON, persisted after every change.
 * Records keep what GitHub would store; response shapes are rendered from
 * them (`shape-*.ts`), never stored.
 */
export type Permission = 'read' | 'write';
export type PermissionName =
  'checks' | 'contents' | 'issues' | 'metadata' | 'pull_requests' | 'statuses' | 'deployments' | 'administration' | 'members';
export type PermissionSet = Partial<Record<PermissionName, Permission>>;
export type CollaboratorPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface UserRecord {
  id: number;
  login: string;
  type: 'User' | 'Organization' | 'Bot';
}

export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  owner: string;
  clientId: string;
  permissions: PermissionSet;
  events: string[];
  createdAt: string;
  /** Set when the app was created through the manifest flow (app-manifests.ts): its key's public half, which verifies its JWTs. */
  publicKey?: string;
  /** The manifest's hook_attributes.url: where this app's webhooks go (else the server's configured URL). */
  webhookUrl?: string;
}

/** A manifest a person confirmed on /settings/apps/new, until its code is exchanged (once, within the hour). */
export interface PendingManifestRecord {
  /** SHA-256 of the code: the state never holds a usable code. */
  codeDigest: string;
  /** The manifest as GitHub's documentation describes it (validated by app-manifests.ts). */
  manifest: {
    name?: string | undefined;
    url: string;
    hook_attributes?: { url: string; active?: boolean | undefined } | undefined;
    redirect_url?: string | undefined;
    default_events?: string[] | undefined;
    default_permissions?: Record<string, 'read' | 'write' | 'admin'> | undefined;
    [field: string]: unknown;
  };
  /** The account the app is created for. */
  owner: string;
  expiresAt: string;
}

export interface InstallationRecord {
  id: number;
  account: string;
  permissions: PermissionSet;
  events: string[];
  createdAt: string;
}

/** Tokens are stored as SHA-256 digests: the state file never holds a usable credential. */
export interface TokenRecord {
  digest: string;
  kind: 'installation' | 'user';
  installationId?: number;
  login?: string;
  permissions: PermissionSet;
  expiresAt: string;
}

export interface RepositoryRecord {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  description: string | null;
  createdAt: string;
  pushedAt: string;
  collaborators: Record<string, CollaboratorPermission>;
  /**
   * Branch name → commit SHA as last read from the repository's bare git
   * repository; present only for git-backed repositories. A push is found by
   * comparing this snapshot with git's refs.
   */
  heads?: Record<string, string>;
  /** Branch protection by branch name. */
  protection?: Record<string, BranchProtectionRecord>;
  /** The repository this one was forked from (its id); absent for a repository that is not a fork. */
  forkOf?: number;
}

export interface BranchProtectionRecord {
  /** Contexts (check run names or status contexts) that must be successful on the head commit. */
  requiredContexts: string[];
  /** `required_status_checks.checks[].app_id`: a context that must come from this app (its check runs only), by context. */
  requiredApps?: Record<string, number>;
  requiredApprovals: number;
  /** `required_status_checks.strict`: the head must contain the base branch's head (up to date) to merge. Absent in older state files: false. */
  strict?: boolean;
}

export interface ReviewRecord {
  id: number;
  repositoryId: number;
  pullNumber: number;
  user: string;
  body: string | null;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  commitId: string;
  submittedAt: string;
}

export interface PullFileRecord {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  additions: number;
  deletions: number;
  patch?: string;
  sha: string;
  previousFilename?: string;
}

export interface PullRequestRecord {
  id: number;
  repositoryId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  /** `repositoryId`: the fork the head branch lives in, for a pull request from a fork (absent: the base repository). */
  head: { ref: string; sha: string; repositoryId?: number };
  base: { ref: string; sha: string };
  /** Seeded pull requests carry their files; a git-backed one's files are read from git. */
  files: PullFileRecord[];
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  merged?: { at: string; by: string; sha: string };
}

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

export interface ReactionRecord {
  id: number;
  user: string;
  content: ReactionContent;
  createdAt: string;
}

export interface IssueCommentRecord {
  id: number;
  repositoryId: number;
  issueNumber: number;
  body: string;
  user: string;
  /** Set when an installation wrote the comment: the app's bot user is the author. */
  appId?: number;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionRecord[];
}

export interface AnnotationRecord {
  path: string;
  startLine: number;
  endLine: number;
  startColumn: number | null;
  endColumn: number | null;
  level: 'notice' | 'warning' | 'failure';
  title: string | null;
  message: string;
  rawDetails: string | null;
}

export interface CheckActionRecord {
  label: string;
  description: string;
  identifier: string;
}

export type CheckStatus = 'queued' | 'in_progress' | 'completed';
export type CheckConclusion = 'action_required' | 'cancelled' | 'failure' | 'neutral' | 'success' | 'skipped' | 'stale' | 'timed_out';

export interface CheckRunRecord {
  id: number;
  repositoryId: number;
  appId: number;
  checkSuiteId: number;
  headSha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  actions: CheckActionRecord[];
}

/** One app's suite of check runs on a commit: made when a push requests it, or with the suite's first run. */
export interface CheckSuiteRecord {
  id: number;
  repositoryId: number;
  appId: number;
  headSha: string;
  headBranch: string | null;
  before: string | null;
  createdAt: string;
}

export interface DeploymentStatusRecord {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  creator: string;
  createdAt: string;
}

export interface DeploymentRecord {
  id: number;
  repositoryId: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: Record<string, unknown> | string;
  transient: boolean;
  production: boolean;
  creator: string;
  createdAt: string;
  statuses: DeploymentStatusRecord[];
}

export interface StatusRecord {
  id: number;
  repositoryId: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface DeliveryRecord {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  /** The exact body sent (and signed), so a redelivery sends the same bytes. */
  body: string;
  deliveredAt: string;
  redelivery: boolean;
  statusCode: number;
  outcome: string;
  durationMs?: number;
}

export interface GithubState {
  version: 1;
  nextId: number;
  app: AppRecord;
  users: UserRecord[];
  installations: InstallationRecord[];
  tokens: TokenRecord[];
  repositories: RepositoryRecord[];
  pullRequests: PullRequestRecord[];
  issueComments: IssueCommentRecord[];
  checkRuns: CheckRunRecord[];
  statuses: StatusRecord[];
  deliveries: DeliveryRecord[];
  reviews: ReviewRecord[];
  checkSuites: CheckSuiteRecord[];
  deployments: DeploymentRecord[];
  /** An organization's teams (absent in states saved before teams existed). */
  teams?: TeamRecord[];
  /** Manifests confirmed and not yet converted (absent until the first). */
  pendingManifests?: PendingManifestRecord[];
  /** Deployment environments by repository (absent in older states). */
  environments?: EnvironmentRecord[];
  /** Repository rulesets (absent in older states). */
  rulesets?: RulesetRecord[];
  /** Merge queue entries, oldest first per repository and base branch (absent until the first). */
  mergeQueue?: MergeQueueEntryRecord[];
}

/** A pull request in a base branch's merge queue (merge-queue.ts). */
export interface MergeQueueEntryRecord {
  repositoryId: number;
  /** The base branch (no `refs/heads/`). */
  base: string;
  pullNumber: number;
  /** The pull request's head when it was queued: a push to it takes it out of the queue. */
  headSha: string;
  enqueuedBy: string;
  enqueuedAt: string;
  /** The merge group built for this entry: the base (or the group ahead) with the pull request merged. */
  group?: MergeGroupRecord;
}

export interface MergeGroupRecord {
  headSha: string;
  /** The group's parent: the base branch's head or the head of the group ahead of it. */
  baseSha: string;
  /** The temporary branch, `gh-readonly-queue/<base>/pr-<number>-<baseSha>`. */
  branch: string;
  createdAt: string;
}

/** A repository's deployment environment (`repos/create-or-update-environment`, or made by the first deployment to it). */
export interface EnvironmentRecord {
  id: number;
  repositoryId: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** The ruleset rules the local GitHub enforces on merge; any other rule type is refused when the ruleset is created. */
export type RulesetRule =
  | {
      type: 'required_status_checks';
      parameters: { required_status_checks: { context: string; integration_id?: number }[]; strict_required_status_checks_policy: boolean };
    }
  | { type: 'required_deployments'; parameters: { required_deployment_environments: string[] } }
  | {
      type: 'merge_queue';
      /** Stored as given; the local GitHub models ALLGREEN grouping with one pull request merged at a time. */
      parameters?: {
        check_response_timeout_minutes: number;
        grouping_strategy: 'ALLGREEN' | 'HEADGREEN';
        max_entries_to_build: number;
        max_entries_to_merge: number;
        merge_method: 'MERGE' | 'SQUASH' | 'REBASE';
        min_entries_to_merge: number;
        min_entries_to_merge_wait_minutes: number;
      };
    };

export interface RulesetRecord {
  id: number;
  repositoryId: number;
  name: string;
  enforcement: 'active' | 'disabled' | 'evaluate';
  /** `conditions.ref_name`: `refs/heads/<glob>`, `~DEFAULT_BRANCH` or `~ALL`. */
  include: string[];
  exclude: string[];
  rules: RulesetRule[];
  createdAt: string;
}

/** A team of an organization and its members' logins (all active members; no maintainers or pending invitations here). */
export interface TeamRecord {
  org: string;
  slug: string;
  members: string[];
}

/** Who is calling, after authentication. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'app'; appId: number }
  | { kind: 'installation'; installationId: number; permissions: PermissionSet }
  | { kind: 'user'; login: string; permissions: PermissionSet };
