import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintManifests } from './lint.js';

const validDir = fileURLToPath(new URL('../../test/fixtures/argo/', import.meta.url));
const invalidDir = fileURLToPath(new URL('../../test/fixtures/argo/invalid/', import.meta.url));

function yamlFiles(dir: string): { name: string; text: string }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(`${dir}${name}`, 'utf8') }));
}

/** The lines marked `# problem: <text>` in an invalid fixture, with the text each problem there must contain. */
function expectedProblems(text: string): Map<number, string> {
  const expected = new Map<number, string>();
  text.split('\n').forEach((line, index) => {
    const marker = /# problem: (.+)$/u.exec(line);
    if (marker?.[1] !== undefined) expected.set(index + 1, marker[1].trim());
  });
  return expected;
}

describe('valid fixtures', () => {
  const files = yamlFiles(validDir);

  it.each(files.map((file) => [file.name, file.text]))('%s lints clean', (name, text) => {
    const result = lintManifests([{ path: name, text }]);
    expect(result.problems).toEqual([]);
    expect(result.rollouts).toBeGreaterThan(0);
  });

  it('together use every supported Rollout field (the not-yet-supported ones are in invalid/)', () => {
    const all = files.map((file) => file.text).join('\n');
    const fields = [
      'replicas',
      'selector',
      'template',
      'minReadySeconds',
      'revisionHistoryLimit',
      'paused',
      'progressDeadlineSeconds',
      'progressDeadlineAbort',
      'successfulRunHistoryLimit',
      'unsuccessfulRunHistoryLimit',
      'canary',
      'steps',
      'setWeight',
      'pause',
      'duration',
      'maxSurge',
      'maxUnavailable',
      'canaryService',
      'stableService',
      'canaryMetadata',
      'stableMetadata',
      'scaleDownDelayRevisionLimit',
      'abortScaleDownDelaySeconds',
      'minPodsPerReplicaSet',
      'blueGreen',
      'activeService',
      'previewService',
      'previewReplicaCount',
      'autoPromotionEnabled',
      'autoPromotionSeconds',
      'scaleDownDelaySeconds',
      'antiAffinity',
      'preferredDuringSchedulingIgnoredDuringExecution',
      'requiredDuringSchedulingIgnoredDuringExecution',
      'previewMetadata',
      'activeMetadata',
      'analysis',
      'prePromotionAnalysis',
      'postPromotionAnalysis',
      'templates',
      'templateName',
      'clusterScope',
      'startingStep',
      'args',
      'podTemplateHashValue',
      'fieldRef',
      'dryRun',
      'measurementRetention',
      'analysisRunMetadata',
    ];
    expect(fields.filter((field) => !new RegExp(`\\b${field}:`, 'u').test(all))).toEqual([]);
    // Timed (seconds, Go duration, numeric string) and indefinite pauses; int and percent IntOrStrings.
    for (const form of [
      /duration: 90\b/u,
      /duration: 30s/u,
      /duration: "45"/u,
      /pause: \{\}/u,
      /maxSurge: 2\b/u,
      /maxSurge: "50%"/u,
      /maxUnavailable: 25%/u,
    ]) {
      expect(all).toMatch(form);
    }
  });
});

describe('invalid fixtures', () => {
  const files = yamlFiles(invalidDir);

  it.each(files.map((file) => [file.name, file.text]))('%s fails at exactly the marked lines', (name, text) => {
    const expected = expectedProblems(text);
    expect(expected.size, 'an invalid fixture marks at least one line').toBeGreaterThan(0);
    const { problems } = lintManifests([{ path: name, text }]);
    expect([...new Set(problems.map((problem) => problem.line))].sort((a, b) => a - b)).toEqual([...expected.keys()]);
    for (const [line, fragment] of expected) {
      const here = problems.filter((problem) => problem.line === line).map((problem) => problem.message);
      expect(
        here.some((message) => message.includes(fragment)),
        `${name}:${String(line)}: ${here.join(' | ')}`,
      ).toBe(true);
      expect(problems.every((problem) => problem.file === name)).toBe(true);
    }
  });
});
