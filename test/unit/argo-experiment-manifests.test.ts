import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintManifests } from '../../src/api/index.js';
import { argoRolloutsModuleDir } from './argo-module.js';

// Argo's own Experiments (examples/ and the e2e fixtures), read from the Go module cache at test
// time: each file with an Experiment is linted as the bot's plan lints a pull request's manifests.
const argo = argoRolloutsModuleDir();

function experimentFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => join(dir, file))
    .filter((path) => /^kind: Experiment$/mu.test(readFileSync(path, 'utf8')))
    .sort();
}

const examples = experimentFiles(join(argo, 'examples'));
const functional = experimentFiles(join(argo, 'test', 'e2e', 'functional'));
const expectedFailures = experimentFiles(join(argo, 'test', 'e2e', 'expectedfailures'));

function lint(path: string) {
  return lintManifests([{ path: relative(argo, path), text: readFileSync(path, 'utf8') }]).problems.map(
    (problem) => `${problem.file}:${String(problem.line)} ${problem.path}: ${problem.message}`,
  );
}

describe("Argo's Experiments", () => {
  it('finds them in the module', () => {
    expect(examples.map((path) => relative(argo, path))).toContain('examples/experiment-with-analysis.yaml');
    expect(functional.length).toBeGreaterThanOrEqual(7);
    expect(expectedFailures.length).toBeGreaterThanOrEqual(5);
  });

  it.each([...examples, ...functional].map((path) => [relative(argo, path), path]))('lints %s without a problem', (_name, path) => {
    expect(lint(path)).toEqual([]);
  });

  // Argo's expected failures: the ones its API server or controller refuses at run time, lint finds ahead, at their line.
  it('finds the problems of the expected failures that a pod template carries, and only those', () => {
    const found = Object.fromEntries(expectedFailures.map((path) => [relative(argo, path), lint(path)]));
    expect(found).toEqual({
      'test/e2e/expectedfailures/experiment-degrade.yaml': [],
      'test/e2e/expectedfailures/experiment-error-template-missing.yaml': [],
      'test/e2e/expectedfailures/experiment-failed-analysis.yaml': [],
      'test/e2e/expectedfailures/experiment-invalid.yaml': [
        'test/e2e/expectedfailures/experiment-invalid.yaml:25 spec.templates[1].template.spec.containers: missing containers: the pod template needs at least one',
      ],
      'test/e2e/expectedfailures/malformed-experiment.yaml': [],
    });
  });
});
