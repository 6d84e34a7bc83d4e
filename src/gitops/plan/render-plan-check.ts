import { describeRef, type ManifestError } from '../manifests/index.js';
import type { CheckAnnotation, CheckRunOutput } from '../types.js';
import { hiddenValues } from './hide-secret-values.js';
import { cell, code, joinWithinLimit } from './markdown.js';
import type { FieldChange, Plan, PlannedObject } from './types.js';

export const planCheckName = 'gradual/plan';

/** Longer scalar values are shortened in the table; the field path still says what changes. */
const maxValueLength = 120;

/**
 * The `gradual/plan` check run for a head commit: a table of every object
 * (created, changed with the fields and their old → new values, unchanged);
 * `failure` with one annotation per error at its file:line when the
 * manifests have errors (nothing will be applied), `neutral` when nothing
 * would change, `success` otherwise. All annotations are returned: the shell
 * sends them in batches (annotationBatches). Pure.
 */
export function renderPlanCheck(plan: Plan): CheckRunOutput {
  const counts = { created: 0, changed: 0, unchanged: 0, deleted: 0 };
  for (const object of plan.objects) counts[object.change] += 1;
  const against =
    plan.baseline === undefined
      ? ''
      : `, compared with ${code(plan.baseline)}'s manifests (a pull request from a fork does not read the cluster)`;
  const where = `**${cell(plan.environment)}** (namespace ${code(plan.namespace)}) at ${code(plan.headSha.slice(0, 7))}${against}`;
  const tally = `${String(counts.created)} to create, ${String(counts.changed)} to change, ${counts.deleted === 0 ? '' : `${String(counts.deleted)} to delete, `}${String(counts.unchanged)} unchanged`;
  const lines: string[] = [];
  let title: string;
  let conclusion: CheckRunOutput['conclusion'];
  if (plan.errors.length > 0) {
    const errors = plural(plan.errors.length, 'error');
    title = `${errors} in the manifests`;
    conclusion = 'failure';
    lines.push(
      `Plan for ${where}: ${errors} in the manifests, so nothing will be applied. Fix them and push again.`,
      '',
      ...errorTable(plan.errors),
    );
    if (plan.objects.length > 0) lines.push('', `The valid objects (${tally}):`, '', ...objectTable(plan.objects));
  } else if (counts.created + counts.changed + counts.deleted === 0) {
    title = plan.objects.length === 0 ? 'No objects in the manifests' : 'No changes';
    conclusion = 'neutral';
    lines.push(
      `Plan for ${where}: ${plan.objects.length === 0 ? 'the manifest paths hold no objects' : `nothing to change (${plural(counts.unchanged, 'object')} as in the cluster)`}.`,
    );
    if (plan.objects.length > 0) lines.push('', ...objectTable(plan.objects));
  } else {
    title = tally;
    conclusion = 'success';
    lines.push(`Plan for ${where}: ${tally}.`, '', ...objectTable(plan.objects));
  }
  return {
    name: planCheckName,
    status: 'completed',
    conclusion,
    title,
    summary: joinWithinLimit(lines),
    ...(plan.errors.length === 0 ? {} : { annotations: plan.errors.map(annotationOf) }),
  };
}

function objectTable(objects: readonly PlannedObject[]): string[] {
  // Changes first, so a cut table loses the unchanged rows.
  const order = { created: 1, changed: 0, deleted: 2, unchanged: 3 } as const;
  const sorted = [...objects].sort((a, b) => order[a.change] - order[b.change]);
  return [
    '| object | file | change | fields |',
    '| --- | --- | --- | --- |',
    ...sorted.map(
      (object) =>
        `| ${cell(describeRef(object.ref))} | ${code(`${object.file}:${String(object.line)}`)} | ${object.change === 'deleted' ? 'deleted (no manifest names it any more)' : object.change} | ${object.changes.map(describeChange).join('<br>')} |`,
    ),
  ];
}

function errorTable(errors: readonly ManifestError[]): string[] {
  return [
    '| file | field | error |',
    '| --- | --- | --- |',
    ...errors.map(
      (error) =>
        `| ${code(`${error.file}:${String(error.line)}:${String(error.column)}`)} | ${error.path === undefined ? '' : code(error.path)} | ${cell(error.message)} |`,
    ),
  ];
}

/** `spec…image`: `nginx:1.25` → `nginx:1.26` for a scalar; the path alone for a map or list. */
function describeChange(change: FieldChange): string {
  const path = code(change.path);
  if (change.hidden === true) return `${path}: ${hiddenValues}`;
  if (!isScalar(change.to) || (change.from !== undefined && !isScalar(change.from))) return path;
  const to = code(shorten(String(change.to)));
  return change.from === undefined ? `${path}: (unset) → ${to}` : `${path}: ${code(shorten(String(change.from)))} → ${to}`;
}

function annotationOf(error: ManifestError): CheckAnnotation {
  return {
    path: error.file,
    start_line: error.line,
    end_line: error.line,
    start_column: error.column,
    end_column: error.column,
    annotation_level: 'failure',
    message: error.message,
    ...(error.path === undefined ? {} : { title: error.path }),
  };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function shorten(text: string): string {
  return text.length <= maxValueLength ? text : `${text.slice(0, maxValueLength - 1)}…`;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
