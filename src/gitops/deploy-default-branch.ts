import { environmentsForPaths, type EnvironmentPolicy } from '../policies/index.js';
import { applyObjects } from './apply-objects.js';
import type { Cluster } from './clusters.js';
import { clusterFor } from './config.js';
import { deployCheckName, fallbackNamespace, planAndDeployPullRequest, planEnvironment, pruneAndRecord } from './deploy-pull-request.js';
import { environmentLock, nextWaiting } from './environment-lock.js';
import { repositoryName } from './github-port.js';
import { loadRepositoryPolicy } from './repository-policy.js';
import type { BotServices, RepositoryContext } from './services.js';

export interface DefaultBranchDeploy {
  environment: string;
  result: 'applied' | 'unchanged' | 'held' | 'invalid';
  detail: string;
}

/**
 * Applies the default branch's manifests at `sha` to the environments it
 * serves: the rollback after a deployed pull request closes unmerged (the
 * engine treats the old template as a fast rollback), the catch-up after a
 * merge, and drift correction after a push that did not come through a
 * pull request. An environment a pull request holds is left to it. Reported as
 * a `gradual/deploy <env>` check on the commit; its Rollouts report there too.
 */
export async function deployDefaultBranch(
  context: RepositoryContext,
  services: BotServices,
  target: {
    defaultBranch: string;
    cloneUrl: string;
    sha: string;
    only?: readonly string[];
    heldBy?: { repository: string; pullRequest: number };
  },
): Promise<DefaultBranchDeploy[]> {
  const repository = repositoryName(context.repository);
  const { policy, errors } = await loadRepositoryPolicy(context, services, target.defaultBranch);
  if (errors.length > 0) return [{ environment: '*', result: 'invalid', detail: 'the repository policy is invalid' }];
  const environments: EnvironmentPolicy[] = policy.environments.filter(
    (environment) => target.only === undefined || target.only.includes(environment.name),
  );
  const tree = await services.manifests.checkout({
    url: target.cloneUrl,
    headers: await context.gitHeaders(),
    ref: target.defaultBranch,
    sha: target.sha,
  });
  const results: DefaultBranchDeploy[] = [];
  for (const environment of environments) {
    const planned = await planEnvironment(services, repository, environment, tree);
    const name = deployCheckName(environment.name);
    if (planned.plan.errors.length > 0 || planned.cluster === undefined) {
      await context.github.upsertCheckRun(target.sha, {
        name,
        status: 'completed',
        conclusion: 'failure',
        title: `${environment.name}: the manifests on ${target.defaultBranch} are invalid`,
        summary: planned.plan.errors.map((error) => `- \`${error.file}:${String(error.line)}\`: ${error.message}`).join('\n'),
      });
      results.push({ environment: environment.name, result: 'invalid', detail: `${String(planned.plan.errors.length)} problem(s)` });
      continue;
    }
    const lock = await environmentLock(
      planned.cluster.rest,
      environment.namespace ?? fallbackNamespace,
      environment.name,
      planned.cluster.name,
    ).read();
    // A closing pull request still holds the lock while its rollback is applied (closePullRequest): it is let through.
    const closingHolder =
      target.heldBy !== undefined &&
      lock.holder?.repository === target.heldBy.repository &&
      lock.holder.pullRequest === target.heldBy.pullRequest;
    if (lock.holder !== undefined && !closingHolder) {
      results.push({ environment: environment.name, result: 'held', detail: `#${String(lock.holder.pullRequest)} holds it` });
      continue;
    }
    const changes = planned.plan.objects.filter((object) => object.change !== 'unchanged');
    if (changes.length === 0) {
      results.push({ environment: environment.name, result: 'unchanged', detail: 'the cluster already matches' });
      continue;
    }
    await applyObjects(
      planned.cluster.kubeConfig,
      planned.objects,
      { repository, headSha: target.sha, installationId: context.installationId, environment: environment.name },
      context.log,
      services.provenanceKey,
    );
    await pruneAndRecord(services, repository, planned, context.log);
    await context.github.upsertCheckRun(target.sha, {
      name,
      status: 'completed',
      conclusion: 'success',
      title: `Applied ${target.defaultBranch}@${target.sha.slice(0, 7)} to ${environment.name}`,
      summary: changes
        .map(
          (object) =>
            `- ${object.ref.kind} \`${object.ref.namespace ?? ''}/${object.ref.name}\`: ${object.change}${object.changes.length === 0 ? '' : ` (${object.changes.map((change) => `\`${change.path}\``).join(', ')})`}`,
        )
        .join('\n'),
    });
    results.push({ environment: environment.name, result: 'applied', detail: `${String(changes.length)} object(s) changed` });
  }
  return results;
}

/**
 * A pull request closed: the default branch is applied to every environment it holds (the rollback
 * when it did not merge, the catch-up when it did) WHILE it still holds them, and only then are they
 * released, so a kill in between leaves the lock held by a closed pull request, which its reconcile
 * finishes (pull-request-reconciler.ts), never a released environment with the pull request's objects
 * on it. Then the next waiting pull request of each environment is deployed.
 */
export async function closePullRequest(
  context: RepositoryContext,
  services: BotServices,
  pull: { number: number; merged: boolean; defaultBranch: string; cloneUrl: string; changedFiles: readonly string[] },
): Promise<string[]> {
  const repository = repositoryName(context.repository);
  const { policy } = await loadRepositoryPolicy(context, services, pull.defaultBranch);
  const lines: string[] = [];
  const locks: { environment: EnvironmentPolicy; lock: ReturnType<typeof environmentLock>; held: boolean }[] = [];
  for (const { environment } of environmentsForPaths(policy, pull.changedFiles)) {
    const cluster = clusterOf(services, repository, environment.name);
    if (cluster === undefined) continue;
    const lock = environmentLock(cluster.rest, environment.namespace ?? fallbackNamespace, environment.name, cluster.name);
    const before = await lock.read();
    const held = before.holder?.repository === repository && before.holder.pullRequest === pull.number;
    if (!held && before.holder !== undefined)
      context.log.info(
        { environment: environment.name, holder: before.holder },
        'closed pull request does not hold the lock; left to its holder',
      );
    locks.push({ environment, lock, held });
  }
  const heldOnes = locks.filter(({ held }) => held);
  let sha: string | undefined;
  if (heldOnes.length > 0) {
    // From the branch head as read now; an apply that fails throws here with every lock still held.
    sha = await context.github.branchHead(pull.defaultBranch);
    const results = await deployDefaultBranch(context, services, {
      defaultBranch: pull.defaultBranch,
      cloneUrl: pull.cloneUrl,
      sha,
      only: heldOnes.map(({ environment }) => environment.name),
      heldBy: { repository, pullRequest: pull.number },
    });
    for (const result of results) {
      lines.push(
        pull.merged
          ? `**${result.environment}**: released; ${pull.defaultBranch}@${sha.slice(0, 7)} ${result.result === 'applied' ? 'applied' : 'already live'}.`
          : `**${result.environment}**: closed without merging — rolled back to ${pull.defaultBranch}@${sha.slice(0, 7)} (${result.detail}).`,
      );
    }
  }
  // Released (or taken out of the queue) only now. Only this repository's pull request is released: #7 of another repository holding the same target keeps it.
  const released: { environment: EnvironmentPolicy; next: number | undefined }[] = [];
  for (const { environment, lock, held } of locks) {
    const after = await lock.release({ repository, pullRequest: pull.number });
    if (held) released.push({ environment, next: nextWaiting(after, repository) });
  }
  for (const { environment, next } of released) {
    if (next === undefined) continue;
    const waiting = await context.github.pullRequest(next);
    if (waiting.state !== 'open') continue;
    lines.push(`**${environment.name}**: #${String(next)} goes next.`);
    await planAndDeployPullRequest(context, services, waiting, environment.trigger);
  }
  return lines;
}

function clusterOf(services: BotServices, repository: string, environment: string): Cluster | undefined {
  const target = clusterFor(services.config, repository, environment);
  return target === undefined ? undefined : services.clusters.get(target.name);
}
