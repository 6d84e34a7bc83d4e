import { findUser, nodeId, shapeUser, type Schemas, type Urls } from './shape-user.js';
import type { GithubState, InstallationRecord } from './types.js';

export function shapeApp(state: GithubState, urls: Urls): NonNullable<Schemas['integration']> {
  const app = state.app;
  return {
    id: app.id,
    slug: app.slug,
    client_id: app.clientId,
    node_id: nodeId('Integration', app.id),
    owner: shapeUser(findUser(state, app.owner), urls),
    name: app.name,
    description: 'Pull-request-driven progressive delivery (local environment)',
    external_url: urls.web,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: { ...app.permissions },
    events: [...app.events],
    installations_count: state.installations.length,
  };
}

export function shapeInstallation(state: GithubState, installation: InstallationRecord, urls: Urls): Schemas['installation'] {
  const account = findUser(state, installation.account);
  return {
    id: installation.id,
    account: shapeUser(account, urls),
    repository_selection: 'all',
    access_tokens_url: `${urls.api}/app/installations/${String(installation.id)}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/organizations/${account.login}/settings/installations/${String(installation.id)}`,
    app_id: state.app.id,
    client_id: state.app.clientId,
    target_id: account.id,
    target_type: account.type === 'Organization' ? 'Organization' : 'User',
    permissions: { ...installation.permissions },
    events: [...installation.events],
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    app_slug: state.app.slug,
    suspended_by: null,
    suspended_at: null,
  };
}
