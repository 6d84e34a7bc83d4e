import { describe, expect, it } from 'vitest';
import { confineManifests } from './confine-manifests.js';
import { parseManifests } from './parse-manifests.js';
import type { ObjectRef } from './types.js';

const namespace = 'prod';

// Lines are numbered in the comments so the positions asserted below can be read off the fixture.
const rolloutWithUnknownField = [
  'apiVersion: v1', //                         1
  'kind: Service', //                          2
  'metadata:', //                              3
  '  name: web', //                            4
  'spec:', //                                  5
  '  ports:', //                               6
  '    - port: 80', //                         7
  '---', //                                    8
  'apiVersion: argoproj.io/v1alpha1', //       9
  'kind: Rollout', //                          10
  'metadata:', //                              11
  '  name: web', //                            12
  'spec:', //                                  13
  '  selector:', //                            14
  '    matchLabels: { app: web }', //          15
  '  strategy:', //                            16
  '    canaryy: {}', //                        17
  '  template:', //                            18
  '    metadata: { labels: { app: web } }', // 19
  '    spec:', //                              20
  '      containers:', //                      21
  '        - name: web', //                    22
  '          image: nginx:1.25', //            23
  '',
].join('\n');

const validRollout = (name: string, image = 'nginx:1.25'): string =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector: { matchLabels: { app: web } }',
    '  strategy:',
    '    canary:',
    '      steps: [{ setWeight: 20 }, { pause: {} }]',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec:',
    '      containers:',
    `        - { name: web, image: "${image}" }`,
    '',
  ].join('\n');

describe('parseManifests', () => {
  it('places an unknown Rollout field at its own line in a multi-document file, and keeps the valid documents', () => {
    const { objects, errors } = parseManifests([{ path: 'apps/web.yaml', text: rolloutWithUnknownField }], { namespace });
    expect(errors).toEqual([
      {
        file: 'apps/web.yaml',
        line: 17,
        column: 5,
        path: 'spec.strategy.canaryy',
        message: 'unknown field "canaryy" (did you mean "canary"?)',
      },
    ]);
    expect(objects.map((object) => [object.ref, object.line])).toEqual([
      [{ apiVersion: 'v1', kind: 'Service', namespace: 'prod', name: 'web' }, 1],
    ]);
  });

  it('gives a YAML syntax error its line and column and goes on with the next document', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: a',
      'data:',
      '  key: [unclosed',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: b }',
      '',
    ].join('\n');
    const { objects, errors } = parseManifests([{ path: 'c.yaml', text }], { namespace });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'c.yaml', line: 7, message: expect.stringMatching(/^YAML: /) as unknown });
    expect(objects.map((object) => object.ref.name)).toEqual(['b']);
  });

  it('refuses the same object twice, across files, at the second one', () => {
    const { objects, errors } = parseManifests(
      [
        { path: 'a.yaml', text: validRollout('web') },
        { path: 'b.yaml', text: `# the same Rollout again\n${validRollout('web', 'nginx:1.26')}` },
        { path: 'c.yaml', text: validRollout('api') },
      ],
      { namespace },
    );
    expect(errors).toEqual([
      { file: 'b.yaml', line: 2, column: 1, message: 'duplicate object Rollout prod/web: also defined at a.yaml:1' },
    ]);
    expect(objects.map((object) => object.ref.name)).toEqual(['web', 'api']);
  });

  it('treats a namespace written out and the one filled in as the same object', () => {
    const explicit = validRollout('web').replace('  name: web', '  name: web\n  namespace: prod');
    const { errors } = parseManifests(
      [
        { path: 'a.yaml', text: explicit },
        { path: 'b.yaml', text: validRollout('web') },
      ],
      { namespace },
    );
    expect(errors.map((error) => error.message)).toEqual(['duplicate object Rollout prod/web: also defined at a.yaml:1']);
  });

  it.each([
    [
      'a Deployment',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: { anything: goes }\n',
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'd' },
    ],
    [
      'a ConfigMap in its own namespace',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: other }\n',
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'other', name: 'c' },
    ],
    [
      'a cluster-scoped ClusterRole',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: r }\n',
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'r' },
    ],
    [
      'a custom resource of another group',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\nspec: { size: 3 }\n',
      { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'prod', name: 'w' },
    ],
  ] as [string, string, ObjectRef][])('applies %s as written, with the namespace filled in when namespaced', (_, text, ref) => {
    const { objects, errors } = parseManifests([{ path: 'x.yaml', text }], { namespace });
    expect(errors).toEqual([]);
    expect(objects[0]?.ref).toEqual(ref);
    expect(objects[0]?.object.metadata?.namespace).toBe(ref.namespace);
  });

  it.each([
    [
      'no apiVersion',
      'kind: ConfigMap\nmetadata: { name: c }\n',
      {
        line: 1,
        column: 1,
        path: 'apiVersion',
        message: 'missing field "apiVersion": every Kubernetes object needs apiVersion, kind and metadata.name',
      },
    ],
    [
      'no metadata.name',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: { a: b }\n',
      {
        line: 1,
        column: 1,
        path: 'metadata.name',
        message: 'missing field "metadata.name": every Kubernetes object needs apiVersion, kind and metadata.name',
      },
    ],
    [
      'a kind that is a number',
      'apiVersion: v1\nkind: 3\nmetadata: { name: c }\n',
      { line: 2, column: 7, path: 'kind', message: 'expected a non-empty string, got the number 3' },
    ],
    [
      'a list instead of an object',
      '- a\n- b\n',
      { line: 1, column: 1, message: 'expected a Kubernetes object (a map with apiVersion, kind and metadata.name), got a list' },
    ],
  ])('reports %s at its place', (_, text, error) => {
    const { objects, errors } = parseManifests([{ path: 'x.yaml', text }], { namespace });
    expect(objects).toEqual([]);
    expect(errors).toEqual([{ file: 'x.yaml', ...error }]);
  });

  // The name is the last segment of the object's URL: `..` made the plan's live read GET the namespace itself
  // (/api/v1/namespaces/prod/configmaps/.. is /api/v1/namespaces/prod once the client normalises it) and diff a
  // ConfigMap against it; `.` made it LIST every object of the kind (every Secret of the namespace) into the bot.
  // The API server refuses these names too (apimachinery's IsValidPathSegmentName), but only on the apply, after the plan's read.
  it.each([['..'], ['.'], ['../secrets/db-credentials'], ['a/b'], ['%2e%2e']])(
    'refuses the name %j at metadata.name, before anything reads the cluster',
    (name) => {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${JSON.stringify(name)}\n`;
      const { objects, errors } = parseManifests([{ path: 'x.yaml', text }], { namespace });
      expect(objects).toEqual([]);
      expect(errors).toEqual([
        {
          file: 'x.yaml',
          line: 4,
          column: 9,
          path: 'metadata.name',
          message: expect.stringContaining(`name ${JSON.stringify(name)} cannot be a Kubernetes object's name`) as string,
        },
      ]);
    },
  );

  it('checks AnalysisTemplates with their schema, unknown fields at their line', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: AnalysisTemplate',
      'metadata: { name: success-rate }',
      'spec:',
      '  metrics:',
      '    - name: rate',
      '      intervall: 5s',
      '      provider: { web: { url: "http://x" } }',
      '',
    ].join('\n');
    const { objects, errors } = parseManifests([{ path: 't.yaml', text }], { namespace });
    expect(objects).toEqual([]);
    expect(errors).toEqual([
      {
        file: 't.yaml',
        line: 7,
        column: 7,
        path: 'spec.metrics[0].intervall',
        message: 'unknown field "intervall" (did you mean "interval"?)',
      },
    ]);
  });

  it("holds an Experiment's pod templates from a pull request to a Rollout's rules, each problem at its line, and applies none of it", () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Experiment',
      'metadata: { name: ex }',
      'spec:',
      '  templates:',
      '    - name: evil',
      '      selector: { matchLabels: { app: web } }',
      '      template:',
      '        metadata: { labels: { app: other } }',
      '        spec: { containers: [] }',
      '',
    ].join('\n');
    const { objects, errors } = parseManifests([{ path: 'ex.yaml', text }], { namespace });
    expect(objects).toEqual([]);
    expect(errors.map((error) => `${String(error.line)} ${error.path}: ${error.message}`)).toEqual([
      '9 spec.templates[0].template.metadata.labels: do not match the selector, which needs app=web',
      '10 spec.templates[0].template.spec.containers: missing containers: the pod template needs at least one',
    ]);
  });

  it('keeps a ClusterAnalysisTemplate cluster-scoped and a valid Rollout with its positions', () => {
    const template =
      'apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: { name: shared }\nspec:\n  metrics: [{ name: m, provider: { web: { url: "http://x" } } }]\n';
    const { objects, errors } = parseManifests(
      [
        { path: 't.yaml', text: template },
        { path: 'r.yaml', text: `---\n${validRollout('web')}` },
      ],
      { namespace },
    );
    expect(errors).toEqual([]);
    expect(objects.map((object) => object.ref)).toEqual([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterAnalysisTemplate', name: 'shared' },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'prod', name: 'web' },
    ]);
    const rollout = objects[1];
    expect([rollout?.line, rollout?.column]).toEqual([2, 1]);
    expect(rollout?.locate(['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({ line: 15, column: 31 });
  });

  it('skips empty documents and drops null fields as the API server would', () => {
    const text = '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n---\n';
    const { objects, errors } = parseManifests([{ path: 'x.yaml', text }], { namespace });
    expect(errors).toEqual([]);
    expect(objects.map((object) => object.object)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
    ]);
  });

  it('keeps a namespace written out as written, for confineManifests to refuse outside the environment (the namespace no longer wins)', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: other }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: d }\n';
    const { objects, errors } = parseManifests([{ path: 'x.yaml', text }], { namespace });
    expect(errors).toEqual([]);
    expect(objects.map((object) => object.ref.namespace)).toEqual(['other', 'prod']);
    const refused = confineManifests(objects, { name: 'production', namespace, namespaces: [namespace], kinds: ['ConfigMap'] });
    expect(refused.map((error) => [error.file, error.line, error.path])).toEqual([['x.yaml', 3, 'metadata.namespace']]);
  });

  it('reports an alias that makes a cycle, or nests too deep once followed, at its document (found by the manifests fuzzer: it overflowed the stack)', () => {
    const cycle = 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  self: *m\n';
    const deepAnchor = `x: &d ${'['.repeat(150)}${']'.repeat(150)}\n`;
    const tooDeep = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: y }\n${deepAnchor}z: ${'['.repeat(100)}*d${']'.repeat(100)}\n`;
    const shallow = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: w }\n${deepAnchor}z: [*d, *d]\n`;
    const { objects, errors } = parseManifests(
      [
        { path: 'cycle.yaml', text: cycle },
        { path: 'deep.yaml', text: tooDeep },
        { path: 'shallow.yaml', text: shallow },
      ],
      { namespace },
    );
    expect(errors).toEqual([
      { file: 'cycle.yaml', line: 1, column: 1, message: 'YAML: an alias refers to a node that contains it (a cycle)' },
      { file: 'deep.yaml', line: 1, column: 1, message: 'YAML: nested deeper than 200 levels once aliases are followed' },
    ]);
    expect(objects.map((object) => object.ref.name)).toEqual(['w']);
  });
});
