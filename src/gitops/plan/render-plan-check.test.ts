import { describe, expect, it } from 'vitest';
import type { ManifestError } from '../manifests/index.js';
import { annotationBatches } from './annotation-batches.js';
import { checkOutputLimit } from './markdown.js';
import { renderPlanCheck } from './render-plan-check.js';
import type { PlannedObject } from './types.js';

const headSha = '0123456789abcdef0123456789abcdef01234567';
const base = { headSha, environment: 'production', namespace: 'prod' };

const rollout: PlannedObject = {
  ref: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', namespace: 'prod', name: 'web' },
  file: 'apps/web/rollout.yaml',
  line: 1,
  change: 'changed',
  changes: [
    { path: 'spec.template.spec.containers[name=web].image', from: 'nginx:1.25', to: 'nginx:1.26' },
    { path: 'metadata.labels["team"]', to: 'payments' },
    { path: 'spec.template.spec.containers[name=web].env[name=A]', to: { name: 'A', value: 'x|y' } },
  ],
};
const service: PlannedObject = {
  ref: { apiVersion: 'v1', kind: 'Service', namespace: 'prod', name: 'web' },
  file: 'apps/web/service.yaml',
  line: 3,
  change: 'unchanged',
  changes: [],
};
const template: PlannedObject = {
  ref: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterAnalysisTemplate', name: 'success-rate' },
  file: 'shared/analysis.yaml',
  line: 1,
  change: 'created',
  changes: [],
};

describe('renderPlanCheck', () => {
  it('lists an object no manifest names any more as deleted, counted as a change', () => {
    const removed: PlannedObject = {
      ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'extra' },
      file: 'apps/web/extra.yaml',
      line: 1,
      change: 'deleted',
      changes: [],
    };
    const output = renderPlanCheck({ ...base, objects: [service, removed], errors: [] });
    expect([output.conclusion, output.title]).toEqual(['success', '0 to create, 0 to change, 1 to delete, 1 unchanged']);
    expect(output.summary).toContain(
      '| ConfigMap prod/extra | `apps/web/extra.yaml:1` | deleted (no manifest names it any more) |  |\n| Service prod/web |',
    );
  });

  it('tables what changes, with from → to for the image, and succeeds', () => {
    const output = renderPlanCheck({ ...base, objects: [service, template, rollout], errors: [] });
    expect({ ...output, summary: undefined }).toEqual({
      name: 'gradual/plan',
      status: 'completed',
      conclusion: 'success',
      title: '1 to create, 1 to change, 1 unchanged',
      summary: undefined,
    });
    expect(output.summary).toMatchInlineSnapshot(`
      "Plan for **production** (namespace \`prod\`) at \`0123456\`: 1 to create, 1 to change, 1 unchanged.

      | object | file | change | fields |
      | --- | --- | --- | --- |
      | Rollout prod/web | \`apps/web/rollout.yaml:1\` | changed | \`spec.template.spec.containers[name=web].image\`: \`nginx:1.25\` → \`nginx:1.26\`<br>\`metadata.labels["team"]\`: (unset) → \`payments\`<br>\`spec.template.spec.containers[name=web].env[name=A]\` |
      | ClusterAnalysisTemplate success-rate | \`shared/analysis.yaml:1\` | created |  |
      | Service prod/web | \`apps/web/service.yaml:3\` | unchanged |  |"
    `);
    expect(output.annotations).toBeUndefined();
  });

  it('is neutral when nothing changes', () => {
    const output = renderPlanCheck({ ...base, objects: [service], errors: [] });
    expect([output.conclusion, output.title]).toEqual(['neutral', 'No changes']);
    expect(output.summary).toMatchInlineSnapshot(`
      "Plan for **production** (namespace \`prod\`) at \`0123456\`: nothing to change (1 object as in the cluster).

      | object | file | change | fields |
      | --- | --- | --- | --- |
      | Service prod/web | \`apps/web/service.yaml:3\` | unchanged |  |"
    `);
  });

  it('fails with every error as an annotation at its file:line, batched by 50 for the shell', () => {
    const errors: ManifestError[] = [
      {
        file: 'apps/web/rollout.yaml',
        line: 17,
        column: 5,
        path: 'spec.strategy.canaryy',
        message: 'unknown field "canaryy" (did you mean "canary"?)',
      },
      { file: 'apps/web/broken.yaml', line: 4, column: 9, message: 'YAML: Unexpected flow-seq-end | token' },
    ];
    const output = renderPlanCheck({ ...base, objects: [service], errors });
    expect([output.conclusion, output.title]).toEqual(['failure', '2 errors in the manifests']);
    expect(output.summary).toMatchInlineSnapshot(`
      "Plan for **production** (namespace \`prod\`) at \`0123456\`: 2 errors in the manifests, so nothing will be applied. Fix them and push again.

      | file | field | error |
      | --- | --- | --- |
      | \`apps/web/rollout.yaml:17:5\` | \`spec.strategy.canaryy\` | unknown field "canaryy" (did you mean "canary"?) |
      | \`apps/web/broken.yaml:4:9\` |  | YAML: Unexpected flow-seq-end \\| token |

      The valid objects (0 to create, 0 to change, 1 unchanged):

      | object | file | change | fields |
      | --- | --- | --- | --- |
      | Service prod/web | \`apps/web/service.yaml:3\` | unchanged |  |"
    `);
    expect(output.annotations).toEqual([
      {
        path: 'apps/web/rollout.yaml',
        start_line: 17,
        end_line: 17,
        start_column: 5,
        end_column: 5,
        annotation_level: 'failure',
        title: 'spec.strategy.canaryy',
        message: 'unknown field "canaryy" (did you mean "canary"?)',
      },
      {
        path: 'apps/web/broken.yaml',
        start_line: 4,
        end_line: 4,
        start_column: 9,
        end_column: 9,
        annotation_level: 'failure',
        message: 'YAML: Unexpected flow-seq-end | token',
      },
    ]);
  });

  it('returns all of 120 annotations, which the shell sends as 50 + 50 + 20', () => {
    const errors = Array.from({ length: 120 }, (_, index): ManifestError => ({
      file: 'a.yaml',
      line: index + 1,
      column: 1,
      message: `problem ${String(index)}`,
    }));
    const output = renderPlanCheck({ ...base, objects: [], errors });
    expect(output.annotations).toHaveLength(120);
    const batches = annotationBatches(output.annotations ?? [], 50);
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(output.annotations);
    expect(() => annotationBatches([], 0)).toThrow(RangeError);
  });

  it('cuts a huge plan to 65,535 characters at a row, with a note saying how much is left out', () => {
    const objects = Array.from({ length: 1500 }, (_, index): PlannedObject => ({
      ...rollout,
      ref: { ...rollout.ref, name: `web-${String(index)}` },
    }));
    const output = renderPlanCheck({ ...base, objects, errors: [] });
    expect(output.summary.length).toBeLessThanOrEqual(checkOutputLimit);
    const lines = output.summary.split('\n');
    expect(lines.at(-1)).toMatch(/^_Cut to GitHub's limit of 65,535 characters: [\d,]+ more lines not shown\._$/);
    expect(lines.at(-3)).toMatch(/^\| Rollout prod\/web-\d+ \| .* \|$/);
    const shown = lines.filter((line) => line.startsWith('| Rollout')).length;
    expect(Number(/: ([\d,]+) more/.exec(lines.at(-1) ?? '')?.[1]?.replace(/,/g, ''))).toBe(1500 - shown);
  });
});
