import type { KubeConfig } from '@kubernetes/client-node';
import { rootLogger, type Logger } from '../log/index.js';
import { runLeaderElection, type LeaderElectionOptions, type LeaderElector } from './leader-election.js';
import {
  createSharedInformers,
  type InformerRegistration,
  type InformerSpec,
  type SharedInformer,
  type SharedInformersOptions,
} from './shared-informers.js';
import type { Clock, KubeObject, RequestCounter } from './types.js';

/** Work the manager starts and stops: a controller, or anything run beside them (the bot's webhook server). */
export interface Runnable {
  name: string;
  /** Run only by the replica that holds the lease (controllers, the bot); false: by every replica. */
  needLeaderElection: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type ManagerLeaderElection = Omit<
  LeaderElectionOptions,
  'kubeConfig' | 'onStartedLeading' | 'onStoppedLeading' | 'clock' | 'logger'
>;

export interface Manager {
  readonly kubeConfig: KubeConfig;
  /** A handle on the cluster's one informer for the kind (shared-informers.ts); `user` names the holder in the registry. */
  informer<T extends KubeObject>(spec: InformerSpec, user: string): SharedInformer<T>;
  /** Every informer of the cluster with its users: one per kind and label selector is the point. */
  registry(): InformerRegistration[];
  /** The registered work in registration order (the order leader-only work starts in), and whether each runs now. */
  runnables(): { name: string; needLeaderElection: boolean; started: boolean }[];
  /** Registers work; added after start() it is started at once (when this replica leads, for leader-only work). */
  add(runnable: Runnable): Promise<void>;
  /** Starts the work every replica runs, and the leader-only work at once, or under the Lease when one is given. */
  start(leaderElection?: ManagerLeaderElection): Promise<void>;
  /** Stops all work (leader-only first, then the rest) and releases the Lease. */
  stop(): Promise<void>;
  /**
   * Settles once this replica loses the Lease while running (not on stop()), after its leader-only work
   * stopped. The process then exits and its supervisor starts it afresh as a follower (runEngine, the bot):
   * a lost lease leaves nothing of the old term's caches, queues or half-done reconciles behind, as
   * client-go's and controller-runtime's managers end the process on a lost election.
   */
  leadershipLost(): Promise<void>;
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  clock?: Clock;
  requestCounter?: RequestCounter;
  /** Replaces the informers over the API (unit tests). */
  createCache?: SharedInformersOptions['createCache'];
}

/**
 * controller-runtime's manager for one cluster: the shared informers, the work registered on them, and
 * leader election. Leader-only work starts in registration order when this replica starts leading and stops
 * in reverse order when it stops (before the Lease is released, so no other replica works at the same time);
 * an informer lists and watches only while some started work holds it, as each did before it was shared.
 */
export function createManager(options: ManagerOptions): Manager {
  const logger = (options.logger ?? rootLogger()).child({ component: 'manager' });
  const informers = createSharedInformers(options.kubeConfig, {
    logger: options.logger ?? rootLogger(),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.requestCounter === undefined ? {} : { requestCounter: options.requestCounter }),
    ...(options.createCache === undefined ? {} : { createCache: options.createCache }),
  });
  const runnables: Runnable[] = [];
  const started = new Set<Runnable>();
  let running = false;
  let leading = false;
  let elector: LeaderElector | undefined;
  let stopping = false;
  let markLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => {
    markLost = resolve;
  });

  async function startAll(filter: (runnable: Runnable) => boolean): Promise<void> {
    for (const runnable of runnables.filter(filter)) {
      if (started.has(runnable)) continue;
      started.add(runnable);
      logger.debug({ runnable: runnable.name }, 'starting');
      await runnable.start();
    }
  }

  async function stopAll(filter: (runnable: Runnable) => boolean): Promise<void> {
    for (const runnable of runnables.filter(filter).reverse()) {
      if (!started.delete(runnable)) continue;
      try {
        await runnable.stop();
      } catch (error) {
        logger.error({ err: error, runnable: runnable.name }, 'stopping failed');
      }
    }
  }

  const leaderOnly = (runnable: Runnable): boolean => runnable.needLeaderElection;
  const everyReplica = (runnable: Runnable): boolean => !runnable.needLeaderElection;

  return {
    kubeConfig: options.kubeConfig,
    informer: (spec, user) => informers.informer(spec, user),
    registry: () => informers.registry(),
    runnables: () =>
      runnables.map((runnable) => ({
        name: runnable.name,
        needLeaderElection: runnable.needLeaderElection,
        started: started.has(runnable),
      })),
    async add(runnable) {
      runnables.push(runnable);
      if (running && (!runnable.needLeaderElection || leading)) await startAll((candidate) => candidate === runnable);
    },
    async start(leaderElection) {
      running = true;
      await startAll(everyReplica);
      if (leaderElection === undefined) {
        leading = true;
        await startAll(leaderOnly);
        return;
      }
      elector = runLeaderElection({
        ...leaderElection,
        kubeConfig: options.kubeConfig,
        logger: options.logger ?? rootLogger(),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        onStartedLeading: async () => {
          leading = true;
          await startAll(leaderOnly);
        },
        onStoppedLeading: async () => {
          const wasLeading = leading;
          if (leading) await stopAll(leaderOnly);
          leading = false;
          // Its work cannot start again in this process (queues run once): the process ends and restarts.
          if (wasLeading && !stopping) {
            logger.error('leader election lost: the leader-only work stopped; the process exits so that it starts afresh');
            markLost();
          }
        },
      });
    },
    leadershipLost: () => lost,
    async stop() {
      stopping = true;
      if (elector !== undefined) await elector.stop();
      else if (leading) await stopAll(leaderOnly);
      leading = false;
      running = false;
      await stopAll(everyReplica);
    },
  };
}
