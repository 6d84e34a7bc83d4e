import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import picomatch from 'picomatch';

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

const repositoryRuleSchema = z.strictObject({
  /** `owner/name`, globs allowed (`acme/*`). */
  match: z.string().regex(/^[\w.*?-]+\/[\w.*?-]+$/u, 'owner/name, globs allowed'),
  /** Environment name → cluster name; `*` for any environment. */
  environments: z.record(z.string().min(1), z.string().min(1)),
});

export const gradualConfigSchema = z.strictObject({
  clusters: z.record(z.string().min(1), clusterSchema).refine((clusters) => Object.keys(clusters).length > 0, 'at least one cluster'),
  repositories: z.array(repositoryRuleSchema).min(1),
  /** Where cached clones of the manifest repositories live. */
  cacheDir: z.string().min(1).optional(),
  /** The default policy file (top-level policies/default.yml when absent). */
  defaultPolicy: z.string().min(1).optional(),
});

export type GradualConfig = z.infer<typeof gradualConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Parses the config text; every problem is reported with its file:line. */
export function parseGradualConfig(text: string, file: string): GradualConfig {
  const document = parseDocument(text, { prettyErrors: false });
  const [syntax] = document.errors;
  if (syntax !== undefined) throw new ConfigError(`${file}:${String(syntax.linePos?.[0].line ?? 1)}: ${syntax.message}`);
  const result = gradualConfigSchema.safeParse(document.toJS());
  if (result.success) {
    const unknownClusters = result.data.repositories.flatMap((rule) => Object.values(rule.environments).filter((cluster) => !(cluster in result.data.clusters)));
    if (unknownClusters.length > 0) throw new ConfigError(`${file}: repositories name clusters that are not defined: ${[...new Set(unknownClusters)].join(', ')}`);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => {
    // An unknown key is placed at the key itself, not at the object holding it.
    const path = [...issue.path, ...(issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [])] as (string | number)[];
    const node = (document.getIn(path, true) ?? document.getIn(issue.path as (string | number)[], true)) as { range?: [number, number, number] } | undefined;
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

/** The cluster an environment of a repository is deployed to; undefined when the config does not serve it. */
export function clusterFor(config: GradualConfig, repository: string, environment: string): { name: string; cluster: ClusterConfig } | undefined {
  for (const rule of config.repositories) {
    if (!picomatch.isMatch(repository, rule.match, { nocase: true })) continue;
    const name = rule.environments[environment] ?? rule.environments['*'];
    const cluster = name === undefined ? undefined : config.clusters[name];
    if (name !== undefined && cluster !== undefined) return { name, cluster };
  }
  return undefined;
}

/** Whether the bot serves a repository at all. */
export function servesRepository(config: GradualConfig, repository: string): boolean {
  return config.repositories.some((rule) => picomatch.isMatch(repository, rule.match, { nocase: true }));
}
