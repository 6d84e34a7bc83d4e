import type { Context, Probot } from 'probot';
import type { Clock } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { parseCommands, renderBeyondLimit, type ParsedCommand } from './commands/index.js';
import { createBotReconciler, type BotKey, type BotReconciler } from './bot-reconciler.js';
import { botReconcileSteps } from './bot-reconcile-steps.js';
import { clusterFor } from './config.js';
import { closePullRequest, deployDefaultBranch } from './deploy-default-branch.js';
import { planAndDeployPullRequest } from './deploy-pull-request.js';
import { createDeliveryLedger, type DeliveryLedger } from './delivery-ledger.js';
import { reportMergeGroup } from './merge-queue.js';
import { deactivateDeployments } from './github-deployments.js';
import { githubPort, repositoryName, type GithubPort, type PullRequestFacts, type RepositoryRef } from './github-port.js';
import { parseRolloutCheckName } from './report/index.js';
import { createRolloutReporter, type RolloutReporter } from './rollout-reporter.js';
import { runCommand } from './run-command.js';
import type { BotServices, RepositoryContext } from './services.js';

export interface GradualBot {
  /** The Probot application function. */
  app: (probot: Probot) => void;
  reporter: RolloutReporter;
  /** The level-triggered half: every pull request, default branch and lock reconciled on hints, at start-up and on each resync. */
  reconciler: BotReconciler;
}

type AnyContext = Context<'pull_request' | 'pull_request_review' | 'issue_comment' | 'check_run' | 'push' | 'merge_group'>;

/**
 * The GitHub App: webhook handlers over the services. Each delivery is handled
 * once (by its id), and every handler is idempotent besides, so a redelivery, a
 * repeat or a pair out of order changes nothing twice.
 */
/** How often every key is reconciled when no webhook says so (the bound on a lost webhook; config `resyncSeconds`). */
export const defaultResyncSeconds = 300;

export function createGradualBot(
  services: Omit<BotServices, 'nudgeReports'>,
  probot: Probot,
  options: { deliveries?: DeliveryLedger; resyncSeconds?: number; clock?: Clock } = {},
): GradualBot {
  const ports = new Map<string, GithubPort>();
  async function githubFor(installationId: number, repository: string): Promise<GithubPort> {
    const key = `${String(installationId)} ${repository}`;
    const cached = ports.get(key);
    if (cached !== undefined) return cached;
    const [owner = '', repo = ''] = repository.split('/');
    const port = githubPort(await probot.auth(installationId), { owner, repo });
    ports.set(key, port);
    return port;
  }
  const reporter = createRolloutReporter({
    clusters: services.clusters,
    ...(services.config.dashboardUrl !== undefined && { dashboardUrl: services.config.dashboardUrl }),
    githubFor,
    logger: services.logger,
    now: services.now,
    provenanceKey: services.provenanceKey,
    managers: services.managers,
    // A command acts as the Rollout's environment's identity, and only on the cluster the config maps it to.
    actingCluster: (origin, foundIn) => {
      const target = clusterFor(services.config, origin.repository, origin.environment);
      return target === undefined || target.clusterName !== foundIn.clusterName ? undefined : services.clusters.get(target.name);
    },
  });
  const full: BotServices = {
    ...services,
    nudgeReports: (repository, pullRequest) => {
      reporter.nudge(repository, pullRequest);
    },
  };
  const deliveries = options.deliveries ?? createDeliveryLedger({ now: services.now, logger: services.logger });

  function repositoryContext(context: AnyContext, fields: Record<string, unknown>): RepositoryContext {
    const repository: RepositoryRef = context.repo();
    const installation = 'installation' in context.payload ? context.payload.installation : undefined;
    const installationId = installation?.id ?? 0;
    const log: Logger = services.logger.child({
      delivery: context.id,
      event: context.name,
      repository: repositoryName(repository),
      ...fields,
    });
    return {
      github: githubPort(context.octokit, repository),
      repository,
      installationId,
      log,
      async gitHeaders() {
        const { token } = (await context.octokit.auth({ type: 'installation' })) as { token: string };
        return { authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` };
      },
    };
  }

  /** A repository's context as the installation, outside any webhook (the reconciles). */
  async function contextFor(installationId: number, repository: string, fields: Record<string, unknown>): Promise<RepositoryContext> {
    const octokit = await probot.auth(installationId);
    const [owner = '', repo = ''] = repository.split('/');
    return {
      github: await githubFor(installationId, repository),
      repository: { owner, repo },
      installationId,
      log: services.logger.child({ repository, ...fields }),
      async gitHeaders() {
        const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
        return { authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` };
      },
    };
  }

  function pullKey(context: RepositoryContext, number: number): BotKey {
    return { kind: 'pull-request', installationId: context.installationId, repository: repositoryName(context.repository), number };
  }

  /** A closed pull request: rollback (or catch-up) while it still holds its environments, release, next; said in a comment when it held any. */
  async function closeAndReport(repo: RepositoryContext, pull: PullRequestFacts): Promise<void> {
    const lines = await closePullRequest(repo, full, {
      number: pull.number,
      merged: pull.merged,
      defaultBranch: pull.defaultBranch,
      cloneUrl: pull.cloneUrl,
      changedFiles: await repo.github.changedFiles(pull.number),
    });
    if (lines.length > 0)
      await repo.github.createIssueComment(
        pull.number,
        `${pull.merged ? 'Merged' : 'Closed without merging'}.\n\n${lines.map((line) => `- ${line}`).join('\n')}`,
      );
    // Closed unmerged: its environments were rolled back, so its GitHub Deployments are no longer what runs.
    if (!pull.merged) await deactivateDeployments(repo.github, repo.log, pull.number);
  }

  /** A comment's commands, once: skipped when an app already answered it (🚀/😕), else run with their ids. */
  async function runComment(
    repo: RepositoryContext,
    pullNumber: number,
    comment: { id: number; body: string; login: string },
  ): Promise<void> {
    const { commands, beyondLimit } = parseCommands(comment.body);
    if (commands.length === 0) return;
    // A redelivery after a restart must not promote a second time: the bot's final reaction on the comment
    // is the record that its commands ran (and each Rollout's command record, if it stopped before that).
    if (await repo.github.commentHandled(comment.id)) {
      repo.log.info({ comment: comment.id }, 'comment already answered; its commands are not run again');
      return;
    }
    // One reply for every command past the cap, before the ones that run: a pasted wall of commands runs ten, not thousands.
    if (beyondLimit !== undefined) await repo.github.createIssueComment(pullNumber, renderBeyondLimit(beyondLimit));
    await handleCommands(
      repo,
      pullNumber,
      comment.login,
      commands,
      (index) => `comment:${String(comment.id)}#${String(index)}`,
      async (content) => {
        await repo.github.react(comment.id, content);
      },
    );
  }

  const reconciler = createBotReconciler({
    steps: botReconcileSteps({ probot, services: full, contextFor, closeAndReport, runComment }),
    logger: services.logger,
    resyncIntervalMs: (options.resyncSeconds ?? defaultResyncSeconds) * 1000,
    ...(options.clock !== undefined && { clock: options.clock }),
  });

  /**
   * Runs a handler unless its delivery was handled to the end before (the ledger survives restarts), and
   * records it only once the handler succeeded: a handler that throws (an outage) is left for a redelivery
   * and for the reconcile. Probot answers the webhook 500 then, with the error logged with its place.
   */
  function once<C extends AnyContext>(handler: (context: C) => Promise<void>): (context: C) => Promise<void> {
    return async (context) => {
      if (await deliveries.handled(context.id)) {
        services.logger.info({ delivery: context.id, event: context.name }, 'delivery already handled; ignored');
        return;
      }
      try {
        await handler(context);
      } catch (cause) {
        // Not recorded: a redelivery runs it again, and the key's reconcile retries it with backoff meanwhile.
        const key = keyOf(context);
        if (key !== undefined) reconciler.hint(key);
        throw cause;
      }
      await deliveries.record(context.id);
    };
  }

  /** The key a delivery is about, for its reconcile. */
  function keyOf(context: AnyContext): BotKey | undefined {
    const payload = context.payload as {
      installation?: { id: number };
      repository?: { full_name: string };
      pull_request?: { number: number };
      issue?: { number: number; pull_request?: unknown };
      check_run?: { pull_requests: { number: number }[] };
    };
    const installationId = payload.installation?.id;
    const repository = payload.repository?.full_name;
    if (installationId === undefined || repository === undefined) return undefined;
    const number =
      payload.pull_request?.number ??
      (payload.issue?.pull_request === undefined ? undefined : payload.issue.number) ??
      payload.check_run?.pull_requests[0]?.number;
    if (number !== undefined) return { kind: 'pull-request', installationId, repository, number };
    return context.name === 'push' ? { kind: 'default-branch', installationId, repository } : undefined;
  }

  /** `idOf(n)` is the n-th command's own id, the same on every delivery of it: its record on the Rollouts it moves (command-intent.ts). */
  async function handleCommands(
    context: RepositoryContext,
    pullNumber: number,
    actor: string,
    commands: readonly ParsedCommand[],
    idOf: (index: number) => string,
    react: ((content: 'eyes' | 'rocket' | 'confused') => Promise<void>) | undefined,
  ): Promise<void> {
    if (commands.length === 0) return;
    await react?.('eyes');
    const pull = await context.github.pullRequest(pullNumber);
    let refused = false;
    for (const [index, command] of commands.entries()) {
      const outcome = await runCommand(context, full, reporter, pull, actor, command, idOf(index));
      context.log.info({ command: command.name, target: command.target, actor, outcome: outcome.kind }, 'command handled');
      // Partly refused (some of its targets) is refused too: the person must read the reply.
      if (outcome.kind !== 'done') refused = true;
      if (outcome.reply !== undefined) await context.github.createIssueComment(pullNumber, outcome.reply);
    }
    await react?.(refused ? 'confused' : 'rocket');
  }

  function app(bot: Probot): void {
    bot.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'],
      once(async (context) => {
        const payload = context.payload;
        const repo = repositoryContext(context, { pullRequest: payload.pull_request.number });
        const pull = await repo.github.pullRequest(payload.pull_request.number);
        // Out of order: a synchronize for an older head than the pull request has now is already superseded.
        if (pull.headSha !== payload.pull_request.head.sha || pull.state !== 'open') {
          repo.log.info(
            { headSha: payload.pull_request.head.sha, current: pull.headSha },
            'stale pull_request event; the newer head is handled by its own',
          );
          return;
        }
        const outcomes = await reconciler.exclusive(pullKey(repo, pull.number), () =>
          planAndDeployPullRequest(repo, full, pull, 'pull_request'),
        );
        repo.log.info({ outcomes }, 'planned');
        // An apply that did not converge is the reconcile's to retry (with backoff) until it does.
        if (outcomes.some((outcome) => outcome.result === 'failed')) reconciler.hint(pullKey(repo, pull.number));
      }),
    );
    bot.on(
      'pull_request_review.submitted',
      once(async (context) => {
        if (context.payload.review.state.toLowerCase() !== 'approved') return;
        const repo = repositoryContext(context, { pullRequest: context.payload.pull_request.number });
        const pull = await repo.github.pullRequest(context.payload.pull_request.number);
        if (pull.state !== 'open') return;
        await reconciler.exclusive(pullKey(repo, pull.number), () => planAndDeployPullRequest(repo, full, pull, 'approved'));
      }),
    );
    bot.on(
      'pull_request.closed',
      once(async (context) => {
        const number = context.payload.pull_request.number;
        const repo = repositoryContext(context, { pullRequest: number });
        await reconciler.exclusive(pullKey(repo, number), async () => {
          await closeAndReport(repo, await repo.github.pullRequest(number));
        });
      }),
    );
    bot.on(
      'issue_comment.created',
      once(async (context) => {
        const { issue, comment, sender } = context.payload;
        if (issue.pull_request === undefined || sender.type === 'Bot') return;
        const repo = repositoryContext(context, { pullRequest: issue.number, actor: sender.login });
        // Under the pull request's key: its reconcile (which answers comments whose webhook was lost) never runs the same comment at once.
        await reconciler.exclusive(pullKey(repo, issue.number), () =>
          runComment(repo, issue.number, { id: comment.id, body: comment.body, login: sender.login }),
        );
      }),
    );
    bot.on(
      'check_run.requested_action',
      once(async (context) => {
        const { check_run: checkRun, requested_action: requested, sender } = context.payload;
        const target = parseRolloutCheckName(checkRun.name);
        const identifier = requested?.identifier;
        const pullNumber = checkRun.pull_requests[0]?.number;
        if (
          target === undefined ||
          pullNumber === undefined ||
          (identifier !== 'promote' && identifier !== 'abort' && identifier !== 'retry')
        )
          return;
        const repo = repositoryContext(context, { pullRequest: pullNumber, actor: sender.login });
        // A press on a closed pull request's check run, or on an older head's, is stale (a late delivery, or an old
        // signed one replayed): nothing is done and nothing said, where a reply would post a refusal on every replay.
        const current = await repo.github.pullRequest(pullNumber);
        if (current.state !== 'open' || current.headSha !== checkRun.head_sha) {
          repo.log.info(
            { checkRun: checkRun.id, headSha: checkRun.head_sha, state: current.state },
            'stale check-run button press ignored',
          );
          return;
        }
        const command: ParsedCommand = {
          name: identifier,
          target: `${target.namespace}/${target.name}`,
          full: false,
          line: 0,
          text: `/${identifier} ${target.namespace}/${target.name} (button on ${checkRun.name})`,
        };
        // A press has no id of its own but its delivery's, which a redelivery keeps (X-GitHub-Delivery).
        await reconciler.exclusive(pullKey(repo, pullNumber), () =>
          handleCommands(repo, pullNumber, sender.login, [command], () => `button:${context.id}`, undefined),
        );
      }),
    );
    bot.on(
      'merge_group.checks_requested',
      once(async (context) => {
        const group = context.payload.merge_group;
        const repo = repositoryContext(context, { headSha: group.head_sha });
        await reportMergeGroup(repo, full, (repository, number) => reporter.rolloutsOf(repository, number), {
          headSha: group.head_sha,
          baseSha: group.base_sha,
          baseRef: group.base_ref,
          defaultBranch: context.payload.repository?.default_branch ?? group.base_ref.replace(/^refs\/heads\//u, ''),
        });
      }),
    );
    bot.on(
      'push',
      once(async (context) => {
        const payload = context.payload;
        const defaultBranch = payload.repository.default_branch;
        if (payload.ref !== `refs/heads/${defaultBranch}` || payload.deleted || payload.after === '0'.repeat(40)) return;
        const repo = repositoryContext(context, { pushed: payload.after });
        // The push is a hint: what is applied is the branch head as read now, never `payload.after`, so a late or
        // replayed push (an old signed delivery sent again) cannot roll the environment back to an older commit.
        const head = await repo.github.branchHead(defaultBranch);
        if (head !== payload.after)
          repo.log.info({ pushed: payload.after, head }, 'the push is not the branch head any more; the head as read now is applied');
        const branchKey: BotKey = {
          kind: 'default-branch',
          installationId: repo.installationId,
          repository: repositoryName(repo.repository),
        };
        const results = await reconciler.exclusive(branchKey, () =>
          deployDefaultBranch(repo, full, { defaultBranch, cloneUrl: payload.repository.clone_url, sha: head }),
        );
        repo.log.info({ results, headSha: head }, 'default branch reconciled');
      }),
    );
  }

  return { app, reporter, reconciler };
}
