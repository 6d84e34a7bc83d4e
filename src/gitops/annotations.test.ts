import { describe, expect, it } from 'vitest';
import { originAnnotations, originOf } from './annotations.js';

describe('origin annotations', () => {
  it('round-trips a pull request deploy and a default-branch deploy', () => {
    const fromPull = { repository: 'acme/deploys', pullRequest: 7, headSha: 'a'.repeat(40), installationId: 3, environment: 'production' };
    expect(originOf(originAnnotations(fromPull))).toEqual(fromPull);
    const fromMain = { repository: 'acme/deploys', headSha: 'b'.repeat(40), installationId: 3, environment: 'production' };
    expect(originOf(originAnnotations(fromMain))).toEqual(fromMain);
  });

  it('is undefined for an object the bot did not deploy', () => {
    expect(originOf(undefined)).toBeUndefined();
    expect(originOf({ 'gradual.dev/repository': 'acme/deploys' })).toBeUndefined();
  });
});
