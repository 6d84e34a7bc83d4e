import { mergeQueueRequired, queueEntries } from './merge-queue.js';
import { contextState, protectionRefusal } from './merge-rules.js';
import type { PullFacts } from './pull-facts.js';
import { escapeHtml, renderMarkdown } from './render-markdown.js';
import type { CheckRunRecord, GithubState, PullRequestRecord, RepositoryRecord } from './types.js';

export interface PullPageInput {
  state: GithubState;
  repo: RepositoryRecord;
  pull: PullRequestRecord;
  facts: PullFacts;
  /** Who is looking (`?as=login`); the page acts as them. */
  viewer: string;
  /** The viewer's token, for the page's calls to the REST API (comment, merge). */
  token: string;
  apiUrl: string;
}

const reactionEmoji: Record<string, string> = {
  '+1': '👍',
  '-1': '👎',
  laugh: '😄',
  confused: '😕',
  heart: '❤️',
  hooray: '🎉',
  rocket: '🚀',
  eyes: '👀',
};

/**
 * The pull-request page: conversation (markdown rendered and sanitized,
 * reactions), the head commit's checks with their summaries and buttons,
 * and the merge box, disabled while branch protection refuses. A pure
 * function of the state: the server renders it per request. Buttons post
 * to the REST API as the viewer, or (check-run buttons, which GitHub's API
 * does not offer) to `/_local/check-runs/{id}/press`.
 */
export function renderPullPage(input: PullPageInput): string {
  const { state, repo, pull } = input;
  const comments = state.issueComments.filter((comment) => comment.repositoryId === repo.id && comment.issueNumber === pull.number);
  const runs = state.checkRuns.filter((run) => run.repositoryId === repo.id && run.headSha === pull.head.sha);
  const latest = runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
  const refusal = pull.state === 'open' ? protectionRefusal(state, repo, pull, input.facts.behind) : 'This pull request is closed.';
  const blocked = refusal ?? (input.facts.mergeable === false ? 'This branch has conflicts that must be resolved.' : undefined);
  const required = repo.protection?.[pull.base.ref]?.requiredContexts ?? [];
  // With a merge queue the button queues ("Merge when ready") or takes the pull request out of the queue.
  const queue = pull.state === 'open' && mergeQueueRequired(state, repo, pull.base.ref) ? queueEntries(state, repo) : undefined;
  const position = queue?.findIndex((entry) => entry.pullNumber === pull.number) ?? -1;
  const mergeButton =
    queue === undefined
      ? `<button id="merge" ${blocked === undefined ? '' : 'disabled'}>Merge pull request</button>`
      : position >= 0
        ? `<p class="queue-status">Queued: ${String(position + 1)} of ${String(queue.length)} in the merge queue.</p><button id="merge" data-queue="dequeue">Remove from queue</button>`
        : `<button id="merge" data-queue="enqueue" ${blocked === undefined ? '' : 'disabled'}>Merge when ready</button>`;
  const fullName = `${repo.owner}/${repo.name}`;
  const conversation = comments
    .map((comment) => {
      const counts = new Map<string, number>();
      for (const reaction of comment.reactions) counts.set(reaction.content, (counts.get(reaction.content) ?? 0) + 1);
      const reactions = [...counts]
        .map(
          ([content, count]) =>
            `<span class="reaction" data-content="${escapeHtml(content)}">${reactionEmoji[content] ?? escapeHtml(content)} ${String(count)}</span>`,
        )
        .join(' ');
      return `<article class="comment" id="issuecomment-${String(comment.id)}"><header><strong>${escapeHtml(comment.user)}</strong> commented ${escapeHtml(comment.createdAt)}</header><div class="markdown">${renderMarkdown(comment.body)}</div>${reactions === '' ? '' : `<footer>${reactions}</footer>`}</article>`;
    })
    .join('\n');
  const checks = latest.map((run) => renderCheck(run, required.includes(run.name))).join('\n');
  const requiredStates = required
    .map((context) => `<li>${escapeHtml(context)}: <span class="state">${contextState(state, repo, pull.head.sha, context)}</span></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(pull.title)} · Pull Request #${String(pull.number)} · ${escapeHtml(fullName)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#1f2328}
.comment,.check,.merge-box,.comment-box{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.75rem}
.comment header{color:#59636e;margin-bottom:.5rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem}
.badge{border-radius:1rem;padding:.1rem .5rem;font-size:.85em;background:#eaeef2}
.success{background:#dafbe1}.failure,.timed_out,.cancelled{background:#ffebe9}.in_progress,.queued{background:#fff8c5}
button{margin-right:.5rem}
</style></head>
<body data-api="${escapeHtml(input.apiUrl)}" data-token="${escapeHtml(input.token)}" data-viewer="${escapeHtml(input.viewer)}" data-owner="${escapeHtml(repo.owner)}" data-repo="${escapeHtml(repo.name)}" data-number="${String(pull.number)}" data-head="${escapeHtml(pull.head.sha)}">
<h1>${escapeHtml(pull.title)} <span class="number">#${String(pull.number)}</span></h1>
<p><span class="badge pr-state">${pull.merged === undefined ? pull.state : 'merged'}</span> ${escapeHtml(pull.user)} wants to merge <code>${escapeHtml(pull.head.ref)}</code> into <code>${escapeHtml(pull.base.ref)}</code> · viewing as ${escapeHtml(input.viewer)}</p>
${pull.body === null ? '' : `<section class="description markdown">${renderMarkdown(pull.body)}</section>`}
<h2>Conversation</h2>
<section id="conversation">${conversation}</section>
<h2>Checks</h2>
<section id="checks">${checks === '' ? '<p>No checks on this commit.</p>' : checks}</section>
<section class="merge-box" id="merge-box">
${required.length === 0 ? '' : `<p>Required: </p><ul class="required">${requiredStates}</ul>`}
<p class="merge-status">${escapeHtml(blocked ?? 'This branch has no conflicts with the base branch and its required checks passed.')}</p>
${mergeButton}
</section>
<section class="comment-box"><textarea id="comment-body" rows="4" cols="80" placeholder="Leave a comment"></textarea><br><button id="comment">Comment</button></section>
<p id="error" role="alert"></p>
<script type="module">${pageScript}</script>
</body></html>
`;
}

function renderCheck(run: CheckRunRecord, required: boolean): string {
  const outcome = run.status === 'completed' ? (run.conclusion ?? 'completed') : run.status;
  const buttons = run.actions
    .map(
      (action) =>
        `<button class="check-action" data-check-run="${String(run.id)}" data-identifier="${escapeHtml(action.identifier)}" title="${escapeHtml(action.description)}">${escapeHtml(action.label)}</button>`,
    )
    .join('');
  return `<article class="check" data-check-run="${String(run.id)}"><header><strong>${escapeHtml(run.name)}</strong> <span class="badge ${escapeHtml(outcome)}">${escapeHtml(outcome)}</span>${required ? ' <span class="badge">Required</span>' : ''}</header>
${run.output.title === null ? '' : `<h3>${escapeHtml(run.output.title)}</h3>`}
${run.output.summary === null ? '' : `<div class="summary markdown">${renderMarkdown(run.output.summary)}</div>`}
${run.output.text === null ? '' : `<details><summary>Details</summary><div class="markdown">${renderMarkdown(run.output.text)}</div></details>`}
${buttons === '' ? '' : `<div class="actions">${buttons}</div>`}</article>`;
}

/** The page's only script: three buttons, each one request, then a reload to show the stored result. The merge button queues instead where a merge queue is required (a local route: GitHub's UI does it through GraphQL). */
const pageScript = `
const data = document.body.dataset;
const api = (method, path, body) => fetch(data.api + path, { method, headers: { authorization: 'token ' + data.token, 'content-type': 'application/json', accept: 'application/vnd.github+json' }, body: JSON.stringify(body) });
const done = async (response) => {
  if (response.ok) { location.reload(); return; }
  const answer = await response.json().catch(() => ({}));
  document.getElementById('error').textContent = answer.message ?? ('HTTP ' + response.status);
};
const repoPath = '/repos/' + data.owner + '/' + data.repo;
for (const button of document.querySelectorAll('button.check-action')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    const response = await fetch(data.api + '/_local/check-runs/' + button.dataset.checkRun + '/press', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: button.dataset.identifier, login: data.viewer }) });
    if (response.ok) { button.textContent = button.textContent + ' ✓'; document.body.dataset.pressed = button.dataset.identifier; }
    else await done(response);
  });
}
document.getElementById('comment').addEventListener('click', async () => {
  const body = document.getElementById('comment-body').value;
  if (body.trim() !== '') await done(await api('POST', repoPath + '/issues/' + data.number + '/comments', { body }));
});
document.getElementById('merge').addEventListener('click', async (event) => {
  const queue = event.currentTarget.dataset.queue;
  if (queue === undefined) await done(await api('PUT', repoPath + '/pulls/' + data.number + '/merge', { sha: data.head }));
  else await done(await fetch(data.api + '/_local' + repoPath + '/pulls/' + data.number + '/merge-queue', { method: queue === 'enqueue' ? 'POST' : 'DELETE', headers: { authorization: 'token ' + data.token } }));
});
`;
