/*
 * One spelling of a JSON value for comparing and hashing Kubernetes objects (pod templates,
 * AnalysisRun specs): the engine's pod-template hash and the AnalysisRun controller both use it.
 */

/**
 * JSON with object keys sorted by code unit and `null`/`undefined` members left out (to a
 * Kubernetes object, an explicit null and an absent field are the same thing), so templates
 * that differ only in key order or formatting hash alike. Array elements keep their order:
 * container and env order are meaningful.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`a pod template cannot hold the number ${value}`);
      }
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
      }
      return canonicalObject(value);
    default:
      throw new TypeError(`a pod template cannot hold a ${typeof value}`);
  }
}

function canonicalObject(value: object): string {
  const members = Object.entries(value)
    .filter(([, member]) => member !== null && member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(',')}}`;
}
