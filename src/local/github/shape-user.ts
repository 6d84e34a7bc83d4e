import type { components } from '@octokit/openapi-types';
import type { GithubState, UserRecord } from './types.js';

export type Schemas = components['schemas'];

/** Where the server is reached: the REST root and the web root (the same server, as on GitHub Enterprise Server). */
export interface Urls {
  api: string;
  web: string;
  /** The git server, where repositories are cloned and pushed: `${git}/owner/name.git`. */
  git?: string;
}

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${String(id)}`)
    .toString('base64')
    .replace(/=+$/, '');
}

export function findUser(state: GithubState, login: string): UserRecord {
  return state.users.find((user) => user.login === login) ?? { id: 0, login, type: 'User' };
}

export function shapeUser(user: UserRecord, urls: Urls): Schemas['simple-user'] {
  const url = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `${urls.web}/avatars/u/${String(user.id)}`,
    gravatar_id: '',
    url,
    html_url: `${urls.web}/${encodeURIComponent(user.login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}
