import { authorAssociation } from './author-association.js';
import { shapeApp, shapeInstallation } from './shape-app.js';
import { shapeCheckRun } from './shape-check-run.js';
import { shapeIssueComment } from './shape-issue-comment.js';
import { shapeRepository } from './shape-repository.js';
import { findUser, nodeId, shapeUser, type Urls } from './shape-user.js';
import type { GithubState, IssueCommentRecord, RepositoryRecord, UserRecord } from './types.js';

/**
 * Webhook payloads, shaped after @octokit/webhooks-schemas (which differ from
 * the REST shapes in small ways: no `user_view_type`, `custom_properties` on
 * repositories, `performed_via_github_app` always present on comments). They
 * are validated against those schemas before sending.
 */
type Payload = Record<string, unknown>;

export function webhookUser(user: UserRecord, urls: Urls): Payload {
  const shaped: Payload = { ...shapeUser(user, urls) };
  delete shaped['user_view_type'];
  return shaped;
}

export function webhookRepository(state: GithubState, repo: RepositoryRecord, urls: Urls): Payload {
  return { ...shapeRepository(state, repo, urls), owner: webhookUser(findUser(state, repo.owner), urls), custom_properties: {} };
}

export function webhookApp(state: GithubState, urls: Urls): Payload {
  const app: Payload = { ...shapeApp(state, urls), owner: webhookUser(findUser(state, state.app.owner), urls) };
  delete app['client_id'];
  delete app['installations_count'];
  return app;
}

/** The fields every event shares: repository, sender, and the installation the app sees it through. */
export function envelope(state: GithubState, repo: RepositoryRecord, sender: string, urls: Urls): Payload {
  const installation = state.installations.find((candidate) => candidate.account.toLowerCase() === repo.owner.toLowerCase());
  const owner = findUser(state, repo.owner);
  return {
    repository: webhookRepository(state, repo, urls),
    sender: webhookUser(findUser(state, sender), urls),
    ...(installation !== undefined && { installation: { id: installation.id, node_id: nodeId('Installation', installation.id) } }),
    ...(owner.type === 'Organization' && { organization: webhookOrganization(owner, urls) }),
  };
}

function webhookOrganization(owner: UserRecord, urls: Urls): Payload {
  const url = `${urls.api}/orgs/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: nodeId('Organization', owner.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${urls.web}/avatars/u/${String(owner.id)}`,
    description: null,
  };
}

export function checkRunPayload(
  state: GithubState,
  urls: Urls,
  runId: number,
  action: 'created' | 'completed' | 'requested_action' | 'rerequested',
  requested?: { identifier: string; sender: string },
  rerequestedBy?: string,
): Payload {
  const run = state.checkRuns.find((candidate) => candidate.id === runId);
  const repo = state.repositories.find((candidate) => candidate.id === run?.repositoryId);
  if (run === undefined || repo === undefined) throw new Error(`check run ${String(runId)} vanished before its webhook was built`);
  const shaped = shapeCheckRun(state, repo, run, urls);
  const app = webhookApp(state, urls);
  const suiteRuns = state.checkRuns.filter((candidate) => candidate.checkSuiteId === run.checkSuiteId);
  const suiteDone = suiteRuns.every((candidate) => candidate.status === 'completed');
  const pull = state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.head.sha === run.headSha);
  const sender = requested?.sender ?? rerequestedBy ?? `${state.app.slug}[bot]`;
  return {
    action,
    check_run: {
      ...shaped,
      id: run.id,
      conclusion: run.conclusion,
      app,
      check_suite: {
        id: run.checkSuiteId,
        node_id: nodeId('CheckSuite', run.checkSuiteId),
        head_branch: pull?.head.ref ?? null,
        head_sha: run.headSha,
        status: suiteDone ? 'completed' : suiteRuns.some((candidate) => candidate.status === 'in_progress') ? 'in_progress' : 'queued',
        conclusion: suiteDone ? (run.conclusion === 'stale' ? 'neutral' : run.conclusion) : null,
        url: `${urls.api}/repos/${repo.owner}/${repo.name}/check-suites/${String(run.checkSuiteId)}`,
        before: null,
        after: run.headSha,
        pull_requests: shaped.pull_requests,
        app,
        created_at: run.startedAt,
        updated_at: run.completedAt ?? run.startedAt,
      },
    },
    ...(requested !== undefined && { requested_action: { identifier: requested.identifier } }),
    ...envelope(state, repo, sender, urls),
  };
}

export function issueCommentPayload(
  state: GithubState,
  urls: Urls,
  comment: IssueCommentRecord,
  action: 'created' | 'edited' | 'deleted',
  changes?: { body: string },
): Payload {
  const repo = state.repositories.find((candidate) => candidate.id === comment.repositoryId);
  if (repo === undefined) throw new Error(`repository ${String(comment.repositoryId)} vanished before its webhook was built`);
  const shaped = shapeIssueComment(state, repo, comment, urls);
  return {
    action,
    issue: webhookIssue(state, repo, comment.issueNumber, urls),
    comment: {
      ...shaped,
      id: comment.id,
      user: webhookUser(findUser(state, comment.user), urls),
      body: comment.body,
      performed_via_github_app: comment.appId === undefined ? null : webhookApp(state, urls),
    },
    ...(changes !== undefined && { changes: { body: { from: changes.body } } }),
    ...envelope(state, repo, comment.user, urls),
  };
}

function webhookIssue(state: GithubState, repo: RepositoryRecord, number: number, urls: Urls): Payload {
  const pull = state.pullRequests.find((candidate) => candidate.repositoryId === repo.id && candidate.number === number);
  if (pull === undefined) throw new Error(`issue ${String(number)} of ${repo.owner}/${repo.name} does not exist`);
  const fullName = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${fullName}/issues/${String(number)}`;
  const comments = state.issueComments.filter((comment) => comment.repositoryId === repo.id && comment.issueNumber === number);
  return {
    url,
    repository_url: `${urls.api}/repos/${fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${urls.web}/${fullName}/pull/${String(number)}`,
    id: pull.id + 1,
    node_id: nodeId('Issue', pull.id),
    number,
    title: pull.title,
    user: webhookUser(findUser(state, pull.user), urls),
    labels: [],
    state: pull.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: comments.length,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt ?? null,
    author_association: authorAssociation(repo, pull.user),
    active_lock_reason: null,
    draft: false,
    pull_request: {
      url: `${urls.api}/repos/${fullName}/pulls/${String(number)}`,
      html_url: `${urls.web}/${fullName}/pull/${String(number)}`,
      diff_url: `${urls.web}/${fullName}/pull/${String(number)}.diff`,
      patch_url: `${urls.web}/${fullName}/pull/${String(number)}.patch`,
      merged_at: pull.merged?.at ?? null,
    },
    body: pull.body,
    reactions: {
      url: `${url}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      confused: 0,
      heart: 0,
      hooray: 0,
      eyes: 0,
      rocket: 0,
    },
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: null,
  };
}

/** `installation.created`: the REST installation with the webhook's user shape, and the repositories it can reach. */
export function installationPayload(state: GithubState, urls: Urls, installationId: number, sender: string): Payload {
  const installation = state.installations.find((candidate) => candidate.id === installationId);
  if (installation === undefined) throw new Error(`installation ${String(installationId)} vanished before its webhook was built`);
  const shaped = shapeInstallation(state, installation, urls);
  const account = findUser(state, installation.account);
  const repositories = state.repositories.filter((repo) => repo.owner.toLowerCase() === installation.account.toLowerCase());
  const shapedInstallation: Payload = {
    ...shaped,
    account: webhookUser(account, urls),
    suspended_by: null,
    suspended_at: null,
    single_file_name: null,
    target_type: account.type === 'Organization' ? 'Organization' : 'User',
  };
  // The webhook's installation has no client_id (the REST one has).
  delete shapedInstallation['client_id'];
  return {
    action: 'created',
    installation: shapedInstallation,
    repositories: repositories.map((repo) => ({
      id: repo.id,
      node_id: nodeId('Repository', repo.id),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: repo.private,
    })),
    sender: webhookUser(findUser(state, sender), urls),
  };
}
