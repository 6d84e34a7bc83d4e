import type { PathSegment } from './types.js';

/*
 * The pod template is not modelled (the API server validates it when the ReplicaSet is created),
 * but the planner reads one part of it itself: the pod (anti-)affinity, which it merges with the
 * term Argo injects for strategy.*.antiAffinity (src/engine/anti-affinity.ts). Gradual's CRD keeps
 * the pod spec as unknown fields, so the API server stores a term that is null, a list that is an
 * object or a misspelt podAffinityTerm as written; the planner would then throw on every
 * reconcile. These checks refuse such a template at the field, in lint and in the engine alike,
 * with the shape Kubernetes' PodSpec gives these fields (core/v1 Affinity, v1.34).
 */

type Report = (path: PathSegment[], message: string) => void;

const AFFINITY_KEYS = ['nodeAffinity', 'podAffinity', 'podAntiAffinity'] as const;
const POD_AFFINITY_KEYS = ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution'] as const;
const WEIGHTED_TERM_KEYS = ['weight', 'podAffinityTerm'] as const;
const TERM_KEYS = ['labelSelector', 'namespaceSelector', 'namespaces', 'topologyKey', 'matchLabelKeys', 'mismatchLabelKeys'] as const;
const SELECTOR_KEYS = ['matchLabels', 'matchExpressions'] as const;
const EXPRESSION_KEYS = ['key', 'operator', 'values'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** An object with only the given keys; false (reported) otherwise. A misspelt key is named with the keys allowed. */
function checkObject(value: unknown, keys: readonly string[], path: PathSegment[], report: Report): value is Record<string, unknown> {
  if (!isRecord(value)) {
    report(path, `expected an object, got ${describe(value)}`);
    return false;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) report([...path, key], `unknown field "${key}" (expected one of ${keys.join(', ')})`);
  }
  return true;
}

/** A list whose items each pass `item`; an absent or null list is no list (Kubernetes reads null as absent). */
function checkList(value: unknown, path: PathSegment[], report: Report, item: (entry: unknown, path: PathSegment[]) => void): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    report(path, `expected a list, got ${describe(value)}`);
    return;
  }
  value.forEach((entry, index) => {
    item(entry, [...path, index]);
  });
}

function checkStringList(value: unknown, path: PathSegment[], report: Report): void {
  checkList(value, path, report, (entry, at) => {
    if (typeof entry !== 'string') report(at, `expected a string, got ${describe(entry)}`);
  });
}

function checkLabelSelector(value: unknown, path: PathSegment[], report: Report): void {
  if (value === undefined || value === null) return;
  if (!checkObject(value, SELECTOR_KEYS, path, report)) return;
  const { matchLabels, matchExpressions } = value;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) report([...path, 'matchLabels'], `expected an object, got ${describe(matchLabels)}`);
    else
      for (const [key, label] of Object.entries(matchLabels))
        if (typeof label !== 'string') report([...path, 'matchLabels', key], `expected a string, got ${describe(label)}`);
  }
  checkList(matchExpressions, [...path, 'matchExpressions'], report, (expression, at) => {
    if (!checkObject(expression, EXPRESSION_KEYS, at, report)) return;
    if (typeof expression['key'] !== 'string') report([...at, 'key'], `expected a string, got ${describe(expression['key'])}`);
    if (typeof expression['operator'] !== 'string')
      report([...at, 'operator'], `expected a string, got ${describe(expression['operator'])}`);
    checkStringList(expression['values'], [...at, 'values'], report);
  });
}

function checkTerm(value: unknown, path: PathSegment[], report: Report): void {
  if (!checkObject(value, TERM_KEYS, path, report)) return;
  checkLabelSelector(value['labelSelector'], [...path, 'labelSelector'], report);
  checkLabelSelector(value['namespaceSelector'], [...path, 'namespaceSelector'], report);
  checkStringList(value['namespaces'], [...path, 'namespaces'], report);
  checkStringList(value['matchLabelKeys'], [...path, 'matchLabelKeys'], report);
  checkStringList(value['mismatchLabelKeys'], [...path, 'mismatchLabelKeys'], report);
  const topologyKey = value['topologyKey'];
  if (topologyKey !== undefined && typeof topologyKey !== 'string')
    report([...path, 'topologyKey'], `expected a string, got ${describe(topologyKey)}`);
}

function checkPodAffinity(value: unknown, path: PathSegment[], report: Report): void {
  if (value === undefined || value === null) return;
  if (!checkObject(value, POD_AFFINITY_KEYS, path, report)) return;
  checkList(
    value['requiredDuringSchedulingIgnoredDuringExecution'],
    [...path, 'requiredDuringSchedulingIgnoredDuringExecution'],
    report,
    (term, at) => {
      checkTerm(term, at, report);
    },
  );
  checkList(
    value['preferredDuringSchedulingIgnoredDuringExecution'],
    [...path, 'preferredDuringSchedulingIgnoredDuringExecution'],
    report,
    (weighted, at) => {
      if (!checkObject(weighted, WEIGHTED_TERM_KEYS, at, report)) return;
      const weight = weighted['weight'];
      if (typeof weight !== 'number' || !Number.isInteger(weight))
        report([...at, 'weight'], `expected an integer, got ${describe(weight)}`);
      if (weighted['podAffinityTerm'] === undefined)
        report([...at, 'podAffinityTerm'], 'missing field "podAffinityTerm": a weighted term needs one');
      else checkTerm(weighted['podAffinityTerm'], [...at, 'podAffinityTerm'], report);
    },
  );
}

/** spec.template.spec.affinity, where `podSpec` is the template's spec (already known to be an object). */
export function checkTemplateAffinity(podSpec: Record<string, unknown>, path: PathSegment[], report: Report): void {
  const affinity = podSpec['affinity'];
  if (affinity === undefined || affinity === null) return;
  const at = [...path, 'affinity'];
  if (!checkObject(affinity, AFFINITY_KEYS, at, report)) return;
  const { nodeAffinity } = affinity;
  if (nodeAffinity !== undefined && nodeAffinity !== null && !isRecord(nodeAffinity))
    report([...at, 'nodeAffinity'], `expected an object, got ${describe(nodeAffinity)}`);
  checkPodAffinity(affinity['podAffinity'], [...at, 'podAffinity'], report);
  checkPodAffinity(affinity['podAntiAffinity'], [...at, 'podAntiAffinity'], report);
}
