import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { createRepositoryFromFolder, type Person } from './person.js';
import { seedInstallation, seedPerson, seedPullRequest, seedRepository } from './seed.js';
import { startTestGithub, type ReceivedWebhook, type TestGithub } from './testing.js';
import type { CollaboratorPermission } from './types.js';

/**
 * The calls the local GitHub's tests make the same way in every file: the
 * app's and the installation's clients, a raw REST call, a refusal read off
 * Octokit's error, the deliveries one action causes, and a repository made
 * from a few files. One place, so the tests say only what they check.
 */

/**
 * The app's client: as the installation when `installationId` is given (as the bot holds it, a JWT-signed
 * app exchanging for installation tokens), as the app itself (its JWT) otherwise.
 */
export function appOctokit(github: TestGithub, installationId?: number): Octokit {
  return new Octokit({
    baseUrl: github.server.url,
    authStrategy: createAppAuth,
    auth: { appId: github.appId, privateKey: github.privateKey, ...(installationId !== undefined && { installationId }) },
  });
}

/** A JWT signed with the app's key (what an app presents to ask for installation tokens). */
export async function appJwt(github: TestGithub): Promise<string> {
  const auth = createAppAuth({ appId: github.appId, privateKey: github.privateKey });
  return (await auth({ type: 'app' })).token;
}

/** A person as `person.ts` drives them: a login and its token against this server. */
export function personOn(github: TestGithub, login: string, token: string): Person {
  return { login, token, apiUrl: github.server.url };
}

export interface RawInit {
  method?: string;
  token?: string | undefined;
  body?: unknown;
}

export interface RawAnswer {
  status: number;
  body: Record<string, unknown> & unknown[];
  headers: Headers;
}

/**
 * One REST call without Octokit, so a test sees the status and body GitHub's
 * description gives (Octokit would throw on 4xx). A string body is sent as it
 * is (for malformed JSON); anything else as JSON.
 */
export async function rawCall(github: TestGithub, path: string, init: RawInit = {}): Promise<RawAnswer> {
  const response = await fetch(`${github.server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token !== undefined && { authorization: `token ${init.token}` }), 'content-type': 'application/json' },
    ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as RawAnswer['body'], headers: response.headers };
}

/** The status and message of an Octokit call GitHub refused, or undefined when it succeeded. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string } | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => {
      const failure = error as { status: number; response: { data: { message: string } } };
      return { status: failure.status, message: failure.response.data.message };
    },
  );
}

/** One delivery, read: its event, action, `event.action` name, payload and delivery id. */
export interface Delivered {
  event: string;
  action: string | undefined;
  /** `event.action` (`push.undefined` for an event without actions), as the tests list them. */
  name: string;
  payload: Record<string, unknown>;
  delivery: string;
}

export function delivered(received: readonly ReceivedWebhook[]): Delivered[] {
  return received.map((webhook) => {
    const payload = JSON.parse(webhook.body) as Record<string, unknown>;
    const event = String(webhook.headers['x-github-event']);
    return {
      event,
      action: payload['action'] as string | undefined,
      name: `${event}.${String(payload['action'])}`,
      payload,
      delivery: String(webhook.headers['x-github-delivery']),
    };
  });
}

/** The deliveries sent while `act` ran (the server is idle before and after, so none of another action's leak in). */
export async function deliveriesDuring(github: TestGithub, act: () => Promise<unknown>): Promise<Delivered[]> {
  await github.server.idle();
  const from = github.received.length;
  await act();
  await github.server.idle();
  return delivered(github.received.slice(from));
}

/** A repository `person` creates from `files` (path → content, folders made as needed). */
export async function repositoryFromFiles(
  person: Person,
  options: { owner: string; repo: string; files: Record<string, string> },
): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), `gradual-${options.repo}-`));
  for (const [path, content] of Object.entries(options.files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  await createRepositoryFromFolder(person, { owner: options.owner, repo: options.repo, folder });
}

/** Gives `login` a role on the repository named `repo` (as an admin's invitation, accepted, would). */
export async function addCollaborator(github: TestGithub, repo: string, login: string, role: CollaboratorPermission): Promise<void> {
  await github.server.update((state) => {
    const repository = state.repositories.find((candidate) => candidate.name === repo);
    if (repository !== undefined) repository.collaborators[login] = role;
  });
}

/** git run on the server's bare repository of `owner/repo` (what GitHub holds, read without the API). */
export function bareGit(github: TestGithub, owner: string, repo: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', join(github.dir, 'git', owner, `${repo}.git`), ...args], { encoding: 'utf8' }).trim();
}

/**
 * A local GitHub (without git) with the app installed on `owner`, and `owner/repo` holding one open pull request
 * by alice: the state most of the local GitHub's REST tests start from.
 */
export async function startGithubWithPullRequest(options: {
  owner: string;
  repo: string;
  collaborators?: Record<string, CollaboratorPermission>;
  title: string;
  head: { ref: string; sha: string };
  files?: Parameters<typeof seedPullRequest>[1]['files'];
}): Promise<{ github: TestGithub; installationId: number }> {
  const { owner, repo, collaborators, title, head, files } = options;
  const github = await startTestGithub();
  const now = new Date();
  const installationId = await github.server.update((state) => {
    const installation = seedInstallation(state, owner, now);
    const repository = seedRepository(state, { owner, name: repo, ...(collaborators === undefined ? {} : { collaborators }), now });
    seedPullRequest(state, { repositoryId: repository.id, title, user: 'alice', head, ...(files === undefined ? {} : { files }), now });
    return installation.id;
  });
  return { github, installationId };
}

/** A git-backed local GitHub as the tests of pull requests and webhooks start it: the clients and people below. */
export interface GithubWithRepository<Login extends string> {
  github: TestGithub;
  installationId: number;
  /** The app's client, as the installation. */
  app: Octokit;
  /** alice (admin, who created the repository) and every person of `people` and `outsiders`. */
  people: Record<Login, Person>;
}

/**
 * A git-backed local GitHub with the app installed on `owner` and `alice` (admin) creating `owner/repo` from
 * `files`; then each of `people` seeded with its role on the repository (as an accepted invitation), and each of
 * `outsiders` with a token of that role but no role on the repository (an outside contributor with a fork).
 */
export async function startGithubWithRepository<Member extends string = never, Outsider extends string = never>(options: {
  owner: string;
  repo: string;
  files: Record<string, string>;
  people?: Record<Member, CollaboratorPermission>;
  outsiders?: Record<Outsider, CollaboratorPermission>;
}): Promise<GithubWithRepository<'alice' | Member | Outsider>> {
  const { owner, repo } = options;
  const github = await startTestGithub({ git: true });
  const now = new Date();
  const roles = (of: Partial<Record<string, CollaboratorPermission>> | undefined): [string, CollaboratorPermission][] =>
    Object.entries(of ?? {}).flatMap(([login, role]) => (role === undefined ? [] : [[login, role]]));
  const seeded = await github.server.update((state) => ({
    installationId: seedInstallation(state, owner, now).id,
    alice: seedPerson(state, { login: 'alice', role: 'admin', now }),
    outsiders: roles(options.outsiders).map(([login, role]) => [login, seedPerson(state, { login, role, now })] as const),
  }));
  const alice = personOn(github, 'alice', seeded.alice);
  await repositoryFromFiles(alice, { owner, repo, files: options.files });
  const members = await github.server.update((state) =>
    roles(options.people).map(
      ([login, role]) => [login, seedPerson(state, { login, role, repository: { owner, name: repo }, now })] as const,
    ),
  );
  const people: Record<string, Person> = { alice };
  for (const [login, token] of [...seeded.outsiders, ...members]) people[login] = personOn(github, login, token);
  return {
    github,
    installationId: seeded.installationId,
    app: appOctokit(github, seeded.installationId),
    people,
  };
}
