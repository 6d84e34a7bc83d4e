import { notFound } from './errors.js';
import { requireRepository, stringParam, type Handler, type HandlerInput } from './handler.js';
import { nextId } from './initial-state.js';
import { nodeId, type Schemas } from './shape-user.js';
import type { EnvironmentRecord, GithubState, RepositoryRecord } from './types.js';

/**
 * Deployment environments: listed, read, created or kept by
 * `PUT …/environments/{name}` (protection rules and branch policies are not
 * modelled), and made by the first deployment that names one, as GitHub does
 * for a deployment to an environment that does not exist yet.
 */
export const listEnvironments: Handler = (input) => {
  const repo = requireRepository(input);
  const found = (input.state.environments ?? []).filter((environment) => environment.repositoryId === repo.id);
  return {
    status: 200,
    body: { total_count: found.length, environments: found.map((environment) => shapeEnvironment(input, repo, environment)) },
  };
};

export const getEnvironment: Handler = (input) => {
  const repo = requireRepository(input);
  const environment = findEnvironment(input.state, repo, stringParam(input, 'environment_name'));
  if (environment === undefined) throw notFound();
  return { status: 200, body: shapeEnvironment(input, repo, environment) };
};

export const putEnvironment: Handler = (input) => {
  const repo = requireRepository(input);
  const environment = ensureEnvironment(input.state, repo, stringParam(input, 'environment_name'), input.now);
  environment.updatedAt = input.now.toISOString();
  return { status: 200, body: shapeEnvironment(input, repo, environment), changed: true };
};

/** Environment names are compared without case, as GitHub does. */
function findEnvironment(state: GithubState, repo: RepositoryRecord, name: string): EnvironmentRecord | undefined {
  return (state.environments ?? []).find(
    (candidate) => candidate.repositoryId === repo.id && candidate.name.toLowerCase() === name.toLowerCase(),
  );
}

/** The repository's environment of that name, created when missing. */
export function ensureEnvironment(state: GithubState, repo: RepositoryRecord, name: string, now: Date): EnvironmentRecord {
  const found = findEnvironment(state, repo, name);
  if (found !== undefined) return found;
  const created: EnvironmentRecord = {
    id: nextId(state),
    repositoryId: repo.id,
    name,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  state.environments = [...(state.environments ?? []), created];
  return created;
}

function shapeEnvironment(input: HandlerInput, repo: RepositoryRecord, environment: EnvironmentRecord): Schemas['environment'] {
  return {
    id: environment.id,
    node_id: nodeId('Environment', environment.id),
    name: environment.name,
    url: `${input.urls.api}/repos/${repo.owner}/${repo.name}/environments/${encodeURIComponent(environment.name)}`,
    html_url: `${input.urls.web}/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(environment.name)}`,
    created_at: environment.createdAt,
    updated_at: environment.updatedAt,
    protection_rules: [],
    deployment_branch_policy: null,
  };
}
