import type { ClusterManagers } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import type { RepositoryPolicy } from '../policies/index.js';
import type { Cluster } from './clusters.js';
import type { GradualConfig } from './config.js';
import type { GithubPort, RepositoryRef } from './github-port.js';
import type { KustomizeOptions, ManifestCache } from './manifests/index.js';
import type { ProvenanceKey } from './provenance.js';

/** What every handler shares for the life of the process. */
export interface BotServices {
  config: GradualConfig;
  /** The shipped defaults (policies/default.yml), which a repository may only narrow. */
  defaults: RepositoryPolicy;
  /** Each cluster under the bot's identity, and each (cluster, identity) an environment deploys as (config.ts clusterFor names the key). */
  clusters: Map<string, Cluster>;
  /** Signs the origin of every applied object (provenance.ts); only the bot holds it. */
  provenanceKey: ProvenanceKey;
  manifests: ManifestCache;
  /** The kustomize a directory with a kustomization.yaml is rendered with; absent: such a directory is a plan error. */
  kustomize?: KustomizeOptions;
  logger: Logger;
  now: () => Date;
  /** Asks the reporter to render a pull request's rollouts again (after a deploy or a command). */
  nudgeReports: (repository: string, pullRequest: number) => void;
  /** The process's cluster managers, shared with the engine under `gradual start` (the reporter's caches are the engine's). */
  managers?: ClusterManagers | undefined;
}

/** One webhook's view of a repository: its GitHub client and how to clone it. */
export interface RepositoryContext {
  github: GithubPort;
  repository: RepositoryRef;
  installationId: number;
  /** Headers that authenticate git over HTTP as the installation (a fresh token). */
  gitHeaders: () => Promise<Record<string, string>>;
  log: Logger;
}
