import { shapeApp } from './shape-app.js';
import { type Schemas, type Urls, nodeId } from './shape-user.js';
import type { AnnotationRecord, CheckRunRecord, GithubState, RepositoryRecord } from './types.js';

export function shapeCheckRun(state: GithubState, repo: RepositoryRecord, run: CheckRunRecord, urls: Urls): Schemas['check-run'] {
  const fullName = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}/check-runs/${String(run.id)}`;
  const pulls = state.pullRequests.filter(
    (pull) => pull.repositoryId === repo.id && pull.state === 'open' && pull.head.sha === run.headSha,
  );
  const repoRef = { id: repo.id, url: `${urls.api}/repos/${fullName}`, name: repo.name };
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: run.externalId ?? '',
    url,
    html_url: `${urls.web}/${fullName}/runs/${String(run.id)}`,
    details_url: run.detailsUrl ?? `${urls.web}/apps/${state.app.slug}`,
    status: run.status,
    // GitHub never reports `stale` through this shape's enum; the description omits it.
    conclusion: run.conclusion === 'stale' ? 'neutral' : run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: shapeApp(state, urls),
    pull_requests: pulls.map((pull) => ({
      id: pull.id,
      number: pull.number,
      url: `${urls.api}/repos/${fullName}/pulls/${String(pull.number)}`,
      head: { ref: pull.head.ref, sha: pull.head.sha, repo: repoRef },
      base: { ref: pull.base.ref, sha: pull.base.sha, repo: repoRef },
    })),
  };
}

export function shapeAnnotation(
  repo: RepositoryRecord,
  run: CheckRunRecord,
  annotation: AnnotationRecord,
  urls: Urls,
): Schemas['check-annotation'] {
  return {
    path: annotation.path,
    start_line: annotation.startLine,
    end_line: annotation.endLine,
    start_column: annotation.startColumn,
    end_column: annotation.endColumn,
    annotation_level: annotation.level,
    title: annotation.title,
    message: annotation.message,
    raw_details: annotation.rawDetails,
    blob_href: `${urls.web}/${repo.owner}/${repo.name}/blob/${run.headSha}/${annotation.path}`,
  };
}
