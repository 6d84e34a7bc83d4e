import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document } from 'openapi-backend';

/**
 * GitHub's official OpenAPI description of api.github.com, as @octokit/openapi
 * ships it. The package's index requires every variant (≈ 400 MB of JSON), so
 * the one file is read directly; the $ref form (13 MB) is used because
 * openapi-backend dereferences lazily, per operation.
 */
const descriptionModule = '@octokit/openapi/generated/api.github.com.json';

let loading: Promise<Document> | undefined;

/** Loads and parses the description once per process; every server in the process shares it. */
export function loadGithubDescription(): Promise<Document> {
  loading ??= readDescription();
  return loading;
}

async function readDescription(): Promise<Document> {
  const path = createRequire(import.meta.url).resolve(descriptionModule);
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('paths' in parsed) || !('openapi' in parsed)) {
    throw new Error(`${path} is not an OpenAPI description`);
  }
  fixNullables(parsed);
  return parsed as Document;
}

/**
 * An installation's `account` is a user/organization or an enterprise, but some
 * operations' inlined copies (`GET /app/installations`) say `allOf` [Simple
 * User, Enterprise], which requires an organization to carry an enterprise's
 * `name`, `slug` and dates; GitHub sends the simple user (its docs' example),
 * and the description's maintainers list the allOf/anyOf mix-up as an
 * inaccuracy (github/rest-api-description#2497). Read as the union it means.
 */
function isAccountIntersection(record: Record<string, unknown>): boolean {
  const members: unknown = record['allOf'];
  if (!Array.isArray(members) || members.length !== 2) return false;
  const titles = members.map((member: unknown) =>
    typeof member === 'object' && member !== null ? (member as Record<string, unknown>)['title'] : undefined,
  );
  return titles[0] === 'Simple User' && titles[1] === 'Enterprise';
}

/**
 * Two places where GitHub's description and a strict JSON-schema validator
 * disagree about `nullable` (OpenAPI 3.0), both fixed so the validator
 * accepts exactly what the description means:
 * - with an `enum`, null is admitted only if listed (OpenAPI 3.0.3), and
 *   GitHub omits it (a check run's `conclusion`) though GitHub sends null;
 * - without a `type` (next to `allOf`/`oneOf`), ajv refuses the schema; it
 *   becomes `anyOf: [schema, null]`.
 */
function fixNullables(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) fixNullables(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  for (const value of Object.values(record)) fixNullables(value);
  if (isAccountIntersection(record)) {
    record['anyOf'] = record['allOf'];
    delete record['allOf'];
  }
  if (record['nullable'] !== true) return;
  const values: unknown = record['enum'];
  if (Array.isArray(values) && !values.includes(null)) record['enum'] = [...(values as unknown[]), null];
  if (record['type'] === undefined) {
    const inner: Record<string, unknown> = { ...record };
    delete inner['nullable'];
    for (const key of Object.keys(record)) if (key !== 'description' && key !== 'title') Reflect.deleteProperty(record, key);
    record['anyOf'] = [inner, { type: 'null' }];
  }
}
