import { LineCounter, type Document } from 'yaml';
import { formatPath } from '../../api/index.js';
import { describeValue, documentPosition, offsetToPosition, parseYamlDocuments, positionOf, withoutNulls } from '../../api/index.js';
import type { KubeObject } from '../../kube/index.js';
import { clusterScopedKinds } from './cluster-scoped-kinds.js';
import type { ManifestError, ManifestFileText, ManifestObject, ObjectRef, ParsedManifests, ParseManifestsOptions } from './types.js';
import { validateArgoObject } from './validate-argo-object.js';

/**
 * Every YAML document of every file, as objects to apply and errors at their
 * file:line:column. Rollouts, AnalysisTemplates and ClusterAnalysisTemplates
 * are checked with the engine's schemas (an unknown field is an error at its
 * own line); every object needs apiVersion, kind and metadata.name; the same
 * object (group, kind, namespace, name) twice is an error at the second.
 * A document with an error is left out of `objects`: with any error, nothing
 * should be applied. Pure.
 */
export function parseManifests(files: readonly ManifestFileText[], options: ParseManifestsOptions): ParsedManifests {
  const objects: ManifestObject[] = [];
  const errors: ManifestError[] = [];
  const seen = new Map<string, ManifestObject>();
  for (const file of files) {
    const fileErrors: ManifestError[] = [];
    const lineCounter = new LineCounter();
    // Linear in the file (yaml's own duplicate-key check is quadratic); the caller bounds the size (readBoundedManifests).
    for (const document of parseYamlDocuments(file.text, lineCounter)) {
      if (document.errors.length > 0) {
        for (const error of document.errors)
          fileErrors.push({ file: file.path, ...offsetToPosition(error.pos[0], lineCounter), message: `YAML: ${error.message}` });
        continue;
      }
      const parsed = parseDocument(file.path, document, lineCounter, options, fileErrors);
      if (parsed === undefined) continue;
      const key = identityKey(parsed.ref);
      const first = seen.get(key);
      if (first !== undefined) {
        fileErrors.push({
          file: file.path,
          line: parsed.line,
          column: parsed.column,
          message: `duplicate object ${describeRef(parsed.ref)}: also defined at ${first.file}:${String(first.line)}`,
        });
        continue;
      }
      seen.set(key, parsed);
      objects.push(parsed);
    }
    errors.push(...fileErrors.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return { objects, errors };
}

/** Schema problems reported per document, enough to fix it in a few rounds. */
const MAX_ISSUES_PER_DOCUMENT = 100;

/** `Rollout prod/web`, `ClusterRole reader`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

function parseDocument(
  file: string,
  document: Document,
  lineCounter: LineCounter,
  options: ParseManifestsOptions,
  errors: ManifestError[],
): ManifestObject | undefined {
  const start = documentPosition(document, lineCounter);
  const fail = (at: { line: number; column: number }, message: string, path?: string): void => {
    errors.push({ file, line: at.line, column: at.column, message, ...(path === undefined || path === '' ? {} : { path }) });
  };
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    // Only an alias bomb gets here: the syntax was checked already.
    fail(start, `YAML: ${cause instanceof Error ? cause.message : String(cause)}`);
    return undefined;
  }
  if (value === null || value === undefined) return undefined; // an empty document, such as after a trailing ---
  if (typeof value !== 'object' || Array.isArray(value)) {
    fail(start, `expected a Kubernetes object (a map with apiVersion, kind and metadata.name), got ${describeValue(value)}`);
    return undefined;
  }
  const plain = withoutNulls(value);
  if (!plain.ok) {
    fail(start, plain.message);
    return undefined;
  }
  const object = plain.value as Record<string, unknown>;
  const before = errors.length;
  const apiVersion = requiredString(object['apiVersion'], ['apiVersion']);
  const kind = requiredString(object['kind'], ['kind']);
  const metadata = object['metadata'];
  const name = requiredString(
    typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
      ? (metadata as Record<string, unknown>)['name']
      : undefined,
    ['metadata', 'name'],
  );
  const namespace = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['namespace'] : undefined;
  if (namespace !== undefined && typeof namespace !== 'string')
    fail(
      positionOf(document, ['metadata', 'namespace'], lineCounter),
      `expected a string, got ${describeValue(namespace)}`,
      'metadata.namespace',
    );
  const pathProblem = name === undefined ? undefined : pathSegmentProblem(name);
  if (pathProblem !== undefined)
    fail(
      positionOf(document, ['metadata', 'name'], lineCounter),
      `name ${JSON.stringify(name)} cannot be a Kubernetes object's name: ${pathProblem}`,
      'metadata.name',
    );
  // Placing an issue walks the maps on its path: a hostile object with 100,000 unknown fields would take minutes placing them all.
  for (const issue of (validateArgoObject(object) ?? []).slice(0, MAX_ISSUES_PER_DOCUMENT))
    fail(positionOf(document, issue.path, lineCounter, issue.at), issue.message, formatPath(issue.path));
  if (errors.length > before || apiVersion === undefined || kind === undefined || name === undefined) return undefined;

  const clusterScoped = clusterScopedKinds.has(kind);
  const ownNamespace = typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
  const filled = clusterScoped ? undefined : (ownNamespace ?? options.namespace);
  const applied: KubeObject =
    filled === ownNamespace ? object : { ...object, metadata: { ...(metadata as Record<string, unknown>), namespace: filled } };
  return {
    ref: { apiVersion, kind, name, ...(filled === undefined ? {} : { namespace: filled }) },
    object: applied,
    file,
    line: start.line,
    column: start.column,
    locate: (path) => positionOf(document, path, lineCounter),
  };

  function requiredString(field: unknown, path: readonly string[]): string | undefined {
    if (typeof field === 'string' && field !== '') return field;
    const at = field === undefined ? start : positionOf(document, path, lineCounter);
    const dotted = path.join('.');
    fail(
      at,
      field === undefined
        ? `missing field "${dotted}": every Kubernetes object needs apiVersion, kind and metadata.name`
        : `expected a non-empty string, got ${describeValue(field)}`,
      dotted,
    );
    return undefined;
  }
}

/**
 * Why a name cannot be the last segment of its object's URL, as the API server's own rule says
 * (apimachinery pkg/api/validation/path IsValidPathSegmentName: not `.` or `..`, no `/` or `%`).
 * Checked before the plan reads the cluster: `..` would read the namespace itself, `.` the whole list of the kind.
 */
function pathSegmentProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return 'it may not be "." or ".."';
  if (name.includes('/') || name.includes('%')) return 'it may not contain "/" or "%"';
  return undefined;
}

/** Objects are the same when the API server would store them as one: the group (not the version), kind, namespace and name. */
function identityKey(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return JSON.stringify([group, ref.kind, ref.namespace ?? '', ref.name]);
}
