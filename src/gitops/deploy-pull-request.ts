import { performance } from 'node:perf_hooks';
import { decideDeploy, environmentsForPaths, type DeployTrigger, type EnvironmentPolicy, type RepositoryPolicy } from '../policies/index.js';
import { ApplyError, applyObjects } from './apply-objects.js';
import type { Cluster } from './clusters.js';
import { clusterFor } from './config.js';
import { environmentLock } from './environment-lock.js';
import { repositoryName, type PullRequestFacts } from './github-port.js';
import { parseManifests, type ManifestObject, type ManifestTree } from './manifests/index.js';
import { diffAgainstLive, metricHostErrors, readLiveObject, renderPlanCheck, type Plan } from './plan/index.js';
import { loadRepositoryPolicy, policyFile } from './repository-policy.js';
import type { BotServices, RepositoryContext } from './services.js';
import type { CheckRunOutput } from './types.js';

/** The namespace an environment's objects and lock live in when it names none. */
export const fallbackNamespace = 'default';

export function deployCheckName(environment: string): string {
  return `gradual/deploy ${environment}`;
}

export function planCheckNameFor(policy: RepositoryPolicy, environment: string): string {
  return policy.environments.length === 1 ? 'gradual/plan' : `gradual/plan ${environment}`;
}

/** What one environment's plan found, for the deploy step and the sticky comment. */
export interface EnvironmentPlan {
  environment: EnvironmentPolicy;
  cluster: Cluster | undefined;
  plan: Plan;
  objects: ManifestObject[];
}

/** Reads, parses and diffs one environment's manifests at a commit. Pure apart from git and the live reads. */
export async function planEnvironment(
  services: BotServices,
  repository: string,
  environment: EnvironmentPolicy,
  tree: ManifestTree,
): Promise<EnvironmentPlan> {
  const namespace = environment.namespace ?? fallbackNamespace;
  const paths = await tree.listFiles(environment.paths);
  const files = await Promise.all(paths.map(async (path) => ({ path, text: (await tree.readFile(path)) ?? '' })));
  const parsed = parseManifests(files, { namespace });
  const target = clusterFor(services.config, repository, environment.name);
  const cluster = target === undefined ? undefined : services.clusters.get(target.name);
  const errors = [...parsed.errors, ...metricHostErrors(parsed.objects, environment.metricHosts, environment.name)];
  if (cluster === undefined) {
    errors.push({ file: policyFile, line: 1, column: 1, message: `environment "${environment.name}" has no cluster in the Gradual config for ${repository}; ask the operator to map it` });
  }
  const objects = cluster === undefined || errors.length > 0 ? [] : await diffAgainstLive(parsed.objects, (ref) => readLiveObject(cluster.rest, ref));
  return { environment, cluster, objects: parsed.objects, plan: { headSha: tree.sha, environment: environment.name, namespace, objects, errors } };
}

export interface DeployOutcome {
  environment: string;
  result: 'deployed' | 'unchanged' | 'waiting' | 'not-allowed' | 'invalid' | 'failed';
  detail: string;
}

/**
 * A pull request's plan and, when its environment's policy allows, its deploy:
 * `gradual/plan` on the head commit; invalid manifests stop here with nothing
 * applied; then the environment's lock (one pull request at a time) and a
 * server-side apply. Every step is idempotent: a repeated webhook re-posts the
 * same checks (updated in place) and re-applies the same objects (no change).
 */
export async function planAndDeployPullRequest(
  context: RepositoryContext,
  services: BotServices,
  pull: PullRequestFacts,
  trigger: DeployTrigger,
): Promise<DeployOutcome[]> {
  const repository = repositoryName(context.repository);
  const log = context.log.child({ pullRequest: pull.number, headSha: pull.headSha });
  const { policy, errors: policyErrors } = await loadRepositoryPolicy(context, services, pull.defaultBranch);
  const changed = await context.github.changedFiles(pull.number);
  const matches = environmentsForPaths(policy, changed);
  if (policyErrors.length > 0) {
    const output: CheckRunOutput = {
      name: 'gradual/plan',
      status: 'completed',
      conclusion: 'failure',
      title: `${policyFile} on ${pull.defaultBranch} is invalid`,
      summary: `The repository policy could not be read, so nothing is deployed.\n\n${policyErrors.map((error) => `- \`${error.file}:${String(error.line)}\`: ${error.message}`).join('\n')}`,
      annotations: policyErrors.map((error) => ({ path: error.file, start_line: error.line, end_line: error.line, annotation_level: 'failure', message: error.message })),
    };
    await context.github.upsertCheckRun(pull.headSha, output);
    return [{ environment: '*', result: 'invalid', detail: 'the repository policy is invalid' }];
  }
  if (matches.length === 0) {
    await context.github.upsertCheckRun(pull.headSha, { name: 'gradual/plan', status: 'completed', conclusion: 'neutral', title: 'No manifests change', summary: 'This pull request changes no file of any environment, so there is nothing to deploy.' });
    return [];
  }
  const checkoutStarted = performance.now();
  const tree = await services.manifests.checkout({ url: pull.cloneUrl, headers: await context.gitHeaders(), ref: pull.fromFork ? `refs/pull/${String(pull.number)}/head` : pull.headRef, sha: pull.headSha });
  log.info({ fetch: tree.fetch, checkoutMs: Math.round(performance.now() - checkoutStarted) }, 'manifests checked out');
  const outcomes: DeployOutcome[] = [];
  for (const { environment } of matches) {
    const planned = await planEnvironment(services, repository, environment, tree);
    const check = renderPlanCheck(planned.plan);
    await context.github.upsertCheckRun(pull.headSha, { ...check, name: planCheckNameFor(policy, environment.name) });
    if (planned.plan.errors.length > 0 || planned.cluster === undefined) {
      outcomes.push({ environment: environment.name, result: 'invalid', detail: `${String(planned.plan.errors.length)} problem(s) in the manifests; nothing applied` });
      continue;
    }
    outcomes.push(await deployEnvironment(context, services, pull, trigger, planned));
  }
  return outcomes;
}

async function deployEnvironment(context: RepositoryContext, services: BotServices, pull: PullRequestFacts, trigger: DeployTrigger, planned: EnvironmentPlan): Promise<DeployOutcome> {
  const repository = repositoryName(context.repository);
  const { environment, cluster } = planned;
  if (cluster === undefined) throw new Error('unreachable: planned without a cluster');
  const name = deployCheckName(environment.name);
  const approvals = trigger === 'approved' || environment.requiredApprovals > 0 ? await context.github.approvals(pull.number) : [];
  const decision = decideDeploy({ environment, trigger, pullRequest: { fromFork: pull.fromFork, approvals }, now: services.now() });
  if (!decision.deploy) {
    await context.github.upsertCheckRun(pull.headSha, { name, status: 'completed', conclusion: 'neutral', title: `Not deployed to ${environment.name}`, summary: decision.reason });
    return { environment: environment.name, result: 'not-allowed', detail: decision.reason };
  }
  const namespace = environment.namespace ?? fallbackNamespace;
  const lock = await environmentLock(cluster.rest, namespace, environment.name).acquire({ repository, pullRequest: pull.number, headSha: pull.headSha });
  if (lock.kind === 'held') {
    const summary = `#${String(lock.by.pullRequest)} (${lock.by.headSha.slice(0, 7)}) holds ${environment.name}; this pull request is deployed when it is merged, closed or unlocked (\`/unlock\`).\n\nWaiting, in order: ${lock.state.waiting.map((number) => `#${String(number)}`).join(', ')}`;
    await context.github.upsertCheckRun(pull.headSha, { name, status: 'queued', title: `Waiting for #${String(lock.by.pullRequest)} to release ${environment.name}`, summary });
    return { environment: environment.name, result: 'waiting', detail: `held by #${String(lock.by.pullRequest)}` };
  }
  const changed = planned.plan.objects.filter((object) => object.change !== 'unchanged').length;
  if (lock.already && changed === 0) {
    // The same head deployed already (a repeated or reordered webhook): nothing to apply, nothing to report again.
    context.log.info({ environment: environment.name }, 'already deployed at this head; nothing applied');
    return { environment: environment.name, result: 'unchanged', detail: 'already deployed at this head' };
  }
  try {
    await applyObjects(cluster.kubeConfig, planned.objects, { repository, pullRequest: pull.number, headSha: pull.headSha, installationId: context.installationId, environment: environment.name }, context.log);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const place = cause instanceof ApplyError ? cause.place : undefined;
    await context.github.upsertCheckRun(pull.headSha, {
      name,
      status: 'completed',
      conclusion: 'failure',
      title: `Deploy to ${environment.name} failed`,
      summary: message,
      ...(place !== undefined && { annotations: [{ path: place.file, start_line: place.line, end_line: place.line, annotation_level: 'failure', message }] }),
    });
    return { environment: environment.name, result: 'failed', detail: message };
  }
  await context.github.upsertCheckRun(pull.headSha, {
    name,
    status: 'completed',
    conclusion: 'success',
    title: `Deployed ${pull.headSha.slice(0, 7)} to ${environment.name}`,
    summary: `${String(planned.objects.length)} object(s) applied to \`${namespace}\` with field manager \`gradual\` (${String(changed)} changed). #${String(pull.number)} holds ${environment.name} until it is merged or closed.`,
  });
  services.nudgeReports(repository, pull.number);
  return { environment: environment.name, result: changed > 0 ? 'deployed' : 'unchanged', detail: `${String(changed)} object(s) changed` };
}
