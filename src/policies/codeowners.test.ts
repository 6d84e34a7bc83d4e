import { describe, expect, it } from 'vitest';
import { codeOwnersOf, parseCodeowners } from './codeowners.js';

// GitHub's example CODEOWNERS, cut to the rules that show its pattern syntax.
const codeowners = `
# Comments and blank lines are skipped.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
!negated @nobody
deploy/prod/** @acme/sre
deploy/prod/special\\ name.yaml @alice
`;

describe('codeOwnersOf (GitHub rules: the last matching pattern wins)', () => {
  const rules = parseCodeowners(codeowners);

  it.each([
    { path: 'README.md', owners: ['@global-owner1', '@global-owner2'] },
    { path: 'src/index.js', owners: ['@js-owner'] },
    { path: 'main.go', owners: ['docs@example.com'] },
    { path: 'build/logs/today.log', owners: ['@octocat'] }, // `**/logs` comes after `/build/logs/`
    { path: 'build/other/logs/x.txt', owners: ['@octocat'] },
    { path: 'docs/getting-started.md', owners: ['@doctocat'] }, // `/docs/` comes after `docs/*`
    { path: 'src/docs/intro.md', owners: ['@global-owner1', '@global-owner2'] }, // a slash inside `docs/*` anchors it at the root, as in .gitignore
    { path: 'scripts/deploy.sh', owners: ['@doctocat', '@octocat'] },
    { path: 'apps/github/main.ts', owners: [] }, // the last rule names no owner
    { path: 'apps/other/main.ts', owners: ['@octocat'] },
    { path: 'lib/apps/x.ts', owners: ['@octocat'] }, // `apps/` matches a directory anywhere
    { path: 'negated', owners: ['@global-owner1', '@global-owner2'] }, // `!` lines are invalid and skipped
    { path: 'deploy/prod/api/rollout.yaml', owners: ['@acme/sre'] },
    { path: 'deploy/prod/special name.yaml', owners: ['@alice'] },
  ])('$path', ({ path, owners }) => {
    expect(codeOwnersOf(rules, path)).toEqual(owners);
  });

  it('keeps the line of each rule and skips comments', () => {
    expect(rules.map((rule) => [rule.line, rule.pattern])).toContainEqual([3, '*']);
    expect(rules.some((rule) => rule.pattern.startsWith('#') || rule.pattern.startsWith('!'))).toBe(false);
  });

  it.each([
    { rules: 'docs/* @a', path: 'docs/build-app/troubleshooting.md', owners: [] }, // `docs/*` is not recursive on GitHub
    { rules: 'docs/* @a', path: 'docs/getting-started.md', owners: ['@a'] },
    { rules: '/docs/ @a', path: 'src/docs/x.md', owners: [] },
    { rules: 'logs @a', path: 'a/b/logs/c.txt', owners: ['@a'] },
    { rules: 'config[1].yaml @a', path: 'config[1].yaml', owners: ['@a'] }, // brackets are literal on GitHub
    { rules: 'config[1].yaml @a', path: 'config1.yaml', owners: [] },
    { rules: '*.yaml @a\n/prod/ @b\n', path: 'prod/x.yaml', owners: ['@b'] },
    { rules: '/prod/ @b\n*.yaml @a\n', path: 'prod/x.yaml', owners: ['@a'] },
    { rules: '* @a\n', path: './prod/x.yaml', owners: ['@a'] },
    { rules: '* @a\n', path: '.github/workflows/ci.yml', owners: ['@a'] },
  ])('$rules owns $path: $owners', ({ rules: text, path, owners }) => {
    expect(codeOwnersOf(parseCodeowners(text), path)).toEqual(owners);
  });
});
