import { describe, expect, it } from 'vitest';
import { environmentsForPaths } from './environments-for-paths.js';
import { testEnvironment } from './testing/test-environment.js';
import type { RepositoryPolicy } from './types.js';

const staging = testEnvironment({ name: 'staging', paths: ['deploy/staging/**', 'deploy/shared/*.yaml'] });
const production = testEnvironment({ name: 'production', paths: ['deploy/prod/**', 'deploy/shared/*.yaml'] });
const policy: RepositoryPolicy = { rules: production, environments: [staging, production] };

describe('environmentsForPaths', () => {
  it.each([
    { changed: ['deploy/prod/api/rollout.yaml'], expected: [['production', ['deploy/prod/api/rollout.yaml']]] },
    { changed: ['deploy/shared/config.yaml', 'README.md'], expected: [['staging', ['deploy/shared/config.yaml']], ['production', ['deploy/shared/config.yaml']]] },
    { changed: ['deploy/shared/nested/config.yaml'], expected: [] },
    { changed: ['./deploy/staging/a.yaml', 'deploy/prod/b.yaml', 'deploy/staging/c.yml'], expected: [['staging', ['./deploy/staging/a.yaml', 'deploy/staging/c.yml']], ['production', ['deploy/prod/b.yaml']]] },
    { changed: [], expected: [] },
  ])('$changed', ({ changed, expected }) => {
    expect(environmentsForPaths(policy, changed).map((match) => [match.environment.name, match.paths])).toEqual(expected);
  });

  it('never takes a dot-file such as .gradual.yml for a manifest', () => {
    const everything: RepositoryPolicy = { rules: production, environments: [testEnvironment({ name: 'default', paths: ['**/*.yaml', '**/*.yml'] })] };
    expect(environmentsForPaths(everything, ['.gradual.yml', '.github/workflows/ci.yml', 'apps/rollout.yaml']).map((match) => match.paths)).toEqual([['apps/rollout.yaml']]);
  });
});
