import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import picomatch from 'picomatch';
import { GradualError } from '../errors/gradual-error.js';

/**
 * The operator's configuration (not the repository's): which repositories the
 * bot serves and which cluster each of their environments lives in. A
 * repository's `.gradual.yml` names environments; this file says where they are.
 */
const clusterSchema = z.strictObject({
  /** A kubeconfig file; absent: KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig: z.string().min(1).optional(),
  /** A context of that kubeconfig; absent: its current context. */
  context: z.string().min(1).optional(),
});

/** A Kubernetes name segment (RFC 1123 label for namespaces, subdomain for ServiceAccounts). */
const dnsName = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/u;

/**
 * Who the bot acts as in an environment (Kubernetes impersonation): every apply, dry run, live read,
 * lock and Rollout action for the environment is sent with `Impersonate-User`, so the API server
 * judges it by that identity's RBAC, not the bot's. Fixed here by the operator, never taken from a
 * repository (a `.gradual.yml` names its namespace, which is hostile input).
 * A ServiceAccount is the usual choice: the API server adds its groups itself. Impersonating extra
 * groups is not offered: client-node sends every header once, and a group would widen the identity
 * beyond the one subject a deployer RoleBinding names.
 */
const identitySchema = z.union([
  z.strictObject({
    /** `namespace/name` of a ServiceAccount; impersonated as `system:serviceaccount:<namespace>:<name>`. */
    serviceAccount: z.string().refine((value) => {
      const [namespace = '', name = '', ...rest] = value.split('/');
      return rest.length === 0 && dnsName.test(namespace) && namespace.length <= 63 && dnsName.test(name);
    }, 'namespace/name of a ServiceAccount'),
  }),
  z.strictObject({
    /** A user name as the cluster's authenticator knows it. */
    user: z
      .string()
      .min(1)
      .refine((value) => !value.startsWith('system:serviceaccount:'), 'a ServiceAccount is named with serviceAccount: namespace/name'),
  }),
]);

/** Where an environment is deployed: a cluster name (the bot's own identity), or a cluster and the identity to act as. */
const environmentTargetSchema = z.union([
  z.string().min(1),
  z.strictObject({
    cluster: z.string().min(1),
    impersonate: identitySchema,
  }),
]);

const repositoryRuleSchema = z.strictObject({
  /** `owner/name`, globs allowed (`acme/*`). */
  match: z.string().regex(/^[\w.*?-]+\/[\w.*?-]+$/u, 'owner/name, globs allowed'),
  /** Environment name → cluster name, or `{ cluster, impersonate }`; `*` for any environment. */
  environments: z.record(z.string().min(1), environmentTargetSchema),
});

export const gradualConfigSchema = z.strictObject({
  clusters: z.record(z.string().min(1), clusterSchema).refine((clusters) => Object.keys(clusters).length > 0, 'at least one cluster'),
  repositories: z.array(repositoryRuleSchema).min(1),
  /** Where cached clones of the manifest repositories live. */
  cacheDir: z.string().min(1).optional(),
  /** The default policy file (top-level policies/default.yml when absent). */
  defaultPolicy: z.string().min(1).optional(),
  /** The dashboard's address as people reach it: each GitHub Deployment's `environment_url` (none when absent). */
  dashboardUrl: z.url({ protocol: /^https?$/u }).optional(),
  /** How often the bot reconciles every pull request, default branch and lock without a webhook (the bound on a lost one); default 300. */
  resyncSeconds: z.number().int().min(5).max(86_400).optional(),
  /**
   * Where the bot keeps its own records (the ledger of handled deliveries, a ConfigMap): one of `clusters`
   * (under the bot's own identity) and a namespace. Absent: the first cluster, namespace `default`.
   */
  state: z
    .strictObject({ cluster: z.string().min(1), namespace: z.string().max(63).regex(dnsName, 'a namespace name (RFC 1123 label)') })
    .optional(),
});

export type GradualConfig = z.infer<typeof gradualConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type IdentityConfig = z.infer<typeof identitySchema>;
type EnvironmentTarget = z.infer<typeof environmentTargetSchema>;

function clusterNameOf(target: EnvironmentTarget): string {
  return typeof target === 'string' ? target : target.cluster;
}

/** The Kubernetes user name an identity is impersonated as (the `Impersonate-User` header). */
export function impersonatedUser(identity: IdentityConfig): string {
  if ('user' in identity) return identity.user;
  const [namespace = '', name = ''] = identity.serviceAccount.split('/');
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The key of a cluster's clients for an identity: the cluster's name alone for the bot's own identity. */
export function clientKey(cluster: string, identity: IdentityConfig | undefined): string {
  return identity === undefined ? cluster : `${cluster} as ${impersonatedUser(identity)}`;
}

export class ConfigError extends GradualError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_CONFIG', message, { cause: options?.cause });
  }
}

/** Parses the config text; every problem is reported with its file:line. */
export function parseGradualConfig(text: string, file: string): GradualConfig {
  const document = parseDocument(text, { prettyErrors: false });
  const [syntax] = document.errors;
  if (syntax !== undefined) throw new ConfigError(`${file}:${String(syntax.linePos?.[0].line ?? 1)}: ${syntax.message}`);
  const result = gradualConfigSchema.safeParse(document.toJS());
  if (result.success) {
    const unknownClusters = result.data.repositories.flatMap((rule) =>
      Object.values(rule.environments)
        .map(clusterNameOf)
        .filter((cluster) => !(cluster in result.data.clusters)),
    );
    if (unknownClusters.length > 0)
      throw new ConfigError(`${file}: repositories name clusters that are not defined: ${[...new Set(unknownClusters)].join(', ')}`);
    if (result.data.state !== undefined && !(result.data.state.cluster in result.data.clusters))
      throw new ConfigError(`${file}: state.cluster names a cluster that is not defined: ${result.data.state.cluster}`);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => {
    // An unknown key is placed at the key itself, not at the object holding it.
    const path = [...issue.path, ...(issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [])] as (
      string | number
    )[];
    const node = (document.getIn(path, true) ?? document.getIn(issue.path as (string | number)[], true)) as
      { range?: [number, number, number] } | undefined;
    const line = node?.range === undefined ? 1 : text.slice(0, node.range[0]).split('\n').length;
    return `${file}:${String(line)}: ${issue.path.join('.') || '(top)'}: ${issue.message}`;
  });
  throw new ConfigError(`invalid Gradual config:\n${lines.join('\n')}`);
}

export async function loadGradualConfig(file: string): Promise<GradualConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the Gradual config ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return parseGradualConfig(text, file);
}

/** Where the bot keeps its own records (config `state`): the named cluster, else the first one, namespace `default`. */
export function stateLocation(config: GradualConfig): { cluster: string; namespace: string } {
  return config.state ?? { cluster: Object.keys(config.clusters)[0] ?? '', namespace: 'default' };
}

/** Where an environment is deployed and as whom. */
export interface DeployTarget {
  /** The key of its clients in the bot's cluster map (`clientKey`): the cluster, with the identity when impersonated. */
  name: string;
  /** The cluster's name in the config. */
  clusterName: string;
  cluster: ClusterConfig;
  /** Absent: the bot's own identity (a warning at start says so). */
  identity: IdentityConfig | undefined;
}

/** The cluster (and identity) an environment of a repository is deployed to; undefined when the config does not serve it. */
export function clusterFor(config: GradualConfig, repository: string, environment: string): DeployTarget | undefined {
  for (const rule of config.repositories) {
    if (!picomatch.isMatch(repository, rule.match, { nocase: true })) continue;
    const target = rule.environments[environment] ?? rule.environments['*'];
    if (target === undefined) continue;
    const clusterName = clusterNameOf(target);
    const cluster = config.clusters[clusterName];
    const identity = typeof target === 'string' ? undefined : target.impersonate;
    if (cluster !== undefined) return { name: clientKey(clusterName, identity), clusterName, cluster, identity };
  }
  return undefined;
}

/** Every (cluster, identity) pair the config deploys with, each once. */
export function deployIdentities(config: GradualConfig): { key: string; clusterName: string; identity: IdentityConfig | undefined }[] {
  const pairs = new Map<string, { key: string; clusterName: string; identity: IdentityConfig | undefined }>();
  for (const rule of config.repositories) {
    for (const target of Object.values(rule.environments)) {
      const clusterName = clusterNameOf(target);
      const identity = typeof target === 'string' ? undefined : target.impersonate;
      const key = clientKey(clusterName, identity);
      pairs.set(key, { key, clusterName, identity });
    }
  }
  return [...pairs.values()];
}

/** `match → environment` of each mapping deployed with the bot's own identity, for the warning at start. */
export function unimpersonatedEnvironments(config: GradualConfig): string[] {
  return config.repositories.flatMap((rule) =>
    Object.entries(rule.environments).flatMap(([environment, target]) =>
      typeof target === 'string' ? [`${rule.match} ${environment} → ${target}`] : [],
    ),
  );
}

/** Whether the bot serves a repository at all. */
export function servesRepository(config: GradualConfig, repository: string): boolean {
  return config.repositories.some((rule) => picomatch.isMatch(repository, rule.match, { nocase: true }));
}
