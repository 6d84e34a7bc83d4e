import type { GitRepositories } from './git-repositories.js';
import type { WebhookEvent } from './handler.js';
import { nextId } from './initial-state.js';
import { shapeApp } from './shape-app.js';
import { shapeMinimalRepository } from './shape-repository.js';
import { nodeId, type Schemas, type Urls } from './shape-user.js';
import type { CheckSuiteRecord, GithubState, RepositoryRecord } from './types.js';
import { envelope, webhookApp } from './webhook-payloads.js';

type Payload = Record<string, unknown>;

/** The app's suite on `headSha`, made if missing (GitHub makes one per app and commit). */
export function checkSuiteFor(
  state: GithubState,
  repo: RepositoryRecord,
  headSha: string,
  now: Date,
  push?: { branch: string; before: string | null },
): CheckSuiteRecord {
  const existing = state.checkSuites.find(
    (suite) => suite.repositoryId === repo.id && suite.headSha === headSha && suite.appId === state.app.id,
  );
  if (existing !== undefined) return existing;
  // Suites made before suites were records live on only in their runs' checkSuiteId.
  const legacy = state.checkRuns.find(
    (run) => run.repositoryId === repo.id && run.headSha === headSha && run.appId === state.app.id,
  )?.checkSuiteId;
  const headBranch =
    push?.branch ?? state.pullRequests.find((pull) => pull.repositoryId === repo.id && pull.head.sha === headSha)?.head.ref ?? null;
  const suite: CheckSuiteRecord = {
    id: legacy ?? nextId(state),
    repositoryId: repo.id,
    appId: state.app.id,
    headSha,
    headBranch,
    before: push?.before ?? null,
    createdAt: now.toISOString(),
  };
  state.checkSuites.push(suite);
  return suite;
}

/** Status and conclusion summed over the suite's runs: completed when all are; the worst conclusion wins. */
export function suiteOutcome(
  state: GithubState,
  suite: CheckSuiteRecord,
): { status: 'queued' | 'in_progress' | 'completed'; conclusion: Schemas['check-suite']['conclusion'] } {
  const runs = state.checkRuns.filter((run) => run.checkSuiteId === suite.id);
  if (runs.length === 0 || runs.some((run) => run.status !== 'completed'))
    return { status: runs.some((run) => run.status === 'in_progress') ? 'in_progress' : 'queued', conclusion: null };
  const order = ['action_required', 'failure', 'timed_out', 'cancelled', 'stale', 'neutral', 'success', 'skipped'] as const;
  const worst = order.find((conclusion) => runs.some((run) => run.conclusion === conclusion)) ?? 'success';
  return { status: 'completed', conclusion: worst === 'skipped' ? 'neutral' : worst };
}

/** The head commit in the suite's shape, read from git when there is one. */
export function suiteHeadCommit(repo: RepositoryRecord, sha: string, git: GitRepositories | undefined): Schemas['simple-commit'] {
  const commit = repo.heads === undefined ? undefined : git?.open(repo.owner, repo.name)?.commit(sha);
  const person = { name: commit?.author.name ?? repo.owner, email: commit?.author.email ?? `${repo.owner}@users.noreply.local` };
  return {
    id: sha,
    tree_id: commit?.tree ?? sha,
    message: commit?.message ?? '',
    timestamp: commit?.committer.date ?? new Date(0).toISOString(),
    author: person,
    committer: { name: commit?.committer.name ?? person.name, email: commit?.committer.email ?? person.email },
  };
}

export function shapeCheckSuite(
  state: GithubState,
  repo: RepositoryRecord,
  suite: CheckSuiteRecord,
  urls: Urls,
  headCommit: Schemas['simple-commit'],
): Schemas['check-suite'] {
  const url = `${urls.api}/repos/${repo.owner}/${repo.name}/check-suites/${String(suite.id)}`;
  const runs = state.checkRuns.filter((run) => run.checkSuiteId === suite.id);
  const outcome = suiteOutcome(state, suite);
  const pulls = state.pullRequests.filter(
    (pull) => pull.repositoryId === repo.id && pull.state === 'open' && pull.head.sha === suite.headSha,
  );
  const repoRef = { id: repo.id, url: `${urls.api}/repos/${repo.owner}/${repo.name}`, name: repo.name };
  const updated =
    runs
      .map((run) => run.completedAt ?? run.startedAt)
      .sort()
      .at(-1) ?? suite.createdAt;
  return {
    id: suite.id,
    node_id: nodeId('CheckSuite', suite.id),
    head_branch: suite.headBranch,
    head_sha: suite.headSha,
    status: outcome.status,
    conclusion: outcome.conclusion,
    url,
    before: suite.before,
    after: suite.headSha,
    pull_requests: pulls.map((pull) => ({
      id: pull.id,
      number: pull.number,
      url: `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${String(pull.number)}`,
      head: { ref: pull.head.ref, sha: pull.head.sha, repo: repoRef },
      base: { ref: pull.base.ref, sha: pull.base.sha, repo: repoRef },
    })),
    app: shapeApp(state, urls),
    repository: shapeMinimalRepository(state, repo, urls),
    created_at: suite.createdAt,
    updated_at: updated,
    head_commit: headCommit,
    latest_check_runs_count: new Set(runs.map((run) => run.name)).size,
    check_runs_url: `${url}/check-runs`,
  };
}

/** `check_suite.requested` (after a push) or `.completed` (its last run finished); the payload shows the suite as saved. */
export function checkSuiteEvent(
  repo: RepositoryRecord,
  suite: CheckSuiteRecord,
  action: 'requested' | 'completed',
  git: GitRepositories | undefined,
  sender: string,
): WebhookEvent {
  const headCommit = suiteHeadCommit(repo, suite.headSha, git);
  return {
    name: 'check_suite',
    action,
    repositoryId: repo.id,
    payload: (state, urls): Payload => {
      const saved = state.repositories.find((candidate) => candidate.id === repo.id) ?? repo;
      const shaped: Payload = {
        ...shapeCheckSuite(state, saved, suite, urls, headCommit),
        app: webhookApp(state, urls),
        rerequestable: true,
        runs_rerequestable: true,
      };
      delete shaped['repository'];
      return { action, check_suite: shaped, ...envelope(state, saved, sender, urls) };
    },
  };
}
