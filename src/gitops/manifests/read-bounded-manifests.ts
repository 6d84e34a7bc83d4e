import { measureYaml } from '../../api/index.js';
import type { ManifestLimits } from '../../policies/index.js';
import { parseManifests } from './parse-manifests.js';
import type { ManifestError, ManifestTree, ParsedManifests } from './types.js';

/*
 * A pull request's manifests, read and parsed under the policy's size caps (manifestLimits):
 * a file's bytes are checked before its text is decoded, its YAML nodes and documents are
 * counted by a streaming lex before any tree is built, and the pull request's running totals
 * stop the reading at the file that passes them. A cap passed is a plan error at the file
 * (and the line where it was passed), so nothing is applied and the author sees where.
 */

/** What one pull request's plans have read so far; shared by its environments so the caps hold for the pull request. */
export interface ManifestBudget {
  bytes: number;
  nodes: number;
  objects: number;
  /** Files already counted (environments may share files). */
  counted: Set<string>;
}

export function newManifestBudget(): ManifestBudget {
  return { bytes: 0, nodes: 0, objects: 0, counted: new Set() };
}

const setting = (field: keyof ManifestLimits): string => `manifestLimits.${field} of the repository policy`;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export async function readBoundedManifests(
  tree: ManifestTree,
  paths: readonly string[],
  options: { namespace: string; limits: ManifestLimits; budget?: ManifestBudget },
): Promise<ParsedManifests> {
  const { limits } = options;
  const budget = options.budget ?? newManifestBudget();
  const errors: ManifestError[] = [];
  const files: { path: string; text: string }[] = [];
  for (const path of paths) {
    const counted = budget.counted.has(path);
    const read = await tree.readFileWithin(path, limits.fileBytes);
    if (read === undefined) {
      files.push({ path, text: '' });
      continue;
    }
    if (read.text === undefined) {
      errors.push({
        file: path,
        line: 1,
        column: 1,
        message: `the file is ${String(read.bytes)} bytes, more than ${String(limits.fileBytes)} (${setting('fileBytes')}); it was not parsed`,
      });
      continue;
    }
    if (!counted && budget.bytes + read.bytes > limits.pullRequestBytes) {
      errors.push({
        file: path,
        line: 1,
        column: 1,
        message: `with this file the pull request's manifests are ${String(budget.bytes + read.bytes)} bytes, more than ${String(limits.pullRequestBytes)} (${setting('pullRequestBytes')}); it and the files after it were not parsed`,
      });
      break;
    }
    const nodesLeft = counted ? limits.fileNodes : Math.min(limits.fileNodes, limits.pullRequestNodes - budget.nodes);
    const objectsLeft = counted ? limits.fileObjects : Math.min(limits.fileObjects, limits.pullRequestObjects - budget.objects);
    const measure = measureYaml(read.text, { nodes: nodesLeft, documents: objectsLeft });
    if (measure.over !== undefined) {
      const at = lineAndColumn(read.text, measure.over.offset);
      const nodes = measure.over.what === 'nodes';
      const fileCap = nodes ? limits.fileNodes : limits.fileObjects;
      const count = nodes ? measure.nodes : measure.documents;
      const what = nodes ? 'YAML nodes' : 'documents';
      if (count > fileCap) {
        errors.push({
          file: path,
          ...at,
          message: `the file has more than ${String(fileCap)} ${what} (${setting(nodes ? 'fileNodes' : 'fileObjects')}); it was not parsed`,
        });
        continue;
      }
      const prCap = nodes ? limits.pullRequestNodes : limits.pullRequestObjects;
      errors.push({
        file: path,
        ...at,
        message: `here the pull request's manifests pass ${String(prCap)} ${what} (${setting(nodes ? 'pullRequestNodes' : 'pullRequestObjects')}); this file and the files after it were not parsed`,
      });
      break;
    }
    if (!counted) {
      budget.counted.add(path);
      budget.bytes += read.bytes;
      budget.nodes += measure.nodes;
      budget.objects += measure.documents;
    }
    files.push({ path, text: read.text });
  }
  const parsed = parseManifests(files, { namespace: options.namespace });
  return { objects: errors.length > 0 ? [] : parsed.objects, errors: [...errors, ...parsed.errors] };
}
