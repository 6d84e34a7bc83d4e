import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_POLICY_FILE_BYTES, parseDefaultPolicy, parseRepositoryPolicy } from './parse-policy.js';
import { defaultManifestLimits, type RepositoryPolicy } from './types.js';

const shippedText = readFileSync(new URL('../../policies/default.yml', import.meta.url), 'utf8');

function shippedDefaults(): RepositoryPolicy {
  const parsed = parseDefaultPolicy(shippedText, 'policies/default.yml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

describe('manifestLimits: size caps on a pull request\'s manifests', () => {
  it('the shipped defaults state the built-in caps, for the repository and every environment', () => {
    const policy = shippedDefaults();
    expect(policy.rules.manifestLimits).toEqual(defaultManifestLimits);
    expect(policy.environments[0]?.manifestLimits).toEqual(defaultManifestLimits);
  });

  it('defaults that state no caps get the built-in ones; one stated is taken', () => {
    const text = shippedText.replace(/^manifestLimits:\n(?: {2}.*\n)+/mu, 'manifestLimits: { fileBytes: 4096 }\n');
    const parsed = parseDefaultPolicy(text, 'policies/default.yml');
    expect(parsed.ok && parsed.policy.rules.manifestLimits).toEqual({ ...defaultManifestLimits, fileBytes: 4096 });
    const none = parseDefaultPolicy(shippedText.replace(/^manifestLimits:\n(?: {2}.*\n)+/mu, ''), 'policies/default.yml');
    expect(none.ok && none.policy.rules.manifestLimits).toEqual(defaultManifestLimits);
  });

  it('a repository may lower a cap, and an environment lower it further', () => {
    const text = ['manifestLimits: { fileBytes: 100000 }', 'environments:', '  - name: prod', "    paths: ['prod/**']", '    manifestLimits: { fileBytes: 5000, pullRequestObjects: 10 }', ''].join('\n');
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', shippedDefaults());
    expect(parsed.ok).toBe(true);
    expect(parsed.policy.rules.manifestLimits).toEqual({ ...defaultManifestLimits, fileBytes: 100000 });
    expect(parsed.policy.environments[0]?.manifestLimits).toEqual({ ...defaultManifestLimits, fileBytes: 5000, pullRequestObjects: 10 });
  });

  it.each([
    { text: 'manifestLimits: { fileBytes: 99999999 }\n', line: 1, column: 30, message: /expected at most 16777216, got the number 99999999/u },
    { text: 'manifestLimits:\n  fileNodes: 100001\n', line: 2, column: 14, message: /manifestLimits.fileNodes 100001 is more than 100000; a repository may only narrow the defaults/u },
    { text: 'manifestLimits:\n  pullRequestBytes: 0\n', line: 2, column: 21, message: /./u },
    { text: 'manifestLimits:\n  files: 3\n', line: 2, column: 3, message: /files/u },
    { text: 'environments:\n  - name: p\n    paths: [p/**]\n    manifestLimits: { fileObjects: 1001 }\n', line: 4, column: 36, message: /manifestLimits.fileObjects 1001 is more than 1000; a repository may only narrow the repository-wide rules/u },
  ])('refuses $text at $line:$column', ({ text, line, column, message }) => {
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', shippedDefaults());
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors[0]).toMatchObject({ file: '.gradual.yml', line, column });
      expect(parsed.errors[0]?.message).toMatch(message);
      // Any error gives the defaults, never a mix.
      expect(parsed.policy.rules.manifestLimits).toEqual(defaultManifestLimits);
    }
  });
});

describe('a hostile .gradual.yml', () => {
  it(`over ${String(MAX_POLICY_FILE_BYTES)} bytes is an error at its start, not parsed`, () => {
    const parsed = parseRepositoryPolicy(`# ${'x'.repeat(MAX_POLICY_FILE_BYTES)}\n`, '.gradual.yml', shippedDefaults());
    expect(parsed).toMatchObject({ ok: false, errors: [{ line: 1, column: 1, message: expect.stringMatching(/more than 262144/u) as unknown }] });
  });

  it('a duplicate key is still an error at the second key (yaml\'s quadratic check is replaced by a linear one)', () => {
    const parsed = parseRepositoryPolicy('trigger: merge\nallowForks: false\ntrigger: command\n', '.gradual.yml', shippedDefaults());
    expect(parsed).toMatchObject({ ok: false, errors: [{ line: 3, column: 1, message: 'YAML: Map keys must be unique' }] });
  });

  it('parses 20,000 keys in linear time', { timeout: 60_000 }, () => {
    const text = `commands:\n${Array.from({ length: 20_000 }, (_, index) => `  k${String(index)}: {}`).join('\n')}\n`;
    const started = performance.now();
    const parsed = parseRepositoryPolicy(text, '.gradual.yml', shippedDefaults());
    const elapsed = performance.now() - started;
    console.log(`a .gradual.yml of 20,000 keys (${String(text.length)} bytes): ${elapsed.toFixed(0)} ms`);
    expect(parsed.ok).toBe(false);
    // yaml's own check took over a minute for 40,000 keys on this machine; linear is well under a second unloaded.
    expect(elapsed).toBeLessThan(20_000);
  });
});
