import { describe, expect, it } from 'vitest';
import { lintManifests } from './lint.js';
import { unsupportedPrometheusSigv4RoleArn } from './unsupported-metric-fields.js';

/** A valid canary Rollout, line by line, so cases can replace one line and know its number. */
const valid = [
  'apiVersion: argoproj.io/v1alpha1', //  1
  'kind: Rollout', //                      2
  'metadata:', //                          3
  '  name: web', //                        4
  'spec:', //                              5
  '  replicas: 3', //                      6
  '  selector:', //                        7
  '    matchLabels:', //                   8
  '      app: web', //                     9
  '  template:', //                       10
  '    metadata:', //                     11
  '      labels:', //                     12
  '        app: web', //                  13
  '    spec:', //                         14
  '      containers:', //                 15
  '        - name: web', //               16
  '          image: web:1', //            17
  '  strategy:', //                       18
  '    canary:', //                       19
  '      steps:', //                      20
  '        - setWeight: 20', //           21
  '        - pause: {duration: 30s}', //  22
  '        - setWeight: 60', //           23
];

function edit(changes: Record<number, string | null>): string {
  return `${valid
    .flatMap((line, index) => {
      const change = changes[index + 1];
      return change === undefined ? [line] : change === null ? [] : [change];
    })
    .join('\n')}\n`;
}

function lintOne(text: string): string[] {
  return lintManifests([{ path: 'web.yaml', text }]).problems.map(
    (p) => `${p.file}:${String(p.line)}:${String(p.column)}: ${p.path}: ${p.message}`,
  );
}

describe('lintManifests', () => {
  it('finds nothing wrong with a valid Rollout', () => {
    expect(lintManifests([{ path: 'web.yaml', text: edit({}) }])).toEqual({ files: 1, rollouts: 1, problems: [] });
  });

  it.each([
    [
      'an unknown field, at its name',
      { 23: '        - setWieght: 60' },
      ['web.yaml:23:11: spec.strategy.canary.steps[2].setWieght: unknown field "setWieght" (did you mean "setWeight"?)'],
    ],
    [
      'an unknown field in a map, at its name',
      { 6: '  replicaz: 3' },
      ['web.yaml:6:3: spec.replicaz: unknown field "replicaz" (did you mean "replicas"?)'],
    ],
    [
      'an unknown step kind, at its name',
      { 22: '        - wait: {duration: 30s}' },
      ['web.yaml:22:11: spec.strategy.canary.steps[1].wait: unknown field "wait"'],
    ],
    [
      'a wrong type, at the value',
      { 6: '  replicas: three' },
      ['web.yaml:6:13: spec.replicas: expected an integer, got the string "three"'],
    ],
    [
      'a wrong type in a flow map, at the value',
      { 22: '        - pause: {duration: [30]}' },
      ['web.yaml:22:29: spec.strategy.canary.steps[1].pause.duration: expected an integer or a string, got a list'],
    ],
    [
      'a missing selector, at the spec that lacks it',
      { 7: null, 8: null, 9: null },
      ['web.yaml:5:1: spec.selector: missing field "selector": a Rollout without a workloadRef needs one'],
    ],
    [
      'an empty selector value as a missing selector, at its name',
      { 8: null, 9: null },
      ['web.yaml:7:3: spec.selector: missing field "selector": a Rollout without a workloadRef needs one'],
    ],
    [
      'a missing required field, at the map that lacks it',
      { 19: '    blueGreen:', 20: '      previewService: web-preview', 21: null, 22: null, 23: null },
      ['web.yaml:19:5: spec.strategy.blueGreen.activeService: missing field "activeService"'],
    ],
    [
      'a bad value, at the value',
      { 21: '        - setWeight: 120' },
      ['web.yaml:21:22: spec.strategy.canary.steps[0].setWeight: must be between 0 and 100 (got 120)'],
    ],
    [
      'labels that do not match the selector, at the name of the block',
      { 13: '        app: api' },
      ['web.yaml:12:7: spec.template.metadata.labels: do not match spec.selector, which needs app=web'],
    ],
    [
      'a not-yet-supported field, at its name',
      {
        21: '        - plugin: {name: x}',
        22: '        - plugin: {}',
        23: null,
      },
      [
        'web.yaml:21:11: spec.strategy.canary.steps[0].plugin: not yet supported by Gradual: plugin',
        'web.yaml:22:11: spec.strategy.canary.steps[1].plugin: not yet supported by Gradual: plugin',
      ],
    ],
    [
      'a YAML syntax error, where the parser stopped',
      { 9: '      app: [web' },
      ['web.yaml:10:3: : YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
    [
      'a duplicate key, as YAML error',
      { 8: '    matchLabels: {app: web}', 9: '    matchLabels: {app: api}' },
      ['web.yaml:9:5: : YAML: Map keys must be unique'],
    ],
  ])('reports %s', (_name, changes: Record<number, string | null>, expected) => {
    expect(lintOne(edit(changes))).toEqual(expected);
  });

  it('checks every document of a file, skipping other kinds and empty documents', () => {
    const service = ['---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {bogus: true}'];
    const second = edit({ 4: '  name: web-2', 6: '  replicas: many' }).trimEnd().split('\n');
    const text = [...valid, ...service, '---', ...second, '---', ''].join('\n');
    const result = lintManifests([{ path: 'all.yaml', text }]);
    expect(result.rollouts).toBe(2);
    // The second Rollout starts on line 30 (23 + 5 + the --- on line 29): its replicas are on line 35.
    expect(result.problems).toEqual([
      { file: 'all.yaml', line: 35, column: 13, path: 'spec.replicas', message: 'expected an integer, got the string "many"' },
    ]);
  });

  it('reports a document that is not a Kubernetes object, and carries on after a broken one', () => {
    const text = ['name: orphan', '---', 'kind: [', '---', ...edit({ 6: '  replicas: x' }).trimEnd().split('\n')].join('\n');
    expect(lintOne(text)).toEqual([
      'web.yaml:1:1: apiVersion: missing field "apiVersion": every Kubernetes object needs apiVersion and kind',
      'web.yaml:1:1: kind: missing field "kind": every Kubernetes object needs apiVersion and kind',
      'web.yaml:4:1: : YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'web.yaml:10:13: spec.replicas: expected an integer, got the string "x"',
    ]);
  });

  it('refuses another version of the Rollout API and counts files and Rollouts', () => {
    const result = lintManifests([
      { path: 'a.yaml', text: edit({ 1: 'apiVersion: argoproj.io/v1' }) },
      { path: 'b.yaml', text: '' },
      { path: 'c.yaml', text: 'apiVersion: example.com/v1\nkind: Rollout\n' },
    ]);
    expect(result.files).toBe(3);
    expect(result.rollouts).toBe(1);
    expect(result.problems).toEqual([
      {
        file: 'a.yaml',
        line: 1,
        column: 13,
        path: 'apiVersion',
        message: 'Gradual serves Rollouts of argoproj.io/v1alpha1, got "argoproj.io/v1"',
      },
    ]);
  });

  it('reports a Rollout whose alias makes a cycle at its document instead of overflowing the stack', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: r }\nspec: &s\n  replicas: 1\n  self: *s\n';
    expect(
      lintManifests([{ path: 'cycle.yaml', text }]).problems.map((p) => `${p.file}:${String(p.line)}:${String(p.column)}: ${p.message}`),
    ).toEqual(['cycle.yaml:1:1: YAML: an alias refers to a node that contains it (a cycle)']);
  });

  it('places a problem behind an alias at the alias', () => {
    const text = edit({ 6: '  replicas: &count many', 21: '        - setWeight: *count' });
    expect(lintOne(text)).toEqual([
      'web.yaml:6:20: spec.replicas: expected an integer, got the string "many"',
      'web.yaml:21:22: spec.strategy.canary.steps[0].setWeight: expected an integer, got the string "many"',
    ]);
  });
});

describe('lint: metric provider fields Gradual refuses, at their line', () => {
  const amp = (...sigv4: string[]) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: AnalysisTemplate',
      'metadata:',
      '  name: amp',
      'spec:',
      '  metrics:',
      '    - name: success',
      '      provider:',
      '        prometheus:',
      '          address: https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
      '          query: up',
      '          authentication:',
      '            sigv4:',
      ...sigv4.map((line) => `              ${line}`),
      '',
    ].join('\n');

  it("authentication.sigv4 with region and profile is accepted: Gradual signs Amazon Managed Prometheus' queries", () => {
    expect(lintManifests([{ path: 'amp.yaml', text: amp('region: eu-west-1', 'profile: metrics') }]).problems).toEqual([]);
  });

  it('authentication.sigv4.roleArn is named at its key, in the words the plan and the provider use', () => {
    const result = lintManifests([
      { path: 'amp.yaml', text: amp('region: eu-west-1', 'roleArn: arn:aws:iam::123456789012:role/amp-query') },
    ]);
    expect(result.problems).toEqual([
      {
        file: 'amp.yaml',
        line: 15,
        column: 15,
        path: 'spec.metrics[0].provider.prometheus.authentication.sigv4.roleArn',
        message: unsupportedPrometheusSigv4RoleArn,
      },
    ]);
  });
});
