import type { ProbotOctokit } from 'probot';
import type { PermissionLevel } from '../policies/index.js';
import { permissionLevels } from '../policies/index.js';
import { needsNewCheckRun, type KnownCheckRun } from './check-run-lifecycle.js';
import type { CheckAnnotation, CheckRunOutput } from './types.js';

/** The repository a handler works on. */
export interface RepositoryRef {
  owner: string;
  repo: string;
}

export function repositoryName(ref: RepositoryRef): string {
  return `${ref.owner}/${ref.repo}`;
}

const annotationsPerRequest = 50;

/**
 * Everything the bot asks of GitHub, over an installation's authenticated client.
 * Small on purpose: handlers depend on this, not on Octokit's whole surface.
 */
export interface GithubPort {
  /**
   * Creates the named check run on the commit, or updates the newest one of that name, so a repeat
   * changes nothing twice; when that run is completed and the check must leave it (a pause promoted)
   * or end otherwise, a new run of the same name is created, since GitHub keeps a completed run's
   * status and conclusion and reads the newest run. Returns the id written.
   */
  upsertCheckRun(headSha: string, output: CheckRunOutput): Promise<number>;
  findCheckRun(
    headSha: string,
    name: string,
  ): Promise<{ id: number; status: string; conclusion: string | null; title: string | null; summary: string | null } | undefined>;
  /** An issue's comments, oldest first; `isBot` for an app's or a bot's comment, `createdAt` ISO. */
  listIssueComments(issue: number): Promise<{ id: number; body: string; login: string; isBot?: boolean; createdAt?: string }[]>;
  createIssueComment(issue: number, body: string): Promise<number>;
  updateIssueComment(id: number, body: string): Promise<void>;
  react(commentId: number, content: '+1' | 'eyes' | 'rocket' | 'confused'): Promise<void>;
  /** True when an app already answered the comment with 🚀 or 😕: its commands ran (the durable record a restart keeps). */
  commentHandled(commentId: number): Promise<boolean>;
  permissionOf(login: string): Promise<PermissionLevel>;
  /** Whether `login` is an active member of the organization's team (404, not a member or no such team: false). */
  teamMember(org: string, slug: string, login: string): Promise<boolean>;
  /** The file's text on a ref (the default branch when absent); undefined when there is none. */
  readFile(path: string, ref?: string): Promise<string | undefined>;
  pullRequest(number: number): Promise<PullRequestFacts>;
  /** The paths a pull request changes (a rename counts both names). */
  changedFiles(number: number): Promise<string[]>;
  /** Who approved `headSha` (their latest review, of that very commit), with their permission. */
  approvals(number: number, headSha: string): Promise<{ login: string; permission: PermissionLevel }[]>;
  createCommitStatus(
    sha: string,
    status: { state: 'pending' | 'success' | 'failure' | 'error'; context: string; description: string },
  ): Promise<void>;
  /** The commit a branch points at. */
  branchHead(branch: string): Promise<string>;
  /** A check run's page (its `html_url`). */
  checkRunUrl(id: number): Promise<string>;
  /** The repository's GitHub Deployments, newest first (one page of 100), filtered by environment and/or commit, each with its newest status. */
  listDeployments(filter: { environment?: string; sha?: string }): Promise<GithubDeployment[]>;
  /** Creates a Deployment of a commit to an environment (no required contexts: the rollout is the deploy's own check); returns its id. */
  createDeployment(deployment: {
    sha: string;
    environment: string;
    description: string;
    payload: Record<string, unknown>;
  }): Promise<number>;
  createDeploymentStatus(
    id: number,
    status: { state: GithubDeploymentState; description: string; environmentUrl?: string; logUrl?: string },
  ): Promise<void>;
  /** The open pull requests into a base branch, with their heads. */
  openPullRequests(base: string): Promise<{ number: number; headSha: string }[]>;
  /** Every commit reachable from `head` and not from `base` (GitHub's compare; at most 250, as GitHub lists). */
  commitsBetween(base: string, head: string): Promise<string[]>;
}

export type GithubDeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

export interface GithubDeployment {
  id: number;
  sha: string;
  environment: string;
  payload: unknown;
  /** The newest status's state; `pending` when it has none. */
  state: string;
}

export interface PullRequestFacts {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  fromFork: boolean;
  author: string;
  defaultBranch: string;
  cloneUrl: string;
}

function asPermission(value: string | undefined): PermissionLevel {
  return (permissionLevels as readonly string[]).includes(value ?? '') ? (value as PermissionLevel) : 'none';
}

export function githubPort(octokit: ProbotOctokit, ref: RepositoryRef): GithubPort {
  const base = { owner: ref.owner, repo: ref.repo };
  // The newest run by commit and name: an update then costs one request instead of a lookup and a write.
  const checkRuns = new Map<string, KnownCheckRun>();
  const appendAnnotations = async (id: number, output: CheckRunOutput, batches: CheckAnnotation[][]): Promise<void> => {
    // GitHub takes at most 50 annotations per request; the rest follow in updates that append them.
    for (const batch of batches)
      await octokit.rest.checks.update({
        ...base,
        check_run_id: id,
        output: { title: output.title, summary: output.summary, annotations: batch },
      });
  };
  const port: GithubPort = {
    async findCheckRun(headSha, name) {
      const found = await octokit.rest.checks.listForRef({ ...base, ref: headSha, check_name: name, filter: 'latest', per_page: 100 });
      const run = found.data.check_runs.find((candidate) => candidate.name === name);
      return run === undefined
        ? undefined
        : { id: run.id, status: run.status, conclusion: run.conclusion, title: run.output.title, summary: run.output.summary };
    },
    async upsertCheckRun(headSha, output) {
      const annotations = output.annotations ?? [];
      const batches: CheckAnnotation[][] = [];
      for (let index = 0; index < annotations.length; index += annotationsPerRequest)
        batches.push(annotations.slice(index, index + annotationsPerRequest));
      const body = {
        name: output.name,
        status: output.status,
        ...(output.conclusion !== undefined && { conclusion: output.conclusion }),
        output: {
          title: output.title,
          summary: output.summary,
          ...(output.text !== undefined && { text: output.text }),
          ...(batches[0] !== undefined && { annotations: batches[0] }),
        },
        actions: output.actions ?? [],
      };
      const cacheKey = `${headSha} ${output.name}`;
      const known = checkRuns.get(cacheKey) ?? (await port.findCheckRun(headSha, output.name));
      const written = { status: output.status, conclusion: output.conclusion ?? null };
      if (known === undefined || needsNewCheckRun(known, output)) {
        const created = (await octokit.rest.checks.create({ ...base, head_sha: headSha, ...body })).data.id;
        checkRuns.set(cacheKey, { id: created, ...written });
        await appendAnnotations(created, output, batches.slice(1));
        return created;
      }
      await octokit.rest.checks.update({ ...base, check_run_id: known.id, ...body });
      checkRuns.set(cacheKey, {
        id: known.id,
        ...(known.status === 'completed' ? { status: known.status, conclusion: known.conclusion } : written),
      });
      await appendAnnotations(known.id, output, batches.slice(1));
      return known.id;
    },
    async listIssueComments(issue) {
      const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...base, issue_number: issue, per_page: 100 });
      return comments.map((comment) => ({
        id: comment.id,
        body: comment.body ?? '',
        login: comment.user?.login ?? '',
        isBot: comment.user?.type === 'Bot',
        createdAt: comment.created_at,
      }));
    },
    async createIssueComment(issue, body) {
      return (await octokit.rest.issues.createComment({ ...base, issue_number: issue, body })).data.id;
    },
    async updateIssueComment(id, body) {
      await octokit.rest.issues.updateComment({ ...base, comment_id: id, body });
    },
    async react(commentId, content) {
      await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: commentId, content });
    },
    async commentHandled(commentId) {
      const reactions = await octokit.paginate(octokit.rest.reactions.listForIssueComment, {
        ...base,
        comment_id: commentId,
        per_page: 100,
      });
      return reactions.some(
        (reaction) => reaction.user?.type === 'Bot' && (reaction.content === 'rocket' || reaction.content === 'confused'),
      );
    },
    async permissionOf(login) {
      try {
        return asPermission((await octokit.rest.repos.getCollaboratorPermissionLevel({ ...base, username: login })).data.permission);
      } catch (cause) {
        if (typeof cause === 'object' && cause !== null && 'status' in cause && cause.status === 404) return 'none';
        throw cause;
      }
    },
    async teamMember(org, slug, login) {
      try {
        return (await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login })).data.state === 'active';
      } catch (cause) {
        if (typeof cause === 'object' && cause !== null && 'status' in cause && cause.status === 404) return false;
        throw cause;
      }
    },
    async readFile(path, at) {
      try {
        const response = await octokit.rest.repos.getContent({ ...base, path, ...(at !== undefined && { ref: at }) });
        const data = response.data;
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
        return Buffer.from(data.content, 'base64').toString('utf8');
      } catch (cause) {
        if (typeof cause === 'object' && cause !== null && 'status' in cause && cause.status === 404) return undefined;
        throw cause;
      }
    },
    async pullRequest(number) {
      const pull = (await octokit.rest.pulls.get({ ...base, pull_number: number })).data;
      // GitHub sends a null head repository when the fork was deleted; the description does not say so.
      const headRepository = pull.head.repo as { full_name: string } | null;
      return {
        number,
        state: pull.state === 'open' ? 'open' : 'closed',
        merged: pull.merged,
        headSha: pull.head.sha,
        headRef: pull.head.ref,
        baseRef: pull.base.ref,
        fromFork: headRepository?.full_name !== pull.base.repo.full_name,
        author: pull.user.login,
        defaultBranch: pull.base.repo.default_branch,
        cloneUrl: pull.base.repo.clone_url,
      };
    },
    async changedFiles(number) {
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...base, pull_number: number, per_page: 100 });
      return files.flatMap((file) => (file.previous_filename === undefined ? [file.filename] : [file.filename, file.previous_filename]));
    },
    async approvals(number, headSha) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...base, pull_number: number, per_page: 100 });
      // A person's latest review decides (an approval later dismissed by "changes requested" does not count),
      // and it counts only when it approved this very head: an approval of an earlier push approves that push.
      const latest = new Map<string, { state: string; commit: string | undefined }>();
      for (const review of reviews)
        if (review.user !== null && review.state !== 'COMMENTED')
          latest.set(review.user.login, { state: review.state, commit: review.commit_id ?? undefined });
      const approvers = [...latest]
        .filter(([, review]) => review.state === 'APPROVED' && review.commit === headSha)
        .map(([login]) => login);
      return Promise.all(approvers.map(async (login) => ({ login, permission: await port.permissionOf(login) })));
    },
    async createCommitStatus(sha, status) {
      await octokit.rest.repos.createCommitStatus({ ...base, sha, ...status });
    },
    async branchHead(branch) {
      return (await octokit.rest.git.getRef({ ...base, ref: `heads/${branch}` })).data.object.sha;
    },
    async checkRunUrl(id) {
      return (await octokit.rest.checks.get({ ...base, check_run_id: id })).data.html_url ?? '';
    },
    async listDeployments(filter) {
      const found = (await octokit.rest.repos.listDeployments({ ...base, ...filter, per_page: 100 })).data;
      return Promise.all(
        found.map(async (deployment) => {
          const statuses = (await octokit.rest.repos.listDeploymentStatuses({ ...base, deployment_id: deployment.id, per_page: 1 })).data;
          return {
            id: deployment.id,
            sha: deployment.sha,
            environment: deployment.environment,
            payload: deployment.payload,
            state: statuses[0]?.state ?? 'pending',
          };
        }),
      );
    },
    async createDeployment(deployment) {
      const created = await octokit.rest.repos.createDeployment({
        ...base,
        ref: deployment.sha,
        environment: deployment.environment,
        description: deployment.description,
        payload: deployment.payload,
        required_contexts: [],
        auto_merge: false,
        transient_environment: false,
      });
      if (!('id' in created.data))
        throw new Error(
          `GitHub did not create a deployment of ${deployment.sha} to ${deployment.environment}: ${created.data.message ?? 'no message'}`,
        );
      return created.data.id;
    },
    async openPullRequests(baseBranch) {
      const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...base, state: 'open', base: baseBranch, per_page: 100 });
      return pulls.map((pull) => ({ number: pull.number, headSha: pull.head.sha }));
    },
    async commitsBetween(from, to) {
      const compared = await octokit.rest.repos.compareCommitsWithBasehead({ ...base, basehead: `${from}...${to}`, per_page: 100 });
      return compared.data.commits.map((commit) => commit.sha);
    },
    async createDeploymentStatus(id, status) {
      await octokit.rest.repos.createDeploymentStatus({
        ...base,
        deployment_id: id,
        state: status.state,
        description: status.description.slice(0, 140),
        ...(status.environmentUrl !== undefined && { environment_url: status.environmentUrl }),
        ...(status.logUrl !== undefined && { log_url: status.logUrl }),
        // Superseded deployments are marked inactive by the bot itself (production ones are never auto-inactivated by GitHub).
        auto_inactive: false,
      });
    },
  };
  return port;
}
