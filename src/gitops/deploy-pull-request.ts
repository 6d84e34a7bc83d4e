import { performance } from 'node:perf_hooks';
import {
  decideDeploy,
  environmentsForPaths,
  fallbackNamespace,
  type DeployTrigger,
  type EnvironmentPolicy,
  type RepositoryPolicy,
} from '../policies/index.js';
import type { KubeObject } from '../kube/index.js';
import { ApplyError, applyObjects, renderPendingApply } from './apply-objects.js';
import type { Cluster } from './clusters.js';
import { clusterFor, type IdentityConfig } from './config.js';
import { environmentLock } from './environment-lock.js';
import { startDeployment } from './github-deployments.js';
import { repositoryName, type PullRequestFacts } from './github-port.js';
import {
  confineManifests,
  deployerCredentialErrors,
  expandKustomizations,
  locateInKustomizations,
  newManifestBudget,
  readBoundedManifests,
  type DeployerAccount,
  type KustomizeOptions,
  type ManifestBudget,
  type ManifestObject,
  type ManifestTree,
} from './manifests/index.js';
import { environmentInventory, inventoryName } from './inventory.js';
import { diffAgainstLive, metricHostErrors, readLiveObject, renderPlanCheck, type Plan, type PlannedObject } from './plan/index.js';
import { inventoryOf, plannedDeletions, pruneObjects, refKey, type PlannedDeletion } from './prune.js';
import { loadRepositoryPolicy, policyFile } from './repository-policy.js';
import type { BotServices, RepositoryContext } from './services.js';
import type { CheckRunOutput } from './types.js';

/** The namespace an environment's objects and lock live in when it names none. */
export { fallbackNamespace };

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
  /** What the deploy prunes (the plan's `deleted` rows, when compared with the live cluster). */
  deletions: PlannedDeletion[];
}

/**
 * What a plan compares the manifests with: the live cluster, or (for a pull
 * request from a fork, whose author may not read the cluster) the default
 * branch's manifests of the same environment.
 */
export type PlanBaseline = { kind: 'live' } | { kind: 'manifests'; tree: ManifestTree; branch: string };

/**
 * Reads, parses, confines and diffs one environment's manifests at a commit:
 * an object outside the environment's namespaces or kinds is an error at its
 * file:line, and with any error nothing is read from the cluster nor applied.
 * Pure apart from git and the live reads.
 */
export async function planEnvironment(
  services: BotServices,
  repository: string,
  environment: EnvironmentPolicy,
  tree: ManifestTree,
  baseline: PlanBaseline = { kind: 'live' },
  budget: ManifestBudget = newManifestBudget(),
): Promise<EnvironmentPlan> {
  const namespace = environment.namespace ?? fallbackNamespace;
  const parsed = await readEnvironmentManifests(environment, tree, budget, services.kustomize);
  const target = clusterFor(services.config, repository, environment.name);
  const cluster = target === undefined ? undefined : services.clusters.get(target.name);
  const errors = [
    ...parsed.errors,
    ...metricHostErrors(parsed.objects, environment.metricHosts, environment.name),
    ...deployerCredentialErrors(parsed.objects, deployerAccount(target?.identity)),
  ].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  if (cluster === undefined) {
    errors.push({
      file: policyFile,
      line: 1,
      column: 1,
      message: `environment "${environment.name}" has no cluster in the Gradual config for ${repository}; ask the operator to map it`,
    });
  }
  // The inventory is the bot's record (inventory.ts): a manifest of the same name would let a pull request rewrite what is pruned.
  for (const object of parsed.objects) {
    if (
      object.ref.kind === 'ConfigMap' &&
      object.ref.apiVersion === 'v1' &&
      object.ref.name === inventoryName(environment.name) &&
      object.ref.namespace === namespace
    ) {
      errors.push({
        file: object.file,
        line: object.line,
        column: object.column,
        message: `ConfigMap ${namespace}/${object.ref.name} is the bot's inventory of what this environment deployed; a manifest may not name it`,
      });
    }
  }
  let objects: Plan['objects'] = [];
  let deletions: PlannedDeletion[] = [];
  if (cluster !== undefined && errors.length === 0) {
    if (baseline.kind === 'live') {
      objects = await diffAgainstLive(parsed.objects, (ref) => readLiveObject(cluster.rest, ref));
      deletions = await plannedDeletions(
        cluster.rest,
        services.provenanceKey,
        { repository, environment: environment.name, namespace },
        parsed.objects,
      );
      objects.push(
        ...deletions.map((deletion): PlannedObject => ({
          ref: deletion.ref,
          file: deletion.file,
          line: 1,
          change: 'deleted',
          changes: [],
        })),
      );
    } else {
      // The default branch's manifests are bounded too, on a budget of their own.
      const base = await readEnvironmentManifests(environment, baseline.tree, newManifestBudget(), services.kustomize);
      const byRef = new Map(base.objects.map((object) => [refKey(object.ref), object.object]));
      objects = await diffAgainstLive(parsed.objects, (ref) => Promise.resolve<KubeObject | undefined>(byRef.get(refKey(ref))));
      // Without reading the cluster, what the default branch has and the pull request no longer does.
      const wanted = new Set(parsed.objects.map((object) => refKey(object.ref)));
      objects.push(
        ...base.objects
          .filter((object) => !wanted.has(refKey(object.ref)))
          .map((object): PlannedObject => ({ ref: object.ref, file: object.file, line: object.line, change: 'deleted', changes: [] })),
      );
    }
    const deleted = objects.filter((object) => object.change === 'deleted');
    if (deleted.length > 0 && environment.prune === false) {
      errors.push({
        file: policyFile,
        line: 1,
        column: 1,
        message: `environment "${environment.name}" forbids pruning (prune: false), and ${deleted.map((object) => `${object.ref.kind} ${object.ref.namespace === undefined ? '' : `${object.ref.namespace}/`}${object.ref.name} (${object.file})`).join(', ')} would be deleted: nothing is applied. Restore the manifest, or delete the object by hand first`,
      });
    }
  }
  const against = baseline.kind === 'live' ? {} : { baseline: `${baseline.branch}@${baseline.tree.sha.slice(0, 7)}` };
  return {
    environment,
    cluster,
    objects: parsed.objects,
    deletions,
    plan: { headSha: tree.sha, environment: environment.name, namespace, objects, errors, ...against },
  };
}

/**
 * The environment's manifests at a commit, read within the size caps, parsed (the default namespace
 * filled in) and confined to its namespaces and kinds.
 */
async function readEnvironmentManifests(
  environment: EnvironmentPolicy,
  tree: ManifestTree,
  budget: ManifestBudget,
  kustomize: KustomizeOptions | undefined,
): Promise<{ objects: ManifestObject[]; errors: Plan['errors'] }> {
  // A directory with a kustomization is rendered by kustomize first; its output is parsed, bounded and confined as any file.
  const expanded = await expandKustomizations(tree, await tree.listFiles(environment.paths), environment.manifestLimits, kustomize);
  const read = await readBoundedManifests(expanded.tree, expanded.paths, {
    namespace: environment.namespace ?? fallbackNamespace,
    limits: environment.manifestLimits,
    budget,
  });
  const parsed = locateInKustomizations(read, expanded.rendered);
  const confinement = confineManifests(parsed.objects, environment);
  const errors = [...expanded.errors, ...parsed.errors, ...confinement].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  return { objects: parsed.objects, errors };
}

/** The ServiceAccount an environment is impersonated as, when it is one (config.ts `impersonate: { serviceAccount: namespace/name }`). */
function deployerAccount(identity: IdentityConfig | undefined): DeployerAccount | undefined {
  if (identity === undefined || !('serviceAccount' in identity)) return undefined;
  const [namespace = '', name = ''] = identity.serviceAccount.split('/');
  return { namespace, name };
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
 * server-side apply. `only` limits it to the environments named (a `/deploy`
 * refused on the others). Every step is idempotent: a repeated webhook re-posts the
 * same checks (updated in place) and re-applies the same objects (no change).
 */
export async function planAndDeployPullRequest(
  context: RepositoryContext,
  services: BotServices,
  pull: PullRequestFacts,
  trigger: DeployTrigger,
  only?: readonly string[],
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
      annotations: policyErrors.map((error) => ({
        path: error.file,
        start_line: error.line,
        end_line: error.line,
        annotation_level: 'failure',
        message: error.message,
      })),
    };
    await context.github.upsertCheckRun(pull.headSha, output);
    return [{ environment: '*', result: 'invalid', detail: 'the repository policy is invalid' }];
  }
  if (matches.length === 0) {
    await context.github.upsertCheckRun(pull.headSha, {
      name: 'gradual/plan',
      status: 'completed',
      conclusion: 'neutral',
      title: 'No manifests change',
      summary: 'This pull request changes no file of any environment, so there is nothing to deploy.',
    });
    return [];
  }
  const checkoutStarted = performance.now();
  const tree = await services.manifests.checkout({
    url: pull.cloneUrl,
    headers: await context.gitHeaders(),
    ref: pull.fromFork ? `refs/pull/${String(pull.number)}/head` : pull.headRef,
    sha: pull.headSha,
  });
  log.info({ fetch: tree.fetch, checkoutMs: Math.round(performance.now() - checkoutStarted) }, 'manifests checked out');
  // A fork's author may not read the cluster: its plan compares with the default branch's manifests instead.
  const baseline: PlanBaseline = pull.fromFork
    ? {
        kind: 'manifests',
        branch: pull.defaultBranch,
        tree: await services.manifests.checkout({
          url: pull.cloneUrl,
          headers: await context.gitHeaders(),
          ref: pull.defaultBranch,
          sha: await context.github.branchHead(pull.defaultBranch),
        }),
      }
    : { kind: 'live' };
  const outcomes: DeployOutcome[] = [];
  // The size caps hold for the pull request, whichever environments its files belong to.
  const budget = newManifestBudget();
  for (const { environment } of matches) {
    if (only !== undefined && !only.includes(environment.name)) continue;
    const planned = await planEnvironment(services, repository, environment, tree, baseline, budget);
    const check = renderPlanCheck(planned.plan);
    await context.github.upsertCheckRun(pull.headSha, { ...check, name: planCheckNameFor(policy, environment.name) });
    if (planned.plan.errors.length > 0 || planned.cluster === undefined) {
      outcomes.push({
        environment: environment.name,
        result: 'invalid',
        detail: `${String(planned.plan.errors.length)} problem(s) in the manifests; nothing applied`,
      });
      continue;
    }
    outcomes.push(await deployEnvironment(context, services, pull, trigger, planned));
  }
  return outcomes;
}

async function deployEnvironment(
  context: RepositoryContext,
  services: BotServices,
  pull: PullRequestFacts,
  trigger: DeployTrigger,
  planned: EnvironmentPlan,
): Promise<DeployOutcome> {
  const repository = repositoryName(context.repository);
  const { environment, cluster } = planned;
  if (cluster === undefined) throw new Error('unreachable: planned without a cluster');
  const name = deployCheckName(environment.name);
  const approvals =
    trigger === 'approved' || environment.trigger === 'approved' || environment.requiredApprovals > 0
      ? await context.github.approvals(pull.number, pull.headSha)
      : [];
  const decision = decideDeploy({ environment, trigger, pullRequest: { fromFork: pull.fromFork, approvals }, now: services.now() });
  const namespace = environment.namespace ?? fallbackNamespace;
  if (!decision.deploy) {
    // Already deployed at this head (a /deploy, an approval): a later look (a reconcile) leaves its check as it is.
    const holder = (await environmentLock(cluster.rest, namespace, environment.name, cluster.name).read()).holder;
    if (holder?.repository === repository && holder.pullRequest === pull.number && holder.headSha === pull.headSha)
      return { environment: environment.name, result: 'unchanged', detail: 'already deployed at this head' };
    await context.github.upsertCheckRun(pull.headSha, {
      name,
      status: 'completed',
      conclusion: 'neutral',
      title: `Not deployed to ${environment.name}`,
      summary: decision.reason,
    });
    return { environment: environment.name, result: 'not-allowed', detail: decision.reason };
  }
  const lock = await environmentLock(cluster.rest, namespace, environment.name, cluster.name).acquire({
    repository,
    pullRequest: pull.number,
    headSha: pull.headSha,
  });
  if (lock.kind === 'held') {
    const by =
      lock.by.repository === repository ? `#${String(lock.by.pullRequest)}` : `${lock.by.repository}#${String(lock.by.pullRequest)}`;
    const queue = lock.state.waiting.map((waiter) =>
      waiter.repository === repository ? `#${String(waiter.pullRequest)}` : `${waiter.repository}#${String(waiter.pullRequest)}`,
    );
    const summary = `${by} (${lock.by.headSha.slice(0, 7)}) holds ${environment.name}; this pull request is deployed when it is merged, closed or unlocked (\`/unlock\`).\n\nWaiting, in order: ${queue.join(', ')}`;
    await context.github.upsertCheckRun(pull.headSha, {
      name,
      status: 'queued',
      title: `Waiting for ${by} to release ${environment.name}`,
      summary,
    });
    return { environment: environment.name, result: 'waiting', detail: `held by ${by}` };
  }
  const changed = planned.plan.objects.filter((object) => object.change !== 'unchanged').length;
  // A fork's plan was compared with the default branch, not the cluster: its count says nothing about what is live.
  if (lock.already && changed === 0 && !pull.fromFork) {
    // The same head deployed already (a repeated or reordered webhook): nothing to apply, nothing to report again.
    context.log.info({ environment: environment.name }, 'already deployed at this head; nothing applied');
    return { environment: environment.name, result: 'unchanged', detail: 'already deployed at this head' };
  }
  try {
    await applyObjects(
      cluster.kubeConfig,
      planned.objects,
      {
        repository,
        pullRequest: pull.number,
        headSha: pull.headSha,
        installationId: context.installationId,
        environment: environment.name,
      },
      context.log,
      services.provenanceKey,
    );
    await pruneAndRecord(services, repository, planned, context.log);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const place = cause instanceof ApplyError ? cause.place : undefined;
    const pending = cause instanceof ApplyError ? cause.pending : [];
    await context.github.upsertCheckRun(pull.headSha, {
      name,
      status: 'completed',
      conclusion: 'failure',
      title: `Deploy to ${environment.name} failed: ${String(pending.length)} of ${String(planned.objects.length)} object(s) pending`,
      summary: renderPendingApply(message, pending, planned.objects.length),
      ...(place !== undefined && {
        annotations: [{ path: place.file, start_line: place.line, end_line: place.line, annotation_level: 'failure', message }],
      }),
    });
    return { environment: environment.name, result: 'failed', detail: message };
  }
  await context.github.upsertCheckRun(pull.headSha, {
    name,
    status: 'completed',
    conclusion: 'success',
    title: `Deployed ${pull.headSha.slice(0, 7)} to ${environment.name}`,
    summary: `${String(planned.objects.length)} object(s) applied to \`${namespace}\` with field manager \`gradual\` (${String(changed)} changed${planned.deletions.length === 0 ? '' : `, ${String(planned.deletions.length)} deleted`}). #${String(pull.number)} holds ${environment.name} until it is merged or closed.`,
  });
  // The GitHub Deployment is a report of what was applied: GitHub refusing it (no deployments permission) does not undo the deploy.
  await startDeployment(context.github, context.log, {
    environment: environment.name,
    sha: pull.headSha,
    pullRequest: pull.number,
    ...(services.config.dashboardUrl !== undefined && { environmentUrl: services.config.dashboardUrl }),
  }).catch((cause: unknown) => {
    context.log.error({ err: cause, environment: environment.name }, 'GitHub deployment not recorded');
  });
  services.nudgeReports(repository, pull.number);
  return { environment: environment.name, result: changed > 0 ? 'deployed' : 'unchanged', detail: `${String(changed)} object(s) changed` };
}

/**
 * After the apply: the objects the plan said to delete are deleted (a fork's plan compared manifests, so
 * its deletions are read from the live inventory now, verified the same way), then the inventory records
 * what this commit deployed. Refused by the plan when the policy says `prune: false`.
 */
export async function pruneAndRecord(
  services: BotServices,
  repository: string,
  planned: EnvironmentPlan,
  log: RepositoryContext['log'],
): Promise<number> {
  const { cluster, environment } = planned;
  if (cluster === undefined) return 0;
  const namespace = environment.namespace ?? fallbackNamespace;
  const deletions =
    planned.plan.baseline === undefined
      ? planned.deletions
      : await plannedDeletions(
          cluster.rest,
          services.provenanceKey,
          { repository, environment: environment.name, namespace },
          planned.objects,
        );
  const deleted = environment.prune === false ? 0 : await pruneObjects(cluster.rest, deletions, log);
  await environmentInventory(cluster.rest, namespace, environment.name).write(repository, inventoryOf(planned.objects));
  return deleted;
}
