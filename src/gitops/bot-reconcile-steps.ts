import type { Probot } from 'probot';
import { apiPath } from '../kube/index.js';
import { parseCommands } from './commands/index.js';
import { servesRepository } from './config.js';
import { deployDefaultBranch } from './deploy-default-branch.js';
import { planAndDeployPullRequest } from './deploy-pull-request.js';
import { readLockState } from './environment-lock.js';
import { encodeBotKey, type BotKey, type BotReconcileSteps } from './bot-reconciler.js';
import type { PullRequestFacts } from './github-port.js';
import type { BotServices, RepositoryContext } from './services.js';

/** A comment with commands that no app answered is acted on by the reconcile when it is at most this old (a lost webhook). */
export const commandLookbackMs = 24 * 60 * 60 * 1000;
/** After a deploy, the pull request is looked at again this soon: its new Rollout reaches the reporter's cache, and its commands can be acted on. */
const afterDeployMs = 2000;
/**
 * A pull request planned and settled (every environment deployed or unchanged, or none touched) from the same
 * head and default-branch commit is not planned again by a resync for this long: its checks are current. A
 * resync then costs three GitHub requests for it (the pull request, the default branch, its new comments)
 * instead of a whole plan; a new push, a moved default branch or anything not settled (waiting for a lock, an
 * approval missing, a failed apply) is planned every time, and everything at least this often.
 */
export const settledPlanTtlMs = 60 * 60 * 1000;

export interface ReconcileStepsDeps {
  probot: Probot;
  services: BotServices;
  /** A repository's context as the installation, outside any webhook. */
  contextFor(installationId: number, repository: string, fields: Record<string, unknown>): Promise<RepositoryContext>;
  /** The pull request closed: rollback, release, next, and the comment that says so (app.ts). */
  closeAndReport(context: RepositoryContext, pull: PullRequestFacts): Promise<void>;
  /** Runs a comment's commands exactly as its webhook would (app.ts). */
  runComment(context: RepositoryContext, pullNumber: number, comment: { id: number; body: string; login: string }): Promise<void>;
}

interface LeaseList {
  items: { metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } }[];
}

/**
 * What each key's reconcile does, reading GitHub and the clusters as they are now:
 * - a pull request: closed → its close (rollback before release; nothing when it holds nothing);
 *   open → plan and deploy at its head (idempotent: an unchanged head applies nothing), then
 *   the commands of comments no app answered; an apply that did not converge is retried;
 * - a default branch: drift correction from the branch head as read now;
 * - a lock: its holder's pull request is reconciled (a close lost, or killed before the release).
 */
export function botReconcileSteps(deps: ReconcileStepsDeps): BotReconcileSteps {
  const { probot, services } = deps;
  /** Per pull request key: what its last settled plan was made from (head and default-branch commit), and when. */
  const settled = new Map<string, { from: string; at: number }>();
  /** Comments (GitHub-wide ids) an app answered already. */
  const answered = new Set<number>();

  async function listKeys(): Promise<BotKey[]> {
    const keys: BotKey[] = [];
    const app = await probot.auth();
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    for (const installation of installations) {
      const octokit = await probot.auth(installation.id);
      const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      for (const repository of repositories) {
        if (!servesRepository(services.config, repository.full_name)) continue;
        keys.push({ kind: 'default-branch', installationId: installation.id, repository: repository.full_name });
        const pulls = await octokit.paginate(octokit.rest.pulls.list, {
          owner: repository.owner.login,
          repo: repository.name,
          state: 'open',
          per_page: 100,
        });
        for (const pull of pulls)
          keys.push({ kind: 'pull-request', installationId: installation.id, repository: repository.full_name, number: pull.number });
      }
    }
    for (const name of Object.keys(services.config.clusters)) {
      const cluster = services.clusters.get(name);
      if (cluster === undefined) continue;
      try {
        const leases = await cluster.rest.request<LeaseList>({
          method: 'GET',
          path: apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }),
          query: { labelSelector: 'app.kubernetes.io/managed-by=gradual' },
        });
        for (const lease of leases.items) {
          if (
            lease.metadata?.annotations?.['gradual.dev/lock-holder'] === undefined ||
            lease.metadata.name === undefined ||
            lease.metadata.namespace === undefined
          )
            continue;
          keys.push({ kind: 'lock', cluster: name, namespace: lease.metadata.namespace, name: lease.metadata.name });
        }
      } catch (cause) {
        services.logger.warn(
          { cluster: name, err: cause },
          'the environment locks could not be listed (the bot may not list Leases cluster-wide); a close lost while the bot was down is healed when the pull request is next looked at',
        );
      }
    }
    return keys;
  }

  async function reconcilePullRequest(key: Extract<BotKey, { kind: 'pull-request' }>): Promise<{ requeueAfterMs: number } | undefined> {
    const context = await deps.contextFor(key.installationId, key.repository, { pullRequest: key.number, reconcile: 'pull-request' });
    const pull = await context.github.pullRequest(key.number);
    const text = encodeBotKey(key);
    if (pull.state === 'closed') {
      settled.delete(text);
      await deps.closeAndReport(context, pull);
      return undefined;
    }
    const from = `${pull.headSha} ${await context.github.branchHead(pull.defaultBranch)}`;
    const now = services.now().getTime();
    const last = settled.get(text);
    if (last !== undefined && last.from === from && now - last.at < settledPlanTtlMs) {
      // Its checks are current: only a comment whose webhook was lost can still need acting on.
      await answerLostCommands(context, pull);
      return undefined;
    }
    const outcomes = await planAndDeployPullRequest(context, services, pull, 'pull_request');
    if (outcomes.every((outcome) => outcome.result === 'deployed' || outcome.result === 'unchanged')) settled.set(text, { from, at: now });
    else settled.delete(text);
    const deployedNow = outcomes.some((outcome) => outcome.result === 'deployed');
    // Commands wait for the next look after a deploy: the reporter must have seen the new Rollout first.
    if (!deployedNow) await answerLostCommands(context, pull);
    const failed = outcomes.filter((outcome) => outcome.result === 'failed');
    if (failed.length > 0) {
      // Apply converges: retried with backoff until every object is applied; the deploy check says what is pending and why.
      throw new Error(
        `${key.repository}#${String(key.number)}: apply not converged: ${failed.map((outcome) => `${outcome.environment}: ${outcome.detail}`).join('; ')}`,
      );
    }
    return deployedNow ? { requeueAfterMs: afterDeployMs } : undefined;
  }

  async function answerLostCommands(context: RepositoryContext, pull: PullRequestFacts): Promise<void> {
    const since = services.now().getTime() - commandLookbackMs;
    for (const comment of await context.github.listIssueComments(pull.number)) {
      if (comment.isBot === true || comment.login.endsWith('[bot]')) continue;
      if (comment.createdAt === undefined || Date.parse(comment.createdAt) < since) continue;
      if (answered.has(comment.id) || parseCommands(comment.body).commands.length === 0) continue;
      if (await context.github.commentHandled(comment.id)) {
        // An app's final reaction stays: asked once, not on every resync.
        if (answered.size >= 10_000) answered.clear();
        answered.add(comment.id);
        continue;
      }
      context.log.info({ comment: comment.id }, 'a comment with commands no app answered (its webhook was lost): acting on it now');
      await deps.runComment(context, pull.number, comment);
    }
  }

  async function reconcileDefaultBranch(key: Extract<BotKey, { kind: 'default-branch' }>): Promise<undefined> {
    const context = await deps.contextFor(key.installationId, key.repository, { reconcile: 'default-branch' });
    const octokit = await probot.auth(key.installationId);
    const { data } = await octokit.rest.repos.get({ owner: context.repository.owner, repo: context.repository.repo });
    const sha = await context.github.branchHead(data.default_branch);
    const results = await deployDefaultBranch(context, services, { defaultBranch: data.default_branch, cloneUrl: data.clone_url, sha });
    if (results.some((result) => result.result === 'applied'))
      context.log.info({ results, headSha: sha }, 'drift corrected from the default branch');
    return undefined;
  }

  async function reconcileLock(key: Extract<BotKey, { kind: 'lock' }>): Promise<BotKey[]> {
    const cluster = services.clusters.get(key.cluster);
    if (cluster === undefined) return [];
    const lease = await cluster.rest.request<Parameters<typeof readLockState>[0]>({
      method: 'GET',
      path: apiPath({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: key.namespace, name: key.name }),
    });
    const holder = readLockState(lease).holder;
    if (holder === undefined) return [];
    const [owner = '', repo = ''] = holder.repository.split('/');
    const app = await probot.auth();
    const installation = await app.rest.apps.getRepoInstallation({ owner, repo });
    return [{ kind: 'pull-request', installationId: installation.data.id, repository: holder.repository, number: holder.pullRequest }];
  }

  return {
    listKeys,
    async reconcile(key, hint) {
      switch (key.kind) {
        case 'pull-request':
          return reconcilePullRequest(key);
        case 'default-branch':
          return reconcileDefaultBranch(key);
        case 'lock':
          // The holder's pull request is reconciled under its own key (one reconcile per key): a closed one is closed then.
          for (const pullKey of await reconcileLock(key)) hint(pullKey);
          return undefined;
      }
    },
  };
}
