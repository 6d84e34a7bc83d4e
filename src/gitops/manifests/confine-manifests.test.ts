import { describe, expect, it } from 'vitest';
import { applicationKinds } from '../../policies/index.js';
import { confineManifests } from './confine-manifests.js';
import { parseManifests } from './parse-manifests.js';

const staging = { name: 'staging', namespace: 'shop-staging', namespaces: ['shop-staging'], kinds: [...applicationKinds] };

/** The errors confinement finds in one file of the environment (after parsing, as the plan runs them). */
function confine(text: string, environment = staging): { line: number; column: number; path?: string; message: string }[] {
  const parsed = parseManifests([{ path: 'deploy/staging/x.yaml', text }], { namespace: environment.namespace });
  expect(parsed.errors).toEqual([]);
  return confineManifests(parsed.objects, environment).map(({ file, ...rest }) => {
    expect(file).toBe('deploy/staging/x.yaml');
    return rest;
  });
}

describe('confineManifests', () => {
  it.each([
    ['a namespaced object without a namespace (it gets the environment’s)', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n'],
    ['an object naming the environment’s namespace', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop-staging\n'],
    [
      'a Rollout',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: web }\nspec: { selector: { matchLabels: { app: web } }, strategy: { canary: { steps: [] } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: nginx }] } } }\n',
    ],
    [
      'a traffic router’s VirtualService',
      'apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: { name: web }\nspec: {}\n',
    ],
    ['a Deployment', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: {}\n'],
  ])('lets in %s', (_, text) => {
    expect(confine(text)).toEqual([]);
  });

  it.each([
    [
      'a manifest naming another environment’s namespace (the namespace escape), at its metadata.namespace',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop-production\n',
      {
        line: 5,
        column: 14,
        path: 'metadata.namespace',
        message:
          'ConfigMap shop-production/c: namespace "shop-production" is outside environment "staging", which may deploy only to "shop-staging"',
      },
    ],
    [
      'a ClusterRoleBinding, at its kind',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: everyone-admin }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
    [
      'a RoleBinding',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: grant }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
    ['a Role', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: r }\n', { line: 2, column: 7, path: 'kind' }],
    ['a Namespace', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: mine }\n', { line: 2, column: 7, path: 'kind' }],
    [
      'a CustomResourceDefinition',
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: widgets.example.com }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
    [
      'a webhook',
      'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: { name: w }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
    [
      'a ClusterAnalysisTemplate (cluster-scoped)',
      'apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: { name: t }\nspec: { metrics: [{ name: m, provider: { web: { url: "http://x" } } }] }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
    [
      'a kind of another group that calls itself Service',
      'apiVersion: evil.example.com/v1\nkind: Service\nmetadata: { name: s }\n',
      { line: 2, column: 7, path: 'kind' },
    ],
  ])('refuses %s', (_, text, expected) => {
    const errors = confine(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(expected);
    expect(errors[0]?.message).toMatch(/not allowed in environment "staging"|outside environment "staging"/u);
  });

  it('names the refused kind and what is allowed', () => {
    const [error] = confine('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: x }\n');
    expect(error?.message).toContain(
      'ClusterRoleBinding x: kind ClusterRoleBinding.rbac.authorization.k8s.io is not allowed in environment "staging" (allowed: Rollout.argoproj.io, ',
    );
  });

  it('lets an environment with several namespaces deploy to each, and a kind the operator listed', () => {
    const environment = {
      name: 'shop',
      namespace: 'shop-a',
      namespaces: ['shop-a', 'shop-b'],
      kinds: ['ConfigMap', 'Role.rbac.authorization.k8s.io', 'ClusterRole.rbac.authorization.k8s.io'],
    };
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b, namespace: shop-b }\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: r }\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: c }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop-c }\n';
    expect(confine(text, environment).map((error) => [error.line, error.path])).toEqual([[19, 'metadata.namespace']]);
  });

  it('confines an environment that names no namespace to `default`', () => {
    const environment = { name: 'default', namespace: undefined, namespaces: [], kinds: ['ConfigMap'] };
    const parsed = parseManifests(
      [
        {
          path: 'c.yaml',
          text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b, namespace: kube-system }\n',
        },
      ],
      { namespace: 'default' },
    );
    expect(confineManifests(parsed.objects, environment).map((error) => error.message)).toEqual([
      'ConfigMap kube-system/b: namespace "kube-system" is outside environment "default", which may deploy only to "default"',
    ]);
  });

  it('refuses everything when the allowlist is empty (the locked-down policy)', () => {
    expect(confine('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n', { ...staging, kinds: [] })[0]?.message).toContain(
      '(allowed: none)',
    );
  });
});
