import { describe, expect, it } from 'vitest';
import { loadDevelopmentModule, missingPackageOf } from './development-install.js';
import { StartupError } from './startup-error.js';

function moduleNotFound(message: string, code = 'ERR_MODULE_NOT_FOUND'): Error {
  return Object.assign(new Error(message), { code });
}

describe('the development-only commands in a production install', () => {
  it.each([
    { cause: moduleNotFound("Cannot find package 'ajv' imported from /app/dist/local/github/openapi.js"), missing: 'ajv' },
    {
      cause: moduleNotFound("Cannot find package '@octokit/openapi' imported from /app/dist/local/github/description.js"),
      missing: '@octokit/openapi',
    },
    { cause: moduleNotFound("Cannot find module 'proper-lockfile'", 'MODULE_NOT_FOUND'), missing: 'proper-lockfile' },
    // Not a missing package: a missing file of ours, another error code, not an Error at all.
    {
      cause: moduleNotFound("Cannot find module '/app/dist/local/index.js' imported from /app/dist/cli/local-command.js"),
      missing: undefined,
    },
    { cause: Object.assign(new Error("Cannot find package 'ajv'"), { code: 'EACCES' }), missing: undefined },
    { cause: 'Cannot find package', missing: undefined },
  ])('$cause.message → $missing', ({ cause, missing }) => {
    expect(missingPackageOf(cause)).toBe(missing);
  });

  it('turns a missing package into one start-up line naming the command and the package, and passes other failures on', async () => {
    const refused = loadDevelopmentModule('local', () =>
      Promise.reject(moduleNotFound("Cannot find package 'openapi-backend' imported from /app/dist/local/github/openapi.js")),
    );
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(
      /^`gradual local` needs the development install \(npm ci, without --omit=dev\): the package openapi-backend is not installed here/u,
    );
    const other = new Error('boom');
    await expect(loadDevelopmentModule('demo', () => Promise.reject(other))).rejects.toBe(other);
    await expect(loadDevelopmentModule('demo', () => Promise.resolve(42))).resolves.toBe(42);
  });
});
