import { notFound } from './errors.js';
import { stringParam, type Handler } from './handler.js';

/**
 * `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: 200 with the
 * membership (`role` member, `state` active) or 404 when the person is not a
 * member or there is no such team, as GitHub answers
 * (docs.github.com/en/rest/teams/members#get-team-membership-for-a-user).
 * Needs the organization permission `members: read`.
 */
export const getTeamMembership: Handler = (input) => {
  const org = stringParam(input, 'org').toLowerCase();
  const slug = stringParam(input, 'team_slug').toLowerCase();
  const username = stringParam(input, 'username').toLowerCase();
  const team = (input.state.teams ?? []).find((candidate) => candidate.org.toLowerCase() === org && candidate.slug.toLowerCase() === slug);
  if (team === undefined || !team.members.some((login) => login.toLowerCase() === username)) throw notFound();
  return {
    status: 200,
    body: { url: `${input.urls.api}/organizations/${team.org}/team/${team.slug}/memberships/${username}`, role: 'member', state: 'active' },
  };
};
