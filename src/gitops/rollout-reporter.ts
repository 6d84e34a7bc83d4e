import type { V1ReplicaSet } from '@kubernetes/client-node';
import { analysisRunSchema, rolloutSchema, type AnalysisRun, type Rollout } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import {
  apiPath,
  createClusterManagers,
  createKeyQueue,
  type ClusterManagers,
  type InformerCache,
  type KeyQueue,
  type KubeObject,
} from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { experimentObjectSchema, type ExperimentObject } from '../rollout-view/experiment-info.js';
import type { DeploymentOrigin } from './annotations.js';
import type { Cluster } from './clusters.js';
import { combinedDeploymentState, deploymentStateOfCheck, followDeployment } from './github-deployments.js';
import type { GithubPort } from './github-port.js';
import type { ProvenanceKey } from './provenance.js';
import { reportableOrigin } from './reportable-origin.js';
import {
  fitCheckOutput,
  fitComment,
  isStickyComment,
  noticeFor,
  parseNoticeKey,
  renderRolloutCheck,
  renderStickyComment,
  type ReplicaSetReport,
  type RolloutReportInput,
  type TimelineEntry,
} from './report/index.js';

/** Where the reporter gets an authenticated GitHub client for an installation and repository. */
export type GithubFor = (installationId: number, repository: string) => Promise<GithubPort>;

/**
 * The clients a person's command acts on a Rollout with: its environment's identity on the cluster it was
 * found in (config.ts clusterFor); undefined when the config no longer maps that environment to that cluster.
 */
export type ActingCluster = (origin: DeploymentOrigin, foundIn: Cluster) => Cluster | undefined;

interface ClusterCaches {
  cluster: Cluster;
  rollouts: InformerCache<KubeObject>;
  analysisRuns: InformerCache<KubeObject>;
  /** The Experiments of canary `experiment` steps: owned by their Rollout, they own their AnalysisRuns. */
  experiments: InformerCache<KubeObject>;
  replicaSets: InformerCache<V1ReplicaSet & KubeObject>;
}

export interface RolloutReporter {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Renders a pull request's rollouts and comment again (after a deploy or a command). */
  nudge(repository: string, pullRequest: number): void;
  /** The Rollouts deployed from a pull request, across clusters (from the caches), with the clients to act on each as its environment's identity. */
  rolloutsOf(repository: string, pullRequest: number): { cluster: Cluster; rollout: KubeObject; origin: DeploymentOrigin }[];
  /** What the check runs are rendered from, for `/status`. */
  reportInputsOf(repository: string, pullRequest: number): Promise<RolloutReportInput[]>;
}

/** Debounce: changes within this window become one GitHub update. */
const settleMs = 250;

function ownerName(object: KubeObject, kind = 'Rollout'): string | undefined {
  return object.metadata?.ownerReferences?.find((owner) => owner.controller === true && owner.kind === kind)?.name;
}

/**
 * The report loop: informers over the Rollouts the bot deployed (found by their
 * signed origin annotations, provenance.ts), their AnalysisRuns and ReplicaSets; a change queues the
 * Rollout, and its reconcile renders the check run (on the origin's head SHA) and
 * the pull request's sticky comment, and posts a notice once for what a person
 * must see. GitHub is written only when the rendering changed. Nothing is kept
 * but caches: after a restart every Rollout is rendered again and lands on the
 * same check run and comment (found by name and marker).
 *
 * The informers read with the bot's own identity, cluster-wide: status only (Rollouts, AnalysisRuns,
 * ReplicaSets, Events; never Secrets or ConfigMaps), which nothing a pull request says can change. A Rollout
 * whose origin is not signed by the bot, or is signed for an environment the config deploys to another cluster
 * than the one it was found in (reportable-origin.ts), is never reported: it is logged once, and ignored.
 */
export function createRolloutReporter(options: {
  clusters: Map<string, Cluster>;
  githubFor: GithubFor;
  logger: Logger;
  now: () => Date;
  provenanceKey: ProvenanceKey;
  actingCluster: ActingCluster;
  /** The process's cluster managers (`gradual start`: the engine's too, so a cluster's objects are cached once); its own when absent. */
  managers?: ClusterManagers | undefined;
  dashboardUrl?: string;
}): RolloutReporter {
  const logger = options.logger.child({ component: 'rollout-reporter' });
  const ownIdentity = [...options.clusters.values()].filter((cluster) => cluster.impersonating === undefined);
  const managers = options.managers ?? createClusterManagers();
  const argo = { group: 'argoproj.io', version: 'v1alpha1' };
  const caches: ClusterCaches[] = ownIdentity.map((cluster) => {
    const manager = managers.managerFor(cluster.kubeConfig, { logger });
    return {
      cluster,
      rollouts: manager.informer<KubeObject>({ ...argo, resource: 'rollouts' }, 'reporter'),
      analysisRuns: manager.informer<KubeObject>({ ...argo, resource: 'analysisruns' }, 'reporter'),
      experiments: manager.informer<KubeObject>({ ...argo, resource: 'experiments' }, 'reporter'),
      // Only what it reports on: a Rollout's ReplicaSets, which carry the pod-template-hash label (as the engine's informer selects them), not every ReplicaSet of the cluster.
      replicaSets: manager.informer<V1ReplicaSet & KubeObject>(
        { group: 'apps', version: 'v1', resource: 'replicasets', labelSelector: POD_TEMPLATE_HASH_LABEL },
        'reporter',
      ),
    };
  });
  const queue: KeyQueue = createKeyQueue({ name: 'reports', workers: 4, minDelayMs: 50, logger });
  /** What was last written, by check or comment key: GitHub is written only when this changes. */
  const written = new Map<string, string>();
  /** Notice keys already posted, by pull request (seeded from the comments on first use). */
  const noticesPosted = new Map<string, Set<string>>();
  const stickyIds = new Map<string, number>();
  /** Each reported Rollout's deployment state (from its check), by rollout key: an environment's GitHub Deployment combines them. */
  const deploymentStates = new Map<string, ReturnType<typeof deploymentStateOfCheck>>();
  /** The check run last written by check key, for the deployment's log_url. */
  const checkRunIds = new Map<string, number>();

  const rolloutKey = (cluster: string, namespace: string, name: string): string => `rollout|${cluster}|${namespace}|${name}`;
  /** What each object refused was last logged as claiming (by cluster and uid): one warning per object and claim, not per event. Forgotten when the object is deleted. */
  const refusedLogged = new Map<string, string>();
  const objectKey = (cluster: Cluster, object: KubeObject): string =>
    `${cluster.name}|${object.metadata?.uid ?? `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`}`;

  /** The Rollout's origin when the bot signed it for this very object and its environment deploys to this cluster; a refusal is logged once per object. */
  function verifiedOrigin(cluster: Cluster, rollout: KubeObject | undefined): DeploymentOrigin | undefined {
    if (rollout === undefined) return undefined;
    const metadata = rollout.metadata;
    const identity = { namespace: metadata?.namespace, kind: 'Rollout', name: metadata?.name ?? '' };
    const check = reportableOrigin(
      options.provenanceKey,
      metadata?.annotations,
      identity,
      cluster.clusterName,
      (origin) => options.actingCluster(origin, cluster) !== undefined,
    );
    if (check.kind === 'verified') return check.origin;
    if (check.kind === 'refused') {
      const key = objectKey(cluster, rollout);
      const claim = JSON.stringify(check.claimed ?? null);
      if (refusedLogged.get(key) !== claim) {
        refusedLogged.set(key, claim);
        logger.warn(
          {
            cluster: cluster.name,
            namespace: metadata?.namespace,
            rollout: metadata?.name,
            uid: metadata?.uid,
            claimedRepository: check.claimed?.repository,
            claimedPullRequest: check.claimed?.pullRequest,
            claimedHeadSha: check.claimed?.headSha,
            reason: check.reason,
          },
          'Rollout claims a Gradual origin the bot did not sign; not reported',
        );
      }
    }
    return undefined;
  }

  const commentKey = (repository: string, pullRequest: number): string => `comment|${repository}|${String(pullRequest)}`;

  for (const cache of caches) {
    const enqueue = (namespace: string | undefined, name: string | undefined): void => {
      if (namespace === undefined || name === undefined) return;
      const rollout = cache.rollouts.get(namespace, name);
      if (verifiedOrigin(cache.cluster, rollout) !== undefined) queue.addAfter(rolloutKey(cache.cluster.name, namespace, name), settleMs);
    };
    cache.rollouts.onDelete((object) => {
      refusedLogged.delete(objectKey(cache.cluster, object));
    });
    for (const event of ['onAdd', 'onUpdate', 'onDelete'] as const) {
      cache.rollouts[event]((object) => {
        enqueue(object.metadata?.namespace, object.metadata?.name);
      });
      cache.analysisRuns[event]((object) => {
        const namespace = object.metadata?.namespace;
        // An Experiment's run reports on the Rollout that owns the Experiment.
        const experiment = ownerName(object, 'Experiment');
        const owner = experiment === undefined ? undefined : cache.experiments.get(namespace ?? '', experiment);
        enqueue(namespace, owner === undefined ? ownerName(object) : ownerName(owner));
      });
      cache.experiments[event]((object) => {
        enqueue(object.metadata?.namespace, ownerName(object));
      });
      cache.replicaSets[event]((object) => {
        enqueue(object.metadata?.namespace, ownerName(object));
      });
    }
  }

  async function timelineOf(cluster: Cluster, rollout: KubeObject): Promise<TimelineEntry[]> {
    const namespace = rollout.metadata?.namespace ?? 'default';
    const list = await cluster.rest.request<{
      items: {
        reason?: string;
        message?: string;
        lastTimestamp?: string;
        eventTime?: string;
        firstTimestamp?: string;
        involvedObject?: { uid?: string };
      }[];
    }>({
      method: 'GET',
      path: apiPath({ version: 'v1', resource: 'events', namespace }),
      query: { fieldSelector: `involvedObject.kind=Rollout,involvedObject.name=${rollout.metadata?.name ?? ''}` },
    });
    return list.items
      .filter((event) => event.involvedObject?.uid === undefined || event.involvedObject.uid === rollout.metadata?.uid)
      .map((event) => ({
        at: new Date(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? 0),
        reason: event.reason ?? '',
        message: event.message ?? '',
      }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  function replicaSetReports(cache: ClusterCaches, rollout: KubeObject): ReplicaSetReport[] {
    const namespace = rollout.metadata?.namespace ?? 'default';
    return cache.replicaSets
      .list(namespace, (rs) => ownerName(rs) === rollout.metadata?.name)
      .map((rs) => ({
        name: rs.metadata?.name ?? '',
        revision: Number(rs.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? '0'),
        podTemplateHash: rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '',
        replicas: rs.status?.replicas ?? 0,
        readyReplicas: rs.status?.readyReplicas ?? 0,
        availableReplicas: rs.status?.availableReplicas ?? 0,
        images: rs.spec?.template?.spec?.containers.map((container) => container.image ?? '') ?? [],
      }));
  }

  /** The Rollout's Experiments: those its controller reference names (the renderers check the uid). */
  function experimentsOf(cache: ClusterCaches, rollout: KubeObject): ExperimentObject[] {
    return cache.experiments
      .list(rollout.metadata?.namespace ?? 'default', (experiment) => ownerName(experiment) === rollout.metadata?.name)
      .flatMap((experiment) => {
        const parsed = experimentObjectSchema.safeParse(experiment);
        return parsed.success ? [parsed.data] : [];
      });
  }

  /** The Rollout's AnalysisRuns and those of its Experiments. */
  function analysisRunsOf(cache: ClusterCaches, rollout: KubeObject, experiments: readonly ExperimentObject[]): AnalysisRun[] {
    const experimentNames = new Set(experiments.map((experiment) => experiment.metadata.name));
    const ours = (run: KubeObject): boolean => {
      if (ownerName(run) === rollout.metadata?.name) return true;
      const experiment = ownerName(run, 'Experiment');
      return experiment !== undefined && experimentNames.has(experiment);
    };
    return cache.analysisRuns.list(rollout.metadata?.namespace ?? 'default', ours).flatMap((run) => {
      const parsed = analysisRunSchema.safeParse(run);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async function reportInput(cache: ClusterCaches, raw: KubeObject, origin: DeploymentOrigin): Promise<RolloutReportInput | undefined> {
    const parsed = rolloutSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const rollout: Rollout = parsed.data;
    const experiments = experimentsOf(cache, raw);
    return {
      rollout,
      analysisRuns: analysisRunsOf(cache, raw, experiments),
      experiments,
      replicaSets: replicaSetReports(cache, raw),
      timeline: await timelineOf(cache.cluster, raw),
      pullRequest: { number: origin.pullRequest ?? 0, headSha: origin.headSha },
      now: options.now(),
    };
  }

  function deployedFrom(
    repository: string,
    pullRequest: number,
  ): { cache: ClusterCaches; rollout: KubeObject; origin: DeploymentOrigin }[] {
    return caches.flatMap((cache) =>
      cache.rollouts.list().flatMap((rollout) => {
        const origin = verifiedOrigin(cache.cluster, rollout);
        return origin !== undefined && origin.repository === repository && origin.pullRequest === pullRequest
          ? [{ cache, rollout, origin }]
          : [];
      }),
    );
  }

  async function reportRollout(clusterName: string, namespace: string, name: string): Promise<void> {
    const cache = caches.find((candidate) => candidate.cluster.name === clusterName);
    const raw = cache?.rollouts.get(namespace, name);
    const origin = cache === undefined ? undefined : verifiedOrigin(cache.cluster, raw);
    if (cache === undefined || raw === undefined || origin === undefined) return;
    const input = await reportInput(cache, raw, origin);
    if (input === undefined) return;
    const output = fitCheckOutput(renderRolloutCheck(input));
    const key = `check|${origin.headSha}|${output.name}`;
    const rendered = JSON.stringify(output);
    const log = logger.child({
      rollout: name,
      namespace,
      repository: origin.repository,
      pullRequest: origin.pullRequest,
      headSha: origin.headSha,
    });
    const github = await options.githubFor(origin.installationId, origin.repository);
    if (written.get(key) !== rendered) {
      checkRunIds.set(key, await github.upsertCheckRun(origin.headSha, output));
      written.set(key, rendered);
      log.info({ check: output.name, status: output.status, conclusion: output.conclusion, title: output.title }, 'check run updated');
    }
    const checkRunId = checkRunIds.get(key);
    if (origin.pullRequest !== undefined && checkRunId !== undefined)
      await reportDeployment(github, { clusterName, namespace, name }, origin, output, checkRunId, log);
    if (origin.pullRequest === undefined) return;
    const notice = noticeFor(input);
    if (notice !== undefined) await postNoticeOnce(github, origin, notice, log);
    queue.addAfter(commentKey(origin.repository, origin.pullRequest), settleMs);
  }

  /**
   * The pull request's GitHub Deployment of this environment follows its Rollouts (github-deployments.ts):
   * written only when the combined state changes. A refusal from GitHub is logged, not retried here: the
   * next change of any of the environment's Rollouts writes it again.
   */
  async function reportDeployment(
    github: GithubPort,
    at: { clusterName: string; namespace: string; name: string },
    origin: DeploymentOrigin,
    output: { status: string; conclusion?: string | undefined; title: string },
    checkRunId: number,
    log: Logger,
  ): Promise<void> {
    const pullRequest = origin.pullRequest ?? 0;
    deploymentStates.set(
      rolloutKey(at.clusterName, at.namespace, at.name),
      deploymentStateOfCheck(output as Parameters<typeof deploymentStateOfCheck>[0]),
    );
    const siblings = deployedFrom(origin.repository, pullRequest).filter(
      (entry) => entry.origin.environment === origin.environment && entry.origin.headSha === origin.headSha,
    );
    const state = combinedDeploymentState(
      siblings.map(
        (entry) =>
          deploymentStates.get(
            rolloutKey(entry.cache.cluster.name, entry.rollout.metadata?.namespace ?? 'default', entry.rollout.metadata?.name ?? ''),
          ) ?? 'in_progress',
      ),
    );
    const key = `deployment|${origin.repository}|${String(pullRequest)}|${origin.environment}|${origin.headSha}`;
    if (written.get(key) === state) return;
    try {
      const changed = await followDeployment(github, {
        environment: origin.environment,
        sha: origin.headSha,
        pullRequest,
        state,
        description: output.title,
        ...(options.dashboardUrl !== undefined && { environmentUrl: options.dashboardUrl }),
        logUrl: () => github.checkRunUrl(checkRunId),
      });
      // Not found yet (the deploy creates it just after applying): left unwritten, so the next reconcile (the deploy's nudge) tries again.
      if (changed !== 'missing') written.set(key, state);
      if (changed === 'written') log.info({ environment: origin.environment, state }, 'GitHub deployment status written');
    } catch (cause) {
      log.error({ err: cause, environment: origin.environment, state }, 'GitHub deployment status not written');
    }
  }

  async function postNoticeOnce(
    github: GithubPort,
    origin: DeploymentOrigin,
    notice: { key: string; body: string },
    log: Logger,
  ): Promise<void> {
    const pullRequest = origin.pullRequest ?? 0;
    const prKey = `${origin.repository}#${String(pullRequest)}`;
    let posted = noticesPosted.get(prKey);
    if (posted === undefined) {
      const comments = await github.listIssueComments(pullRequest);
      posted = new Set(comments.flatMap((comment) => parseNoticeKey(comment.body) ?? []));
      const sticky = comments.find((comment) => isStickyComment(comment.body));
      if (sticky !== undefined) stickyIds.set(prKey, sticky.id);
      noticesPosted.set(prKey, posted);
    }
    if (posted.has(notice.key)) return;
    await github.createIssueComment(pullRequest, fitComment(notice.body));
    posted.add(notice.key);
    log.info({ notice: notice.key }, 'notice posted');
  }

  async function reportComment(repository: string, pullRequest: number): Promise<void> {
    const deployed = deployedFrom(repository, pullRequest);
    const [first] = deployed;
    if (first === undefined) return;
    const inputs = (await Promise.all(deployed.map(({ cache, rollout, origin }) => reportInput(cache, rollout, origin)))).flatMap(
      (input) => (input === undefined ? [] : [input]),
    );
    const body = fitComment(renderStickyComment({ pullRequest: { number: pullRequest, headSha: first.origin.headSha }, rollouts: inputs }));
    const key = `comment|${repository}|${String(pullRequest)}`;
    if (written.get(key) === body) return;
    const github = await options.githubFor(first.origin.installationId, repository);
    const prKey = `${repository}#${String(pullRequest)}`;
    let id = stickyIds.get(prKey);
    if (id === undefined) {
      const comments = await github.listIssueComments(pullRequest);
      id = comments.find((comment) => isStickyComment(comment.body))?.id;
      noticesPosted.set(prKey, new Set(comments.flatMap((comment) => parseNoticeKey(comment.body) ?? [])));
    }
    if (id === undefined) id = await github.createIssueComment(pullRequest, body);
    else await github.updateIssueComment(id, body);
    stickyIds.set(prKey, id);
    written.set(key, body);
  }

  let running: Promise<void> | undefined;
  return {
    async start() {
      const informers = caches.flatMap((cache) => [cache.rollouts, cache.analysisRuns, cache.experiments, cache.replicaSets]);
      await Promise.all(informers.map((informer) => informer.start()));
      await Promise.all(informers.map((informer) => informer.waitForSync(60_000)));
      running = queue.run(async (key) => {
        const [kind, a = '', b = '', c = ''] = key.split('|');
        if (kind === 'rollout') await reportRollout(a, b, c);
        else await reportComment(a, Number(b));
      });
      logger.info({ clusters: caches.length }, 'caches synced; reporting');
    },
    async stop() {
      await queue.shutdown();
      await running;
      await Promise.all(
        caches.flatMap((cache) => [cache.rollouts.stop(), cache.analysisRuns.stop(), cache.experiments.stop(), cache.replicaSets.stop()]),
      );
    },
    nudge(repository, pullRequest) {
      for (const { cache, rollout } of deployedFrom(repository, pullRequest))
        queue.addAfter(rolloutKey(cache.cluster.name, rollout.metadata?.namespace ?? 'default', rollout.metadata?.name ?? ''), settleMs);
    },
    async reportInputsOf(repository, pullRequest) {
      const inputs = await Promise.all(
        deployedFrom(repository, pullRequest).map(({ cache, rollout, origin }) => reportInput(cache, rollout, origin)),
      );
      return inputs.flatMap((input) => (input === undefined ? [] : [input]));
    },
    rolloutsOf(repository, pullRequest) {
      return deployedFrom(repository, pullRequest).flatMap(({ cache, rollout, origin }) => {
        const cluster = options.actingCluster(origin, cache.cluster);
        return cluster === undefined ? [] : [{ cluster, rollout, origin }];
      });
    },
  };
}
