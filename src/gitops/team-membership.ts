/**
 * Which of the teams a command rule names a person is in, asked of GitHub one
 * team at a time (`GET /orgs/{org}/teams/{slug}/memberships/{login}`, the app's
 * `members: read` permission) and cached for a short time: a comment storm
 * costs one request per person and team a minute, and someone removed from a
 * team loses the right within that minute. Only the teams a rule names are
 * asked about; a person's other teams are never listed.
 */
export type TeamLookup = (org: string, slug: string, login: string) => Promise<boolean>;

export interface TeamMembership {
  /** The named teams (`org/slug`, normalized) that `login` is an active member of. */
  teamsOf(lookup: TeamLookup, login: string, named: readonly string[]): Promise<string[]>;
}

export const teamCacheTtlMs = 60_000;

export function createTeamMembership(options: { now: () => Date; ttlMs?: number }): TeamMembership {
  const ttlMs = options.ttlMs ?? teamCacheTtlMs;
  const cache = new Map<string, { member: boolean; until: number }>();
  return {
    async teamsOf(lookup, login, named) {
      const teams = [...new Set(named.map((team) => team.replace(/^@/u, '').toLowerCase()))];
      const answers = await Promise.all(
        teams.map(async (team) => {
          const [org = '', slug = ''] = team.split('/');
          const key = `${team} ${login.toLowerCase()}`;
          const at = options.now().getTime();
          const cached = cache.get(key);
          if (cached !== undefined && cached.until > at) return cached.member ? [team] : [];
          const member = await lookup(org, slug, login);
          cache.set(key, { member, until: at + ttlMs });
          return member ? [team] : [];
        }),
      );
      return answers.flat();
    },
  };
}
