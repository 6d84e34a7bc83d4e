import { LineCounter, type Document } from 'yaml';
import { measureYaml, parseYamlDocuments } from './bounded-yaml.js';
import { formatPath } from './format-path.js';
import { rolloutApiVersion, rolloutGroup, rolloutKind } from './rollout.js';
import type { LintProblem, LintResult } from './types.js';
import { validateRollout } from './validate-rollout.js';
import { validateExperiment } from './validate-experiment.js';
import { experimentKind } from './experiment.js';
import { describeValue } from './zod-issues.js';
import { documentPosition, offsetToPosition, positionOf } from './yaml-positions.js';
import { withoutNulls } from './without-nulls.js';
import { findUnsupportedMetricFields } from './unsupported-metric-fields.js';

export interface ManifestFile {
  /** How the file is named in problems (as given on the command line, or its path in the repository). */
  path: string;
  text: string;
}

/**
 * Lints Kubernetes manifests: every YAML document of every file is parsed;
 * each argoproj.io Rollout is checked with validateRollout (the engine's own
 * check), each Experiment with validateExperiment, and every problem placed at its file, line and column. Documents of
 * other kinds are skipped, but a document that is not a Kubernetes object at
 * all (no apiVersion or kind) is a problem. Pure: no I/O. Files run in CI on pull
 * requests, so a file over `limits` is a problem at its start, not a stall: parsing is
 * linear, and the caps bound its memory (the defaults are the bot's largest possible caps).
 */
/** A front's own check of each Rollout (notification subscriptions): issues by path, placed as the schema's are. */
export type RolloutCheck = (rollout: Record<string, unknown>) => { path: string[]; message: string }[];

export function lintManifests(
  files: readonly ManifestFile[],
  limits: { fileBytes: number; fileNodes: number } = lintLimits,
  check?: RolloutCheck,
): LintResult {
  let rollouts = 0;
  const problems: LintProblem[] = [];
  for (const file of files) {
    const lineCounter = new LineCounter();
    const fileProblems: LintProblem[] = [];
    const problem = (line: number, column: number, path: string, message: string): void => {
      fileProblems.push({ file: file.path, line, column, path, message });
    };
    const bytes = Buffer.byteLength(file.text, 'utf8');
    if (bytes > limits.fileBytes) {
      problems.push({
        file: file.path,
        line: 1,
        column: 1,
        path: '',
        message: `the file is ${String(bytes)} bytes, more than ${String(limits.fileBytes)}; it was not parsed`,
      });
      continue;
    }
    if (measureYaml(file.text, { nodes: limits.fileNodes, documents: Number.POSITIVE_INFINITY }).over !== undefined) {
      problems.push({
        file: file.path,
        line: 1,
        column: 1,
        path: '',
        message: `the file has more than ${String(limits.fileNodes)} YAML nodes; it was not parsed`,
      });
      continue;
    }
    for (const document of parseYamlDocuments(file.text, lineCounter)) {
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          const { line, column } = offsetToPosition(error.pos[0], lineCounter);
          problem(line, column, '', `YAML: ${error.message}`);
        }
        continue;
      }
      const found = lintDocument(document, lineCounter, problem, check);
      if (found) rollouts += 1;
    }
    problems.push(...fileProblems.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return { files: files.length, rollouts, problems };
}

/** The largest manifest file the bot can be allowed to read (its policy's ceilings). */
export const lintLimits = { fileBytes: 16 * 1024 * 1024, fileNodes: 1_000_000 };

type Problem = (line: number, column: number, path: string, message: string) => void;

/** Checks one well-formed YAML document; true when it is a Rollout. */
function lintDocument(document: Document, lineCounter: LineCounter, problem: Problem, check: RolloutCheck | undefined): boolean {
  const start = documentPosition(document, lineCounter);
  let object: unknown;
  try {
    object = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    // Only an alias bomb gets here: the syntax was checked already.
    problem(start.line, start.column, '', `YAML: ${cause instanceof Error ? cause.message : String(cause)}`);
    return false;
  }
  if (object === null || object === undefined) return false; // an empty document, such as after a trailing ---
  if (typeof object !== 'object' || Array.isArray(object)) {
    problem(start.line, start.column, '', `expected a Kubernetes object (a map with apiVersion and kind), got ${describeValue(object)}`);
    return false;
  }
  const { apiVersion, kind } = object as Record<string, unknown>;
  for (const [field, value] of [
    ['apiVersion', apiVersion],
    ['kind', kind],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      const at = value === undefined ? start : positionOf(document, [field], lineCounter);
      problem(
        at.line,
        at.column,
        field,
        value === undefined
          ? `missing field "${field}": every Kubernetes object needs apiVersion and kind`
          : `expected a string, got ${describeValue(value)}`,
      );
    }
  }
  if ((kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate') && apiVersion === rolloutApiVersion) {
    // A provider field Gradual refuses is named here at its line, in the plan's and the provider's words.
    for (const issue of findUnsupportedMetricFields(object)) {
      const at = positionOf(document, issue.path, lineCounter, issue.at);
      problem(at.line, at.column, formatPath(issue.path), issue.message);
    }
    return false;
  }
  if ((kind !== rolloutKind && kind !== experimentKind) || typeof apiVersion !== 'string' || !apiVersion.startsWith(`${rolloutGroup}/`))
    return false;
  if (apiVersion !== rolloutApiVersion) {
    const at = positionOf(document, ['apiVersion'], lineCounter);
    problem(at.line, at.column, 'apiVersion', `Gradual serves ${kind}s of ${rolloutApiVersion}, got "${apiVersion}"`);
    return kind === rolloutKind;
  }
  const plain = withoutNulls(object);
  if (!plain.ok) {
    problem(start.line, start.column, '', plain.message);
    return kind === rolloutKind;
  }
  // An Experiment's templates are pod templates from the same hostile source as a Rollout's: the same rules.
  const result = kind === experimentKind ? validateExperiment(plain.value) : validateRollout(plain.value);
  if (!result.ok) {
    // Placing an issue walks the maps on its path: all of 100,000 unknown fields would take minutes.
    for (const issue of result.issues.slice(0, 100)) {
      const at = positionOf(document, issue.path, lineCounter, issue.at);
      problem(at.line, at.column, formatPath(issue.path), issue.message);
    }
  }
  // The per-Rollout check (notification subscriptions) is a Rollout's only.
  if (kind === rolloutKind)
    for (const issue of check?.(plain.value as Record<string, unknown>).slice(0, 100) ?? []) {
      const at = positionOf(document, issue.path, lineCounter);
      problem(at.line, at.column, formatPath(issue.path), issue.message);
    }
  return kind === rolloutKind;
}
