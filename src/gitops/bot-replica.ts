import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createManager, type LeaderElectionTiming } from '../kube/index.js';
import { loadCluster } from './clusters.js';
import { ConfigError, stateLocation } from './config.js';
import { startBot, type RunningBot } from './start-bot.js';

/** The Lease `gradual bot` replicas elect on, in the config's `state:` cluster and namespace. */
export const botLeaseName = 'gradual-bot-lock';

export interface BotReplica {
  running: RunningBot;
  /** Settles when this replica loses the Lease while leading: the caller ends the process (kube/manager.ts says why). */
  leadershipLost: Promise<void>;
  /** Stops leading (the Lease handed back at once) and listening. */
  stop(): Promise<void>;
}

/**
 * `gradual bot` with leader election: every replica listens (so the kubelet's probes reach it), but only the
 * one holding the Lease reports, reconciles and takes webhooks; the others answer /readyz and every delivery
 * 503, so a Service never routes a delivery to a replica that would drop it, and two bots never race on the
 * sticky comment and the notices. The Lease lives with the bot's other records (config `state:`).
 */
export async function startBotReplica(
  options: Parameters<typeof startBot>[0] & { leaderElection?: Partial<LeaderElectionTiming> },
): Promise<BotReplica> {
  const state = stateLocation(options.config);
  const clusterConfig = options.config.clusters[state.cluster];
  if (clusterConfig === undefined) throw new ConfigError(`state.cluster names a cluster that is not defined: ${state.cluster}`);
  const running = await startBot({ ...options, standby: true });
  const manager = createManager({ kubeConfig: loadCluster(state.cluster, clusterConfig).kubeConfig, logger: options.logger });
  await manager.add({ name: 'bot', needLeaderElection: true, start: () => running.lead(), stop: () => running.standDown() });
  await manager.start({
    namespace: state.namespace,
    name: botLeaseName,
    identity: `${hostname()}_${randomBytes(4).toString('hex')}`,
    ...options.leaderElection,
  });
  return {
    running,
    leadershipLost: manager.leadershipLost(),
    async stop() {
      await manager.stop();
      await running.stop();
    },
  };
}
