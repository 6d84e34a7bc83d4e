import type { operations } from '@octokit/openapi-types';
import { notFound, validationFailed } from './errors.js';
import {
  bodyOf,
  listed,
  numberParam,
  paginate,
  requireRepository,
  stringParam,
  type Handler,
  type HandlerInput,
  type WebhookEvent,
} from './handler.js';
import { nextId } from './initial-state.js';
import { shapeAnnotation, shapeCheckRun } from './shape-check-run.js';
import { checkSuiteEvent, checkSuiteFor, shapeCheckSuite, suiteHeadCommit, suiteOutcome } from './check-suites.js';
import { checkRunPayload } from './webhook-payloads.js';
import type { AnnotationRecord, CheckActionRecord, CheckRunRecord, CheckSuiteRecord, GithubState, RepositoryRecord } from './types.js';

type CreateBody = NonNullable<operations['checks/create']['requestBody']>['content']['application/json'];
type UpdateBody = NonNullable<operations['checks/update']['requestBody']>['content']['application/json'];
type OutputBody = NonNullable<UpdateBody['output']>;

/** Per GitHub's docs; the description states the same limits, so most are already refused by validation. */
const limits = { annotationsPerRequest: 50, actions: 3, label: 20, description: 40, identifier: 20 } as const;

export const createCheckRun: Handler = (input) => {
  const repo = requireRepository(input);
  const body = bodyOf(input) as CreateBody;
  const appId = input.state.app.id;
  const now = input.now.toISOString();
  const conclusion = body.conclusion ?? null;
  const status = conclusion !== null ? 'completed' : (body.status ?? 'queued');
  if (status === 'completed' && conclusion === null) throw conclusionMissing();
  const run: CheckRunRecord = {
    id: nextId(input.state),
    repositoryId: repo.id,
    appId,
    checkSuiteId: checkSuiteFor(input.state, repo, body.head_sha, input.now).id,
    headSha: body.head_sha,
    name: body.name,
    status,
    conclusion,
    startedAt: body.started_at ?? now,
    completedAt: status === 'completed' ? (body.completed_at ?? now) : null,
    detailsUrl: body.details_url ?? null,
    externalId: body.external_id ?? null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    actions: [],
  };
  applyOutput(run, body.output);
  run.actions = actionsOf(body.actions) ?? [];
  input.state.checkRuns.push(run);
  const events: WebhookEvent[] = [checkRunEvent(run, 'created')];
  if (run.status === 'completed') events.push(checkRunEvent(run, 'completed'), ...suiteCompleted(input, repo, run));
  return { status: 201, body: shapeCheckRun(input.state, repo, run, input.urls), changed: true, events };
};

export const updateCheckRun: Handler = (input) => {
  const repo = requireRepository(input);
  const run = findRun(input, repo);
  const body = bodyOf(input) as UpdateBody;
  const wasCompleted = run.status === 'completed';
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url;
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.started_at !== undefined) run.startedAt = body.started_at;
  // A completed run keeps its status, conclusion and completion time: GitHub answers 200 and
  // ignores the change (README, "GitHub's rules"); only output, actions and links still change.
  if (!wasCompleted) {
    if (body.conclusion !== undefined) {
      run.conclusion = body.conclusion;
      run.status = 'completed';
    } else if (body.status !== undefined) {
      run.status = body.status;
    }
    if (run.status === 'completed' && run.conclusion === null) throw conclusionMissing();
    if (run.status === 'completed') run.completedAt = body.completed_at ?? run.completedAt ?? input.now.toISOString();
  }
  applyOutput(run, body.output);
  const actions = actionsOf(body.actions);
  if (actions !== undefined) run.actions = actions;
  const events = !wasCompleted && run.status === 'completed' ? [checkRunEvent(run, 'completed'), ...suiteCompleted(input, repo, run)] : [];
  return { status: 200, body: shapeCheckRun(input.state, repo, run, input.urls), changed: true, events };
};

export const getCheckRun: Handler = (input) => {
  const repo = requireRepository(input);
  return { status: 200, body: shapeCheckRun(input.state, repo, findRun(input, repo), input.urls) };
};

export const listCheckRunsForRef: Handler = (input) => {
  const repo = requireRepository(input);
  const ref = stringParam(input, 'ref');
  const sha = resolveRef(input.state, repo, ref);
  const name = input.query['check_name'];
  const status = input.query['status'];
  const runs = input.state.checkRuns
    .filter((run) => run.repositoryId === repo.id && run.headSha === sha)
    .filter((run) => name === undefined || run.name === name)
    .filter((run) => status === undefined || run.status === status);
  // filter=latest (the default) keeps the newest run of each name.
  const latest =
    input.query['filter'] === 'all' ? runs : runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
  const newestFirst = [...latest].reverse();
  const page = paginate(input, newestFirst);
  return {
    status: 200,
    body: { total_count: newestFirst.length, check_runs: page.items.map((run) => shapeCheckRun(input.state, repo, run, input.urls)) },
    headers: page.headers,
  };
};

export const listCheckRunAnnotations: Handler = (input) => {
  const repo = requireRepository(input);
  const run = findRun(input, repo);
  return { status: 200, ...listed(input, run.annotations, (annotation) => shapeAnnotation(repo, run, annotation, input.urls)) };
};

/** `check_suite.completed` once the run that just completed was the suite's last one running. */
function suiteCompleted(input: HandlerInput, repo: RepositoryRecord, run: CheckRunRecord): WebhookEvent[] {
  const suite = input.state.checkSuites.find((candidate) => candidate.id === run.checkSuiteId);
  if (suite === undefined || suiteOutcome(input.state, suite).status !== 'completed') return [];
  return [checkSuiteEvent(repo, suite, 'completed', input.git, `${input.state.app.slug}[bot]`)];
}

export const getCheckSuite: Handler = (input) => {
  const repo = requireRepository(input);
  const suite = findSuite(input, repo);
  return { status: 200, body: shapeCheckSuite(input.state, repo, suite, input.urls, suiteHeadCommit(repo, suite.headSha, input.git)) };
};

export const listCheckRunsForSuite: Handler = (input) => {
  const repo = requireRepository(input);
  const suite = findSuite(input, repo);
  const runs = [...input.state.checkRuns.filter((run) => run.checkSuiteId === suite.id)].reverse();
  const page = paginate(input, runs);
  return {
    status: 200,
    body: { total_count: runs.length, check_runs: page.items.map((run) => shapeCheckRun(input.state, repo, run, input.urls)) },
    headers: page.headers,
  };
};

/** A person asks for a check again: the app gets `check_run.rerequested` and decides what to do (GitHub changes nothing itself). */
export const rerequestCheckRun: Handler = (input) => {
  const repo = requireRepository(input);
  const run = findRun(input, repo);
  const sender = input.principal.kind === 'user' ? input.principal.login : `${input.state.app.slug}[bot]`;
  return {
    status: 201,
    body: {},
    events: [
      {
        name: 'check_run',
        action: 'rerequested',
        repositoryId: repo.id,
        payload: (state, urls) => checkRunPayload(state, urls, run.id, 'rerequested', undefined, sender),
      },
    ],
  };
};

function findSuite(input: HandlerInput, repo: RepositoryRecord): CheckSuiteRecord {
  const id = numberParam(input, 'check_suite_id');
  const suite = input.state.checkSuites.find((candidate) => candidate.id === id && candidate.repositoryId === repo.id);
  if (suite === undefined) throw notFound();
  return suite;
}

function findRun(input: HandlerInput, repo: RepositoryRecord): CheckRunRecord {
  const id = numberParam(input, 'check_run_id');
  const run = input.state.checkRuns.find((candidate) => candidate.id === id && candidate.repositoryId === repo.id);
  if (run === undefined) throw notFound();
  return run;
}

/** A branch name resolves through the open pull requests' heads; anything else is taken as a SHA. */
function resolveRef(state: GithubState, repo: RepositoryRecord, ref: string): string {
  const branch = ref.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
  const pull = [...state.pullRequests].reverse().find((candidate) => candidate.repositoryId === repo.id && candidate.head.ref === branch);
  return pull?.head.sha ?? ref;
}

/** Output replaces title, summary and text; annotations are appended, as GitHub documents. */
function applyOutput(run: CheckRunRecord, output: OutputBody | undefined): void {
  if (output === undefined) return;
  run.output = { title: output.title ?? run.output.title, summary: output.summary, text: output.text ?? run.output.text };
  const annotations = output.annotations ?? [];
  if (annotations.length > limits.annotationsPerRequest) {
    throw validationFailed('CheckRun', 'annotations', `Only ${String(limits.annotationsPerRequest)} annotations are allowed per request`);
  }
  run.annotations.push(
    ...annotations.map((annotation): AnnotationRecord => {
      if (annotation.start_line !== annotation.end_line && (annotation.start_column !== undefined || annotation.end_column !== undefined)) {
        throw validationFailed('CheckRun', 'annotations', 'start_column and end_column may only be given when start_line equals end_line');
      }
      return {
        path: annotation.path,
        startLine: annotation.start_line,
        endLine: annotation.end_line,
        startColumn: annotation.start_column ?? null,
        endColumn: annotation.end_column ?? null,
        level: annotation.annotation_level,
        title: annotation.title ?? null,
        message: annotation.message,
        rawDetails: annotation.raw_details ?? null,
      };
    }),
  );
}

function actionsOf(actions: CreateBody['actions']): CheckActionRecord[] | undefined {
  if (actions === undefined) return undefined;
  if (actions.length > limits.actions) throw validationFailed('CheckRun', 'actions', `Only ${String(limits.actions)} actions are allowed`);
  return actions.map((action) => {
    for (const [field, max] of [
      ['label', limits.label],
      ['description', limits.description],
      ['identifier', limits.identifier],
    ] as const) {
      if (action[field].length > max)
        throw validationFailed('CheckRun', `actions.${field}`, `${field} is too long (maximum is ${String(max)} characters)`);
    }
    return { label: action.label, description: action.description, identifier: action.identifier };
  });
}

function conclusionMissing(): ReturnType<typeof validationFailed> {
  return validationFailed('CheckRun', 'conclusion', 'Conclusion is required when status is completed');
}

export function checkRunEvent(
  run: CheckRunRecord,
  action: 'created' | 'completed' | 'requested_action',
  requested?: { identifier: string; sender: string },
): WebhookEvent {
  return {
    name: 'check_run',
    action,
    repositoryId: run.repositoryId,
    payload: (state, urls) => checkRunPayload(state, urls, run.id, action, requested),
  };
}
