import { createSecondaryRateLimiter, type SecondaryRateLimit } from './secondary-rate-limit.js';
import { createPublicKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorObject } from 'ajv';
import { rootLogger, type Logger } from '../../log/index.js';
import type { RateWindow, WebhookEvent } from './handler.js';
import { createManifestCode, parseManifest, renderManifestPage } from './app-manifests.js';
import { GithubApiError } from './errors.js';
import { checkRunEvent } from './handlers-checks.js';
import { handlers } from './handlers.js';
import { gitRepositories } from './git-repositories.js';
import { initialState, nextId, upgradeState } from './initial-state.js';
import { handleLocalRoute, localPrefix, type LocalResponse } from './local-routes.js';
import { advanceMergeQueue, dequeuePull, enqueuePull, queueEntries } from './merge-queue.js';
import { authenticate } from './tokens.js';
import { syncRepository } from './push-sync.js';
import { pullFacts } from './pull-facts.js';
import { renderPullPage } from './pull-page.js';
import { seedInstallation, seedPerson, seedUser } from './seed.js';
import { githubOpenApi } from './openapi.js';
import { processRequest, type ApiResponse } from './process-request.js';
import { appendRequestLog, type RequestLogEntry } from './request-log.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { Urls } from './shape-user.js';
import type { DeliveryRecord, GithubState, Principal, PullRequestRecord, RepositoryRecord } from './types.js';
import { deliverWebhook } from './webhook-delivery.js';
import { installationPayload } from './webhook-payloads.js';
import { validateWebhookPayload } from './webhook-schema.js';

export interface GithubServerOptions {
  /** Folder for the state file; created if missing. */
  dir: string;
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  appId: number;
  appSlug?: string;
  appName?: string;
  /** The account that owns the app. */
  appOwner?: string;
  /** The app's private key (PEM); its public half verifies app JWTs. Give this or `publicKey`. */
  privateKey?: string;
  publicKey?: string;
  webhookUrl?: string;
  webhookSecret: string;
  /** Guards the local routes that hand out people's tokens (`gradual local github …` reads it from a 0600 file). */
  adminToken?: string;
  /** The local git server's bare repositories (`root/owner/name.git`) and its URL; without it, pull requests are seeded only. */
  git?: { root: string; url: string };
  logger?: Logger;
  now?: () => Date;
  /** Called for every response or webhook that breaks its schema (a bug in this server); tests fail on it. */
  onViolation?: (violation: Violation) => void;
}

export interface Violation {
  kind: 'response' | 'webhook';
  name: string;
  errors: ErrorObject[];
}

export interface GithubServer {
  url: string;
  stop: () => Promise<void>;
  /** A copy of the current state. */
  state: () => GithubState;
  /** Changes the state (e.g. with the seed functions) and saves it; returns what `change` returned. */
  update: <T>(change: (state: GithubState) => T) => Promise<T>;
  /** Sends a delivery again with the same delivery id and body, as GitHub's redeliver does. */
  redeliver: (deliveryId: number) => Promise<DeliveryRecord>;
  /** A person pressed a check run's button: sends `check_run.requested_action`. */
  requestCheckRunAction: (options: { checkRunId: number; identifier: string; login: string }) => Promise<void>;
  /** Resolves when every webhook queued so far has been delivered (or has failed). */
  idle: () => Promise<void>;
  /** Installs the app on an account (as its owner would on github.com): sends `installation.created`; returns the installation id. */
  install: (options: { account: string; sender?: string }) => Promise<number>;
  /** Reads the branches of git-backed repositories (all, or `owner/name`) and sends what changed as pushes. */
  syncGit: (options?: { repository?: string; pusher?: string }) => Promise<void>;
  /**
   * Every API request answered since the server started (in memory, not
   * persisted), oldest first: what tests count to prove the bot made no
   * duplicate call. Also served at `GET /_local/requests?since=<seq>`.
   */
  requestLog: () => RequestLogEntry[];
  /** Injects GitHub's secondary rate limit: the next `refuse` content-creating requests are refused (undefined lifts it). */
  secondaryRateLimit: (limit: SecondaryRateLimit | undefined) => void;
}

/** Deliveries kept in the log; older ones are dropped so the state does not grow without bound. */
const maxDeliveries = 1000;
const rateLimit = 5000;
const maxBodyBytes = 25 * 1024 * 1024;

export async function startGithubServer(options: GithubServerOptions): Promise<GithubServer> {
  const logger = (options.logger ?? rootLogger()).child({ component: 'local-github' });
  const now = options.now ?? ((): Date => new Date());
  const publicKey = appPublicKey(options);
  const started = performance.now();
  const api = await githubOpenApi(Object.keys(handlers));
  const readyMs = Math.round(performance.now() - started);
  const git = options.git === undefined ? undefined : gitRepositories(options.git);
  const stored = await readStateFile(options.dir);
  let state =
    (stored === undefined ? undefined : upgradeState(stored)) ??
    initialState({
      appId: options.appId,
      appSlug: options.appSlug ?? 'gradual',
      appName: options.appName ?? 'Gradual',
      owner: options.appOwner ?? 'gradual-local',
      now: now(),
    });
  await writeStateFile(options.dir, state);

  let stateChain: Promise<unknown> = Promise.resolve();
  let deliveryChain: Promise<unknown> = Promise.resolve();
  /** Runs `task` after every earlier one: requests and state changes never interleave. */
  function serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = stateChain.then(task);
    stateChain = result.catch(() => undefined);
    return result;
  }
  async function commit(next: GithubState): Promise<void> {
    await writeStateFile(options.dir, next);
    state = next;
  }

  const rates = new Map<string, { used: number; reset: number }>();
  /** Whose rate window a request counts against: the installation's, the user's, the app's, or an anonymous address's. */
  function rateKey(principal: Principal, address: string): string {
    return principal.kind === 'installation'
      ? `i${String(principal.installationId)}`
      : principal.kind === 'user'
        ? `u${principal.login}`
        : principal.kind === 'app'
          ? 'app'
          : `a${address}`;
  }
  function rateFor(principal: Principal, address: string): RateWindow {
    const key = rateKey(principal, address);
    const limit = principal.kind === 'anonymous' ? 60 : rateLimit;
    const seconds = Math.floor(now().getTime() / 1000);
    let window = rates.get(key);
    if (window === undefined || window.reset <= seconds) {
      window = { used: 0, reset: seconds + 3600 };
      rates.set(key, window);
    }
    return { limit, used: window.used, remaining: Math.max(0, limit - window.used), reset: window.reset };
  }
  function countRequest(principal: Principal, address: string): RateWindow {
    const window = rateFor(principal, address);
    const entry = rates.get(rateKey(principal, address));
    if (entry !== undefined) entry.used += 1;
    return { ...window, used: window.used + 1, remaining: Math.max(0, window.remaining - 1) };
  }

  function violation(found: Violation): void {
    logger.error(
      { violation: found.kind, name: found.name, errors: found.errors.slice(0, 20) },
      `local GitHub ${found.kind} for ${found.name} breaks its schema: this is a bug in the local GitHub`,
    );
    options.onViolation?.(found);
  }

  let urls: Urls = { api: '', web: '' };
  const requests: RequestLogEntry[] = [];
  /**
   * The webhook secret of an app created through the manifest flow. Kept in memory only (the state file
   * holds no usable credential): a restarted server signs with options.webhookSecret again.
   */
  let convertedWebhookSecret: string | undefined;

  function queueWebhook(event: WebhookEvent): void {
    deliveryChain = deliveryChain
      .then(() => sendEvent(event))
      .catch((error: unknown) => {
        logger.error({ err: error, event: event.name }, 'webhook delivery failed unexpectedly');
      });
  }

  async function sendEvent(event: WebhookEvent): Promise<void> {
    const payload = event.payload(state, urls);
    // Events without actions (push) are described in the schemas as `push$event`.
    const check = validateWebhookPayload(event.name, event.action === '' ? 'event' : event.action, payload);
    if (!check.valid) {
      violation({ kind: 'webhook', name: `${event.name}.${event.action}`, errors: check.errors });
      return;
    }
    const body = JSON.stringify(payload);
    const installation = (payload['installation'] as { id?: number } | undefined)?.id ?? null;
    await send({
      guid: randomUUID(),
      event: event.name,
      action: event.action === '' ? null : event.action,
      installationId: installation,
      repositoryId: event.repositoryId,
      body,
      redelivery: false,
    });
  }

  async function send(delivery: Omit<DeliveryRecord, 'id' | 'deliveredAt' | 'statusCode' | 'outcome'>): Promise<DeliveryRecord> {
    const deliveredAt = now().toISOString();
    const sendStarted = performance.now();
    // An app created through the manifest flow delivers to its manifest's URL, signed with the secret its conversion returned.
    const webhookUrl = state.app.webhookUrl ?? options.webhookUrl;
    const outcome =
      webhookUrl === undefined
        ? { statusCode: 0, outcome: 'no webhook URL configured' }
        : await deliverWebhook({
            url: webhookUrl,
            secret: convertedWebhookSecret ?? options.webhookSecret,
            event: delivery.event,
            guid: delivery.guid,
            hookId: state.app.id,
            appId: state.app.id,
            body: delivery.body,
          });
    logger.info(
      {
        event: delivery.event,
        action: delivery.action,
        delivery: delivery.guid,
        statusCode: outcome.statusCode,
        redelivery: delivery.redelivery,
      },
      'webhook delivered',
    );
    return serialize(async () => {
      const next = structuredClone(state);
      const record: DeliveryRecord = {
        ...delivery,
        id: nextId(next),
        deliveredAt,
        ...outcome,
        durationMs: Math.round(performance.now() - sendStarted),
      };
      next.deliveries = [...next.deliveries, record].slice(-maxDeliveries);
      await commit(next);
      return record;
    });
  }

  function redeliver(deliveryId: number): Promise<DeliveryRecord> {
    const original = state.deliveries.find((delivery) => delivery.id === deliveryId);
    if (original === undefined) throw new Error(`no delivery ${String(deliveryId)}`);
    return send({
      guid: original.guid,
      event: original.event,
      action: original.action,
      installationId: original.installationId,
      repositoryId: original.repositoryId,
      body: original.body,
      redelivery: true,
    });
  }

  /** Finds pushes by reading git (see push-sync.ts); serialized with requests so a push and a request never interleave. */
  function syncGit(request: { repository?: string; pusher?: string } = {}): Promise<void> {
    if (git === undefined) return Promise.resolve();
    return serialize(async () => {
      const next = structuredClone(state);
      const events = next.repositories
        .filter(
          (repo) =>
            repo.heads !== undefined &&
            (request.repository === undefined || `${repo.owner}/${repo.name}`.toLowerCase() === request.repository.toLowerCase()),
        )
        .flatMap((repo) =>
          syncRepository({ state: next, repo, git, now: now(), ...(request.pusher !== undefined && { pusher: request.pusher }) }),
        );
      if (events.length > 0) await commit(next);
      for (const event of [...events, ...(await advanceQueues())]) queueWebhook(event);
    });
  }

  /**
   * Brings every merge queue forward after a change (merge-queue.ts): a check that completed on a group, a
   * push to a queued pull request or its base. Called inside serialized tasks; returns the webhooks to send.
   * A git failure here is logged and leaves the queue as it was, rather than failing the request that caused it.
   */
  async function advanceQueues(): Promise<WebhookEvent[]> {
    if (git === undefined || (state.mergeQueue ?? []).length === 0) return [];
    const next = structuredClone(state);
    try {
      const events = next.repositories.flatMap((repo) => advanceMergeQueue({ state: next, repo, git, now: now() }));
      if (events.length === 0 && JSON.stringify(next.mergeQueue) === JSON.stringify(state.mergeQueue)) return [];
      await commit(next);
      return events;
    } catch (error) {
      logger.error({ err: error }, 'local GitHub: the merge queue could not advance');
      return [];
    }
  }

  /** A person adds a pull request to its merge queue or removes it (`/_local/…/merge-queue`, the "Merge when ready" button's call). */
  function queueAction(request: {
    action: 'enqueue' | 'dequeue';
    owner: string;
    name: string;
    number: number;
    authorization: string | undefined;
  }): Promise<LocalResponse> {
    return serialize(async (): Promise<LocalResponse> => {
      try {
        const principal = authenticate(request.authorization, state, { publicKey, now: now() });
        if (principal.kind !== 'user') return { status: 401, body: { message: 'Requires a person’s token (Authorization: token …)' } };
        const next = structuredClone(state);
        const repo = next.repositories.find(
          (candidate) =>
            candidate.owner.toLowerCase() === request.owner.toLowerCase() && candidate.name.toLowerCase() === request.name.toLowerCase(),
        );
        const pull = next.pullRequests.find((candidate) => candidate.repositoryId === repo?.id && candidate.number === request.number);
        if (repo === undefined || pull === undefined) return { status: 404, body: { message: 'Not Found' } };
        const role = repo.collaborators[principal.login] ?? (repo.owner === principal.login ? 'admin' : 'read');
        if (!['admin', 'maintain', 'write'].includes(role))
          return { status: 403, body: { message: 'Must have write access to the repository to use its merge queue' } };
        const change = { state: next, repo, pull, login: principal.login, git, now: now() };
        const events = request.action === 'enqueue' ? enqueuePull(change) : dequeuePull(change);
        await commit(next);
        for (const event of events) queueWebhook(event);
        return {
          status: request.action === 'enqueue' ? 201 : 200,
          body: { queue: queueEntries(next, repo).map((entry) => ({ pull_number: entry.pullNumber, group: entry.group ?? null })) },
        };
      } catch (error) {
        if (error instanceof GithubApiError) return { status: error.status, body: { message: error.message } };
        throw error;
      }
    });
  }

  function update<T>(change: (state: GithubState) => T): Promise<T> {
    return serialize(async () => {
      const next = structuredClone(state);
      const result = change(next);
      await commit(next);
      return result;
    });
  }

  /** A person pressed a check run's button (on the PR page, or `gradual local github press`). */
  async function requestCheckRunAction({
    checkRunId,
    identifier,
    login,
  }: {
    checkRunId: number;
    identifier: string;
    login: string;
  }): Promise<void> {
    const run = state.checkRuns.find((candidate) => candidate.id === checkRunId);
    if (run === undefined) throw new Error(`no check run ${String(checkRunId)}`);
    if (!run.actions.some((action) => action.identifier === identifier))
      throw new Error(`check run ${String(checkRunId)} has no action ${identifier}`);
    await update((next) => seedUser(next, login));
    // GitHub sends requested_action only to the app that created the run (README, "GitHub's rules");
    // a run of another app is pressed, but that app is not served here.
    if (run.appId === state.app.id) queueWebhook(checkRunEvent(run, 'requested_action', { identifier, sender: login }));
    await deliveryChain;
  }

  /** Installs the app on an account (as its owner would on github.com); `installation.created` is sent once. */
  async function install({ account, sender }: { account: string; sender?: string }): Promise<number> {
    const known = state.installations.some((installation) => installation.account === account);
    const id = await update((next) => seedInstallation(next, account, now()).id);
    if (!known)
      queueWebhook({
        name: 'installation',
        action: 'created',
        repositoryId: null,
        payload: (saved, at) => installationPayload(saved, at, id, sender ?? account),
      });
    await deliveryChain;
    return id;
  }

  /** Tokens the page acts with, one per viewer and process (the state keeps only digests, so they cannot be read back). */
  const viewerTokens = new Map<string, string>();
  const secondaryLimiter = createSecondaryRateLimiter();
  async function renderPage(request: { owner: string; name: string; number: number; viewer: string }): Promise<string | undefined> {
    const find = (from: GithubState): { repo: RepositoryRecord; pull: PullRequestRecord } | undefined => {
      const repo = from.repositories.find(
        (candidate) =>
          candidate.owner.toLowerCase() === request.owner.toLowerCase() && candidate.name.toLowerCase() === request.name.toLowerCase(),
      );
      const pull = from.pullRequests.find((candidate) => candidate.repositoryId === repo?.id && candidate.number === request.number);
      return repo === undefined || pull === undefined ? undefined : { repo, pull };
    };
    const found = find(state);
    if (found === undefined || !/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(request.viewer)) return undefined;
    let token = viewerTokens.get(request.viewer);
    if (token === undefined) {
      const role = found.repo.collaborators[request.viewer] ?? 'write';
      token = await update((next) =>
        seedPerson(next, { login: request.viewer, role, repository: { owner: found.repo.owner, name: found.repo.name }, now: now() }),
      );
      viewerTokens.set(request.viewer, token);
    }
    const current = find(state) ?? found;
    return renderPullPage({
      state,
      ...current,
      facts: pullFacts(state, current.repo, current.pull, git),
      viewer: request.viewer,
      token,
      apiUrl: urls.api,
    });
  }

  const enterprisePrefix = '/api/v3';

  /**
   * The browser's half of the manifest flow (app-manifests.ts): the form's POST shows the confirmation
   * page; its confirmation makes the one-time code and redirects to the manifest's redirect_url with it
   * and the form's `state`. The person is `?as=` (the local GitHub's pages have no sign-in).
   */
  async function manifestForm(request: {
    organization: string | undefined;
    viewer: string;
    form: URLSearchParams;
    path: string;
  }): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const html = { 'content-type': 'text/html; charset=utf-8' };
    const manifestText = request.form.get('manifest') ?? '';
    const formState = request.form.get('state') ?? '';
    const owner = request.organization ?? request.viewer;
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/u.test(request.viewer)) return { status: 404, headers: html, body: 'Not Found' };
    try {
      if (request.form.get('confirm') !== '1') {
        return {
          status: 200,
          headers: html,
          body: renderManifestPage({
            manifestText,
            state: formState,
            owner,
            action: `${request.path}?as=${encodeURIComponent(request.viewer)}`,
          }),
        };
      }
      const manifest = parseManifest(manifestText);
      if (manifest.redirect_url === undefined)
        return {
          status: 422,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'The manifest has no redirect_url to send the code to',
        };
      const code = await update((next) => createManifestCode(next, { manifest, owner, now: now() }));
      const target = new URL(manifest.redirect_url);
      target.searchParams.set('code', code);
      if (formState !== '') target.searchParams.set('state', formState);
      return { status: 302, headers: { location: target.toString() }, body: '' };
    } catch (error) {
      if (error instanceof GithubApiError)
        return {
          status: error.status,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: `${error.message}: ${JSON.stringify(error.errors ?? [])}`,
        };
      throw error;
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const address = req.socket.remoteAddress ?? 'unknown';
    const received = performance.now();
    const url = new URL(req.url ?? '/', urls.api);
    // GitHub Enterprise Server serves the REST API under /api/v3, where Probot's GHE_HOST points: the same API answers there.
    if (url.pathname === enterprisePrefix || url.pathname.startsWith(`${enterprisePrefix}/`))
      url.pathname = url.pathname.slice(enterprisePrefix.length) || '/';
    const rawBody = await readBody(req);
    const page = /^\/([\w.-]+)\/([\w.-]+)\/pull\/(\d+)$/.exec(url.pathname);
    if (page !== null && req.method === 'GET') {
      const viewer = url.searchParams.get('as') ?? 'developer';
      const html = await renderPage({ owner: page[1] ?? '', name: page[2] ?? '', number: Number(page[3]), viewer });
      res
        .writeHead(html === undefined ? 404 : 200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy':
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' https: data:",
        })
        .end(html ?? 'Not Found');
      return;
    }
    const newApp = /^(?:\/organizations\/([\w.-]+))?\/settings\/apps\/new$/u.exec(url.pathname);
    if (newApp !== null && req.method === 'POST') {
      const answer = await manifestForm({
        organization: newApp[1],
        viewer: url.searchParams.get('as') ?? 'developer',
        form: new URLSearchParams(rawBody ?? ''),
        path: url.pathname,
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (url.pathname.startsWith(localPrefix)) {
      const answer = await handleLocalRoute(
        { adminToken: options.adminToken, now, syncGit, update, requestCheckRunAction, requestLog: () => requests, install, queueAction },
        {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          authorization: req.headers.authorization,
          rawBody: rawBody ?? '',
        },
      );
      res
        .writeHead(answer.status, answer.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' })
        .end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      return;
    }
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers[key] = value;
    const secondary = secondaryLimiter.refusal(req.method ?? 'GET');
    if (secondary !== undefined) {
      appendRequestLog(requests, {
        method: (req.method ?? 'GET').toUpperCase(),
        route: url.pathname,
        path: url.pathname,
        operationId: undefined,
        status: secondary.status,
        at: now().toISOString(),
        caller: 'anonymous',
      });
      logger.info({ method: req.method, path: url.pathname, status: secondary.status }, 'local GitHub: secondary rate limit (injected)');
      res
        .writeHead(secondary.status, { 'content-type': 'application/json; charset=utf-8', ...secondary.headers })
        .end(JSON.stringify(secondary.body));
      return;
    }
    const response = await serialize(async (): Promise<ApiResponse> => {
      const result = processRequest(
        { api, state, publicKey, now: now(), urls, rate: (principal) => rateFor(principal, address), git },
        { method: req.method ?? 'GET', path: url.pathname, query, headers, rawBody: rawBody ?? '' },
      );
      if (result.responseErrors !== undefined)
        violation({ kind: 'response', name: result.operationId ?? url.pathname, errors: result.responseErrors });
      if (result.state !== undefined) await commit(result.state);
      if (result.operationId === 'apps/create-from-manifest' && result.status === 201)
        convertedWebhookSecret = (result.body as { webhook_secret?: string }).webhook_secret;
      // A check that completed on a merge group may merge it or take its pull request out of the queue.
      return result.state === undefined ? result : { ...result, events: [...result.events, ...(await advanceQueues())] };
    });
    const rate = countRequest(response.principal, address);
    appendRequestLog(requests, {
      method: (req.method ?? 'GET').toUpperCase(),
      route: response.route ?? url.pathname,
      path: url.pathname,
      operationId: response.operationId,
      status: response.status,
      at: now().toISOString(),
      caller: callerName(response.principal),
    });
    logger.debug(
      {
        method: req.method,
        path: url.pathname,
        operation: response.operationId,
        status: response.status,
        ms: Math.round(performance.now() - received),
      },
      'local GitHub request',
    );
    res.writeHead(response.status, {
      ...(response.body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomUUID(),
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-used': String(rate.used),
      'x-ratelimit-reset': String(rate.reset),
      'x-ratelimit-resource': 'core',
      ...response.headers,
    });
    res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
    for (const event of response.events) queueWebhook(event);
    for (const deliveryId of response.redeliveries ?? []) {
      deliveryChain = deliveryChain
        .then(() => redeliver(deliveryId))
        .catch((error: unknown) => {
          logger.error({ err: error, deliveryId }, 'redelivery failed unexpectedly');
        });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, method: req.method, url: req.url }, 'local GitHub failed to handle a request');
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ message: 'Server Error', status: '500' }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' }, resolve);
  });
  const address = server.address() as AddressInfo;
  const base = `http://${address.address}:${String(address.port)}`;
  urls = { api: base, web: base, ...(options.git !== undefined && { git: options.git.url }) };
  // Pushes made while the server was down are found now.
  await syncGit();
  logger.info({ url: base, descriptionMs: readyMs, startupMs: Math.round(performance.now() - started) }, 'local GitHub listening');

  return {
    url: base,
    stop: async () => {
      await deliveryChain;
      await stateChain;
      await new Promise<void>((resolve, reject) =>
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        }),
      );
      server.closeAllConnections();
    },
    state: () => structuredClone(state),
    update,
    redeliver: async (deliveryId) => {
      await deliveryChain;
      return redeliver(deliveryId);
    },
    requestCheckRunAction,
    secondaryRateLimit: (limit) => {
      secondaryLimiter.set(limit);
    },
    install,
    idle: async () => {
      await stateChain;
      await deliveryChain;
    },
    syncGit,
    requestLog: () => structuredClone(requests),
  };
}

function callerName(principal: Principal): string {
  if (principal.kind === 'installation') return `installation:${String(principal.installationId)}`;
  if (principal.kind === 'user') return `user:${principal.login}`;
  return principal.kind;
}

function appPublicKey(options: GithubServerOptions): string {
  if (options.publicKey !== undefined) return options.publicKey;
  if (options.privateKey === undefined) throw new Error('startGithubServer needs the app privateKey or publicKey');
  return createPublicKey(options.privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(chunks.length === 0 ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
