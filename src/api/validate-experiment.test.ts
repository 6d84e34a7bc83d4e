import { describe, expect, it } from 'vitest';
import { lintManifests } from './lint.js';
import { validateExperiment } from './validate-experiment.js';

const template = (extra: Record<string, unknown> = {}) => ({
  name: 'baseline',
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  ...extra,
});
const experiment = (spec: Record<string, unknown>) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Experiment',
  metadata: { name: 'ex' },
  spec,
});

describe('validateExperiment', () => {
  it.each([
    ['a valid experiment', { templates: [template()], duration: '30s' }, []],
    [
      'a template without selector (Argo)',
      { templates: [template({ selector: undefined })] },
      ["Rollout has missing field '.Spec.Templates[0].Selector'"],
    ],
    [
      'an empty selector (Argo)',
      { templates: [template({ selector: {} })] },
      ['This experiment is selecting all pods at index 0. A non-empty selector is required.'],
    ],
    [
      'a repeated template name (Argo)',
      { templates: [template(), template()] },
      ["Experiment ex has repeated template name 'baseline' in templates"],
    ],
    [
      'minReadySeconds over the deadline (Argo)',
      { progressDeadlineSeconds: 10, templates: [template({ minReadySeconds: 11 })] },
      ['MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index 0'],
    ],
    ['a bad duration', { templates: [template()], duration: 'soon' }, ['not a duration: "soon" (for example 30s, 5m, 1h)']],
    [
      'labels that do not match the selector',
      { templates: [template({ selector: { matchLabels: { app: 'other' } } })] },
      ['do not match the selector, which needs app=other'],
    ],
    ['an unknown field in a template (a typo)', { templates: [template({ replicaz: 2 })] }, ['unknown field "replicaz"']],
  ])('%s', (_name, spec, messages) => {
    const result = validateExperiment(experiment(spec));
    const found = result.ok ? [] : result.issues.map((issue) => issue.message);
    expect(found).toHaveLength(messages.length);
    messages.forEach((message, index) => {
      expect(found[index]).toContain(message);
    });
  });

  it('a hostile pod template in a pull request is a lint problem at its line, as in a Rollout', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Experiment',
      'metadata: {name: ex}',
      'spec:',
      '  templates:',
      '  - name: evil',
      '    selector: {matchLabels: {app: web}}',
      '    template:',
      '      metadata: {labels: {app: web}}',
      '      spec:',
      '        containers: [{name: c, image: x}]',
      '        affinity: {podAntiAffinity: 7}',
    ].join('\n');
    const { problems: schemaProblems } = lintManifests([{ path: 'ex.yaml', text: `${text}\n    extra: {hostPID: true}` }]);
    expect(schemaProblems.map((problem) => `${String(problem.line)} ${problem.path}`)).toEqual(['13 spec.templates[0].extra']);
    const { problems } = lintManifests([{ path: 'ex.yaml', text }]);
    expect(problems.map((problem) => `${String(problem.line)} ${problem.path}`)).toEqual([
      '12 spec.templates[0].template.spec.affinity.podAntiAffinity',
    ]);
  });
});
