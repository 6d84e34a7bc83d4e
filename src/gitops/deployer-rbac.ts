import { stringify } from 'yaml';

/**
 * What an environment's deployer identity may do, and the one right the bot holds over it. The bot
 * applies, dry-runs, reads live objects, takes the environment's lock and promotes/aborts Rollouts
 * *as* this ServiceAccount (Kubernetes impersonation, config.ts), so this Role — not the bot's
 * kubeconfig, nor any rule a pull request can reach — is where a deploy stops: anything it does not
 * list is refused by the API server with 403, in this namespace and everywhere else.
 *
 * deploy/environment/deployer.yaml is this rendered for the namespace `my-app` (a unit test keeps
 * them equal): an operator copies it per environment and changes the namespace.
 */
export const deployerName = 'gradual-deployer';
/** The bot's own ServiceAccount as deploy/ installs it. */
export const botServiceAccount = { namespace: 'gradual-system', name: 'gradual-bot' } as const;

const allVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** The namespaced kinds an application repository deploys (the issue's list), each with the reason it is here. */
export const deployerRules = [
  // Server-side apply (and its dry run) needs get + create + patch; a plan reads live objects (get); a
  // removed manifest is deleted. Secrets are here because an application deploys its own; their values are never rendered.
  { apiGroups: [''], resources: ['services', 'configmaps', 'secrets', 'serviceaccounts'], verbs: allVerbs },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: allVerbs },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: allVerbs },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: allVerbs },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: allVerbs },
  { apiGroups: ['argoproj.io'], resources: ['rollouts', 'analysistemplates'], verbs: allVerbs },
  // /promote, /abort, /retry, /pause, /resume patch the Rollout's status subresource (Argo's kubectl plugin does the same).
  { apiGroups: ['argoproj.io'], resources: ['rollouts/status'], verbs: ['get', 'patch', 'update'] },
  // The traffic routers' kinds a repository ships beside its Rollout.
  { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules'], verbs: allVerbs },
  { apiGroups: ['split.smi-spec.io'], resources: ['trafficsplits'], verbs: allVerbs },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: allVerbs },
  { apiGroups: ['traefik.containo.us'], resources: ['traefikservices'], verbs: allVerbs },
  { apiGroups: ['apisix.apache.org'], resources: ['apisixroutes'], verbs: allVerbs },
  { apiGroups: ['getambassador.io'], resources: ['mappings'], verbs: allVerbs },
  { apiGroups: ['appmesh.k8s.aws'], resources: ['virtualservices', 'virtualrouters', 'virtualnodes'], verbs: allVerbs },
  // The environment's lock (environment-lock.ts): a Lease in the namespace, read, created once, then replaced with its resourceVersion.
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  // What happened to the environment's objects, read for the reports.
  { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
];

const labels = { 'app.kubernetes.io/name': 'gradual', 'app.kubernetes.io/part-of': 'gradual', 'app.kubernetes.io/component': 'deployer' };

/** The ServiceAccount, Role and RoleBinding of one environment's deployer, and the Role letting the bot impersonate it (only it). */
export function deployerObjects(
  namespace: string,
  bot: { namespace: string; name: string } = botServiceAccount,
): Record<string, unknown>[] {
  const metadata = (name: string): Record<string, unknown> => ({ name, namespace, labels });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(deployerName) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: metadata(deployerName), rules: deployerRules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(deployerName),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: deployerName },
      subjects: [{ kind: 'ServiceAccount', name: deployerName, namespace }],
    },
    // Impersonating a ServiceAccount is checked as the verb `impersonate` on that serviceaccounts object:
    // this Role names exactly one, so the bot can act as this namespace's deployer and as nobody else.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: metadata('gradual-bot-impersonate'),
      rules: [{ apiGroups: [''], resources: ['serviceaccounts'], resourceNames: [deployerName], verbs: ['impersonate'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata('gradual-bot-impersonate'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gradual-bot-impersonate' },
      subjects: [{ kind: 'ServiceAccount', name: bot.name, namespace: bot.namespace }],
    },
  ];
}

/** The Gradual config's identity for an environment deployed as this namespace's deployer. */
export function deployerIdentity(namespace: string): { serviceAccount: string } {
  return { serviceAccount: `${namespace}/${deployerName}` };
}

/** deploy/environment/deployer.yaml's text for a namespace. */
export function deployerYaml(namespace: string): string {
  const header = [
    "# One environment's deployer: copy per environment and replace every `namespace: my-app`.",
    '# Generated from src/gitops/deployer-rbac.ts (a unit test keeps them equal); README "Security model".',
    '# The bot deploys as system:serviceaccount:<namespace>:gradual-deployer (Kubernetes impersonation), so this',
    '# Role is all a pull request can reach: no cluster-scoped kind, no Role/RoleBinding, no other namespace.',
    "# Add a kind here (and to the environment's kind allowlist in the repository policy) to let it be deployed.",
  ].join('\n');
  return `${header}\n${deployerObjects(namespace)
    .map((object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`)
    .join('')}`;
}
