import { ProbotOctokit } from 'probot';
import type { GithubServiceOptions } from './config.js';
import { OutboundFetchError, outboundFetch } from './outbound-fetch.js';
import { githubCommentMarker, type RenderedGithub, type RenderedNotification } from './plan-notifications.js';
import type { SendOptions, SendResult } from './send-notification.js';

/*
 * notifications-engine's GitHub service (pkg/services/github.go, v0.5.0 as Argo Rollouts v1.9.1
 * pins it): authenticated as the app's installation (a JWT signed with the private key, exchanged
 * for an installation token, as ghinstallation does), it sets a commit status on the rendered
 * revision and comments on the pull requests GitHub associates with that commit. Octokit is
 * Probot's, as the bot's (the token exchange is @octokit/auth-app's); its fetch goes through the
 * outbound rules. Retries and rate-limit waits are off: a send has one timeout and a failure is
 * recorded, never waited out. Deployments and check runs are refused when the ConfigMap is read.
 */

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** GitHub's limits, as notifications-engine truncates to them: a status description, a comment body. */
export const MAX_STATUS_DESCRIPTION = 140;
export const MAX_COMMENT_BODY = 65536;

/** notifications-engine's trunc: more than n characters (runes) become the first n-3 and "...". */
export function truncate(message: string, n: number): string {
  const runes = Array.from(message);
  return runes.length > n ? `${runes.slice(0, n - 3).join('')}...` : message;
}

/**
 * fullNameByRepoURL: owner/name from a repository URL in any of git's forms (https://host/o/r.git,
 * git@host:o/r.git, ssh://git@host/o/r, o/r), as giturls parses them; `.git` dropped, the first
 * two path segments kept. Undefined when there are not two.
 */
export function repositoryOf(repoURL: string): { owner: string; repo: string } | undefined {
  let path = repoURL.trim();
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//u.exec(path);
  if (scheme !== null) {
    try {
      path = new URL(path).pathname;
    } catch {
      return undefined;
    }
  } else {
    // scp-like syntax: [user@]host:path (a colon before any slash).
    const scp = /^(?:[^@/]+@)?[^:/]+:(.*)$/u.exec(path);
    if (scp !== null) path = scp[1] ?? '';
  }
  const parts = path
    .replace(/\.git$/u, '')
    .split('/')
    .filter((part) => part !== '');
  const [owner, repo] = parts;
  return owner === undefined || repo === undefined ? undefined : { owner, repo };
}

interface OctokitLike {
  request: (route: string, parameters: Record<string, unknown>) => Promise<{ data: unknown }>;
}

function installationOctokit(options: GithubServiceOptions, send: SendOptions): OctokitLike {
  const silent = (): void => undefined;
  return new ProbotOctokit({
    auth: { appId: Number(options.appID), privateKey: options.privateKey, installationId: Number(options.installationID) },
    baseUrl: (options.enterpriseBaseURL ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/u, ''),
    request: { fetch: outboundFetch(send.policy, send.timeoutMs) },
    retry: { enabled: false },
    throttle: { enabled: false },
    // Octokit's request log names routes only, but it is not the controller's log: nothing of it is kept.
    log: { debug: silent, info: silent, warn: silent, error: silent },
  });
}

/** What went wrong, in a sentence naming the request: GitHub's own message with its status, or the outbound rule's. */
function failure(what: string, cause: unknown): string {
  if (cause instanceof OutboundFetchError) return cause.message;
  const error = cause as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  const message = typeof error.message === 'string' ? error.message : String(cause);
  // A RequestError without a response is the fetch failing (an outbound refusal, a timeout): its message says why.
  if (error.response === undefined || typeof error.status !== 'number') {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof OutboundFetchError ? inner.message : `${what}: ${message}`;
  }
  return `${what} answered HTTP ${String(error.status)}: ${message.split(' - https://')[0] ?? message}`.slice(0, 400);
}

async function call(octokit: OctokitLike, what: string, route: string, parameters: Record<string, unknown>): Promise<unknown> {
  try {
    return (await octokit.request(route, parameters)).data;
  } catch (cause) {
    throw new GithubSendError(failure(what, cause));
  }
}

class GithubSendError extends Error {}

async function comment(octokit: OctokitLike, owner: string, repo: string, github: RenderedGithub): Promise<void> {
  const pullRequestComment = github.pullRequestComment;
  if (pullRequestComment === undefined) return;
  const repoPath = `/repos/${owner}/${repo}`;
  let body = truncate(pullRequestComment.content, MAX_COMMENT_BODY);
  const pulls = (await call(octokit, `GET ${repoPath}/commits/${github.revision}/pulls`, 'GET /repos/{owner}/{repo}/commits/{sha}/pulls', {
    owner,
    repo,
    sha: github.revision,
  })) as { number: number }[];
  for (const pull of pulls) {
    const tag = pullRequestComment.commentTag;
    if (tag !== '') {
      const marker = githubCommentMarker(tag);
      const comments = (await call(
        octokit,
        `GET ${repoPath}/issues/${String(pull.number)}/comments`,
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
        { owner, repo, issue_number: pull.number },
      )) as { id: number; body?: string | null }[];
      const existing = comments.find((candidate) => (candidate.body ?? '').includes(marker));
      // As notifications-engine does, the marker is appended here too (the content already ends with it): Argo's comments carry it twice.
      if (existing !== undefined) {
        await call(
          octokit,
          `PATCH ${repoPath}/issues/comments/${String(existing.id)}`,
          'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
          {
            owner,
            repo,
            comment_id: existing.id,
            body: `${body}\n${marker}`,
          },
        );
        continue;
      }
      body = `${body}\n${marker}`;
    }
    await call(
      octokit,
      `POST ${repoPath}/issues/${String(pull.number)}/comments`,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      {
        owner,
        repo,
        issue_number: pull.number,
        body,
      },
    );
  }
}

export async function sendGithub(
  serviceName: string,
  options: GithubServiceOptions,
  notification: RenderedNotification,
  send: SendOptions,
): Promise<SendResult> {
  const github = notification.github;
  if (github === undefined) return { ok: false, message: `github ${serviceName}: the templates sent have no github section` };
  const repository = repositoryOf(github.repoURL);
  if (repository === undefined)
    return {
      ok: false,
      message: `github ${serviceName}: GitHub.repoURL (${github.repoURL.slice(0, 200)}) does not have a \`/\` (set the template's github.repoURLPath)`,
    };
  const { owner, repo } = repository;
  const octokit = installationOctokit(options, send);
  try {
    if (github.status !== undefined) {
      await call(octokit, `POST /repos/${owner}/${repo}/statuses/${github.revision}`, 'POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner,
        repo,
        sha: github.revision,
        state: github.status.state,
        description: truncate(notification.message ?? '', MAX_STATUS_DESCRIPTION),
        context: github.status.label,
        target_url: github.status.targetURL,
      });
    }
    await comment(octokit, owner, repo, github);
    return { ok: true };
  } catch (cause) {
    return { ok: false, message: `github ${serviceName}: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
}
