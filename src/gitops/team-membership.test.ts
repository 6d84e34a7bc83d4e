import { describe, expect, it } from 'vitest';
import { createTeamMembership } from './team-membership.js';

describe('team membership for command rules', () => {
  it('asks only about the named teams, caches each answer for the TTL, then asks again', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const members = new Map([['acme/deployers', new Set(['bob'])]]);
    const asked: string[] = [];
    const lookup = async (org: string, slug: string, login: string): Promise<boolean> => {
      asked.push(`${org}/${slug} ${login}`);
      return Promise.resolve(members.get(`${org}/${slug}`)?.has(login) ?? false);
    };
    const teams = createTeamMembership({ now: () => now, ttlMs: 60_000 });
    expect(await teams.teamsOf(lookup, 'bob', ['@Acme/Deployers', 'acme/sre'])).toEqual(['acme/deployers']);
    expect(await teams.teamsOf(lookup, 'carol', ['acme/deployers'])).toEqual([]);
    expect(await teams.teamsOf(lookup, 'bob', ['acme/deployers'])).toEqual(['acme/deployers']);
    expect(asked).toEqual(['acme/deployers bob', 'acme/sre bob', 'acme/deployers carol']);
    // bob leaves the team: within the TTL the cached answer stands, after it he is out.
    members.set('acme/deployers', new Set());
    now = new Date(now.getTime() + 59_000);
    expect(await teams.teamsOf(lookup, 'bob', ['acme/deployers'])).toEqual(['acme/deployers']);
    now = new Date(now.getTime() + 2_000);
    expect(await teams.teamsOf(lookup, 'bob', ['acme/deployers'])).toEqual([]);
    expect(asked).toHaveLength(4);
  });

  it('no named teams: nothing is asked', async () => {
    const teams = createTeamMembership({ now: () => new Date() });
    const lookup = (): Promise<boolean> => Promise.reject(new Error('asked'));
    expect(await teams.teamsOf(lookup, 'bob', [])).toEqual([]);
  });
});
