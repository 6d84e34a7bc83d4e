import { nodeId, type Schemas, type Urls } from './shape-user.js';
import type { DeploymentRecord, DeploymentStatusRecord, RepositoryRecord } from './types.js';

/*
 * What the REST answer and the webhook payload say alike of a deployment and
 * of a deployment status. Each adds the rest in its own words: the creator as
 * its user shape, the payload (the webhook's schema wants an object), the URLs
 * of a status, and the webhook's performed_via_github_app.
 */

type DeploymentCommon = Omit<Schemas['deployment'], 'payload' | 'creator'>;
type DeploymentStatusCommon = Pick<
  Schemas['deployment-status'],
  'url' | 'id' | 'node_id' | 'state' | 'description' | 'environment' | 'created_at' | 'updated_at' | 'deployment_url' | 'repository_url'
>;

function deploymentUrls(repo: RepositoryRecord, deployment: DeploymentRecord, urls: Urls): { api: string; url: string } {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return { api, url: `${api}/deployments/${String(deployment.id)}` };
}

export function deploymentCommon(repo: RepositoryRecord, deployment: DeploymentRecord, urls: Urls): DeploymentCommon {
  const { api, url } = deploymentUrls(repo, deployment, urls);
  return {
    url,
    id: deployment.id,
    node_id: nodeId('Deployment', deployment.id),
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    created_at: deployment.createdAt,
    updated_at: deployment.statuses.at(-1)?.createdAt ?? deployment.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: api,
    transient_environment: deployment.transient,
    production_environment: deployment.production,
  };
}

export function deploymentStatusCommon(
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
  status: DeploymentStatusRecord,
  urls: Urls,
): DeploymentStatusCommon {
  const { api, url } = deploymentUrls(repo, deployment, urls);
  return {
    url: `${url}/statuses/${String(status.id)}`,
    id: status.id,
    node_id: nodeId('DeploymentStatus', status.id),
    state: status.state,
    description: status.description,
    environment: status.environment,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    deployment_url: url,
    repository_url: api,
  };
}
