import type { EnvironmentPolicy } from './types.js';

/*
 * Where an environment's manifests may go and what they may be: its
 * namespaces and its kind allowlist (issue 19, "confinement by policy").
 * Kept in one file so the policy's other fields stay apart from it.
 */

/** The namespace of an environment that names none: manifests are confined to it, and its lock lives there. */
export const fallbackNamespace = 'default';

/**
 * The kinds an application repository needs, all namespaced, as `Kind` (the
 * core group) or `Kind.group` (Kubernetes' own spelling, `Deployment.apps`):
 * Gradual's own kinds, the workloads and their companions, and the kinds of
 * the traffic routers Gradual drives (src/traffic: Istio, SMI, Gateway API,
 * NGINX through Ingress). No cluster-scoped kind, no Role or RoleBinding (a
 * pull request must not grant rights), no Namespace, CRD or webhook: an
 * operator who wants them lists them in policies/default.yml.
 */
export const applicationKinds: readonly string[] = [
  'Rollout.argoproj.io',
  'AnalysisTemplate.argoproj.io',
  'Service',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Deployment.apps',
  'HorizontalPodAutoscaler.autoscaling',
  'PodDisruptionBudget.policy',
  'Ingress.networking.k8s.io',
  'VirtualService.networking.istio.io',
  'DestinationRule.networking.istio.io',
  'TrafficSplit.split.smi-spec.io',
  'HTTPRoute.gateway.networking.k8s.io',
  'TraefikService.traefik.containo.us',
  'ApisixRoute.apisix.apache.org',
  'Mapping.getambassador.io',
  'VirtualService.appmesh.k8s.aws',
  'VirtualRouter.appmesh.k8s.aws',
  'VirtualNode.appmesh.k8s.aws',
];

/** `Kind` or `Kind.group`: a kind as an allowlist names it. */
export const kindNamePattern = /^[A-Z][A-Za-z0-9]*(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/u;

/** How an allowlist names an object's kind: `Service` for the core group, `Deployment.apps` otherwise (the version does not matter). */
export function kindName(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${kind}.${apiVersion.slice(0, slash)}`;
}

/** The namespaces an environment's manifests may be in, the first given to manifests that name none. Never empty. */
export function environmentNamespaces(environment: Pick<EnvironmentPolicy, 'namespace' | 'namespaces'>): string[] {
  if (environment.namespaces.length > 0) return [...environment.namespaces];
  return [environment.namespace ?? fallbackNamespace];
}
